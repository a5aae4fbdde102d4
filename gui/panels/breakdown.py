"""The derivative breakdown: the chain rule for the selected parameter, factor by factor,
per sample and summed, then the gradient-descent step with its numbers."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QTextBrowser

from engine.explain import update_equations
from gui.kit.maths_text import (
    broken_at_operators,
    factors_html,
    formula_html,
    name_html,
    number_html,
    partial_html,
    plain,
    unbroken,
)
from gui.kit.throttle import LiveRefresh
from gui.session import Session

_TAGS = re.compile(r"<[^>]+>")


@functools.lru_cache(maxsize=4096)
def _plain(rich: str) -> str:
    """Rich text's words without its tags, as measured: the same titles and factors'
    names are measured at every Step."""
    return _TAGS.sub("", rich)

MAX_SAMPLE_ROWS = 20  # a row per sample up to here; the sum always takes every sample
MIN_SAMPLE_ROWS = 5  # with several paths they share the rows, this many each at least
PATHS_SPELT_OUT = 8  # the rest (a wide network has hundreds) are summed in one line
# Up to this many paths each shows its numbers; past it (a wide network) only the first
# does, and the others their formula and sum with a link to open their numbers: eight
# tables of 6,000-sample paths were most of a Step's time, and more than fits the panel.
PATHS_OPEN = 2
# With room to spare (at 1920 px the panel is 50-odd lines of text wide) the text grows
# to sit beside the diagram's words, which grow with their view: by the room past this
# many text heights across, in steps of ZOOM_STEP (a dragged dock redraws only at a
# step), up to MAX_ZOOM. At 1280 px, and in presenter mode's larger fonts, it stays 1.
ROOM_FOR_NORMAL_TEXT = 42
ZOOM_STEP = 0.05
MAX_ZOOM = 1.3
OPEN_LINK = "path:"  # href of a path's "numbers" link: path:<index from 0>
EQUATION_SIZE = 1.18  # the equations' text over the tables'


@dataclass(frozen=True)
class Num:
    """A number in the text: after a step only these change, and are swapped in place."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class SampleName(Num):
    """A table's sample name ("sample 4"), a row's or a turned-over column's: with a
    batch of one sample (sgd-line's SGD) it changes every Step, and is swapped in place
    as the numbers are (the whole text drawn again for it took ~3 ms of every Step)."""


@dataclass(frozen=True)
class Paragraph:
    parts: tuple  # rich-text strings and Nums; after a step both may change in place
    big: bool = True  # equations a size larger than the table
    # straight under the paragraph before (the update's equations, one a paragraph: each
    # keeps its own height, so one that rewraps does not move the next up and down)
    joined: bool = False


@dataclass(frozen=True)
class Rows:
    heads: tuple  # column titles: rich text, or SampleNames
    rows: tuple[tuple, ...]  # per sample: its label (a SampleName, or a factor's name), then Nums
    more: int = 0  # samples in the sum but not listed
    # TABLE: columns on tab stops, each with a gap before it. Narrower, for one sample's
    # two columns (a factor's name, its number): BESIDE, the names from the left edge
    # with a space before the numbers; ABOVE, each name on a line of its own (it may
    # wrap) and its number below it.
    layout: str = "table"


TABLE, BESIDE, ABOVE = "table", "beside", "above"


def _shape(blocks) -> tuple:
    """The blocks with every number and every paragraph's words blanked: equal shapes
    differ only in what is swapped in place. A paragraph's words change too ("update 5"
    in an optimizer's equations, a schedule's step), and drawing the whole text again
    for them took ~4 ms a Step; a table's titles and factors' names set its columns, so
    they stay in the shape (its sample names are swapped: their columns are laid out
    for the widest seen)."""
    def blank(part):
        return Num("", part.bold) if isinstance(part, Num) else ""

    def blank_nums(cells) -> tuple:
        return tuple(blank(c) if isinstance(c, Num) else c for c in cells)
    return tuple(Paragraph(tuple(map(blank, b.parts)), b.big, b.joined)
                 if isinstance(b, Paragraph)
                 else Rows(blank_nums(b.heads), tuple(map(blank_nums, b.rows)), b.more,
                           b.layout)
                 for b in blocks)


def _swappable(blocks) -> list:
    """What `_shape` blanks, in the order it stands in the text: a paragraph's parts,
    a table's sample names and numbers."""
    return [p for b in blocks for p in (b.parts if isinstance(b, Paragraph) else (
        c for cells in (b.heads, *b.rows) for c in cells if isinstance(c, Num)))]


_POWER = re.compile(r"\^(\d+)")
# A combining circumflex drew apart from its letter in Qt's upright sans (seen in a real
# window), and a superscript ^ read as a power ("√s^"): in italic, as variables are
# set in maths, the sans font places the hat on its letter.
_HATS = {"m̂": "<i>m̂</i>", "ŝ": "<i>ŝ</i>"}


def _equation_html(text: str, name: str) -> str:
    """An equation's words (from engine.explain.update_equations) as rich text."""
    out = html.escape(text).replace(f"new {name}", f"new {name_html(name)}")
    for text_form, rich in _HATS.items():
        out = out.replace(text_form, rich)
    return _POWER.sub(r"<sup>\1</sup>", out)


def _samples_text(samples: tuple[int, ...]) -> str:
    """'sample 3' or 'samples 1, 4 and 6' (numbered from 1, as the data table does)."""
    names = [str(k + 1) for k in samples]
    if len(names) == 1:
        return f"sample {names[0]}"
    if len(names) > 8:
        return f"{len(names)} samples ({', '.join(names[:6])}, …)"
    return f"samples {', '.join(names[:-1])} and {names[-1]}"


class BreakdownPanel(QTextBrowser):
    """Rich text for the formulas; the per-sample numbers as rows of tab-aligned text.

    Qt lays out a rich-text table cell by cell, several times over: a 5-factor table
    for four samples took ~6 ms of every Step. Rows on tab stops, and after a step only
    the numbers swapped in place, take ~1 ms."""

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("breakdownPanel")
        self.setOpenLinks(False)
        self.setToolTip("The chain rule for the selected parameter, with every number.\n"
                        "Click a weight or bias in the diagram or the parameter list to "
                        "choose another.")
        self.session = session
        self._advance_font, self._advances = "", {}  # text widths measured (_advance)
        self._advance = None  # the measure of this drawing (_measure)
        self._room_now: float | None = None  # the tables' width in this drawing (_room)
        # an equation's factors as set to fit (_set_factor), by room and font: the same
        # factors are set at every Step, eight paths' of them on moons (~1 ms a Step)
        self._factors_set: dict[tuple, str] = {}
        self._room_seen = -1.0  # the tables' width at the last resize
        # widths seen, widest: a table's as it is and per sample turned over
        # (`_tables`), its columns' (`_rows`)
        self._widest_seen: dict[tuple, tuple] = {}
        # each paragraph's tallest (its lines' height) since the text took its shape
        self._tallest_seen: dict[int, float] = {}
        self._zoom = 1.0  # the text's size over the panel's font (_zoom_for_room)
        self._shown = None  # the shape of the text shown
        self._drawing = False
        # Where each swappable part sits: (start, length, part, a Num's format or, for
        # a paragraph's rich text, whether the paragraph is big)
        self._slots: list[tuple[int, int, object, QTextCharFormat | bool]] = []
        self._sample_names: list[str] = []  # the rows' names: the data set's sample numbers
        self._columns: list[list[int]] = []  # each table's column widths, in pixels
        self._opened: set[int] = set()  # paths past the first whose numbers were opened
        self.anchorClicked.connect(self._link)
        # During Run the numbers change every frame; four times a second can be read.
        self.live = LiveRefresh(self, self.refresh, 0.25, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self._new_parameter)
        session.lessonChanged.connect(self._new_parameter)
        session.quizChanged.connect(self.refresh)
        self.live.now()

    def toPlainText(self) -> str:
        return plain(super().toPlainText())

    def createMimeDataFromSelection(self):
        """A copy holds the text as read, without the joins that keep a factor whole."""
        data = super().createMimeDataFromSelection()
        data.setText(plain(data.text()))
        if data.hasHtml():
            data.setHtml(plain(data.html()))
        return data

    def _new_parameter(self, *_) -> None:
        """Another parameter's paths: only the first shows its numbers again."""
        self._opened.clear()
        self.refresh()

    def _link(self, url) -> None:
        """A path's "numbers" link: open or close its table."""
        text = url.toString()
        if text.startswith(OPEN_LINK):
            k = int(text[len(OPEN_LINK):])
            self._opened ^= {k}
            self.refresh()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.PaletteChange):
            self._tallest_seen = {}  # heights in the old font: presenter mode's two lines
            self._zoom = self._zoom_for_room()
            self.refresh(full=True)  # tab stops and colours are measured in the old ones

    def _zoom_for_room(self) -> float:
        lines_across = self.contentsRect().width() / max(1, self.fontMetrics().height())
        steps = int(max(0.0, lines_across / ROOM_FOR_NORMAL_TEXT - 1.0) / ZOOM_STEP)
        return min(MAX_ZOOM, 1.0 + steps * ZOOM_STEP)

    def text_font(self) -> QFont:
        """The font of the tables and the words (equations are a size larger): the
        panel's, grown by the room it has."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * self._zoom)
        return font

    def refresh(self, full: bool = False) -> None:
        """Show the selected parameter's numbers: swapped in place when only they changed,
        else (or when `full`) the whole text drawn again."""
        if self._drawing:  # a layout change while drawing asked again: draw once
            return
        self._drawing, self._advance, self._room_now = True, None, None
        try:
            self._draw(full)
        finally:
            self._drawing, self._advance, self._room_now = False, None, None

    def _draw(self, full: bool) -> None:
        blocks = self._blocks()
        shape = _shape(blocks)
        if not full and shape == self._shown and self._fits(blocks):
            self._swap(_swappable(blocks))
            return
        bar = self.verticalScrollBar()
        at = bar.value()  # keep the reader's place when the text changes
        self._slots, self._columns = [], []
        # the row names and column titles (rich text) take the document's font
        self.document().setDefaultFont(self.text_font())
        cursor = QTextCursor(self.document())
        # The old text goes inside the same edit as the new comes in: laid out once, at
        # the end. Emptied first, the document's height fell to nothing and rose again,
        # and the scroll bar hid and showed at every drawing (4 ms a Step repainting it).
        cursor.beginEditBlock()
        cursor.select(QTextCursor.Document)
        cursor.removeSelectedText()
        cursor.setBlockFormat(QTextBlockFormat())
        cursor.setCharFormat(QTextCharFormat())
        for block in blocks:
            if isinstance(block, Paragraph):
                self._paragraph(cursor, block)
            else:
                self._rows(cursor, block)
        # An empty last line, next to nothing high: the last paragraph's margin below
        # (_keep_heights) counts only with a block after it.
        end = QTextCharFormat()
        end.setFontPointSize(1)
        cursor.insertBlock(QTextBlockFormat(), end)
        cursor.endEditBlock()
        if shape != self._shown:  # (the same text drawn again for wider numbers keeps them)
            self._tallest_seen = {}
        self._shown = shape
        self._keep_heights(set(range(self.document().blockCount())))
        # The panel's own cursor moved along with the text put in, and the view went to
        # it: the first drawing showed a wide network's breakdown from its end.
        self.setTextCursor(QTextCursor(self.document()))
        bar.setValue(at)

    def _blocks(self) -> list:
        s = self.session
        if s.quiz_active:
            return [Paragraph(("Quiz: work out the numbers of the next step in the Quiz "
                               "panel. They appear here once it is taken.",))]
        name = s.selected
        b = s.breakdown(name)
        loss, out = b.loss_symbol, []
        # Rows are named by the data set's sample numbers: with batches, the batch's. Only
        # the rows listed get a name (naming all 6,000 samples took a Step ~9 ms).
        self._sample_names = [f"sample {k + 1}"
                              for k in s.batch_samples()[:max(MAX_SAMPLE_ROWS, MIN_SAMPLE_ROWS)]]
        u = s.update(name)
        if u.batch:
            epoch, batch, per_epoch = u.batch
            out.append(Paragraph((f"<i>Batch {batch} of {per_epoch}, epoch {epoch}: this "
                                  f"slope sums over {_samples_text(u.samples)} only (the "
                                  "loss plot shows the loss over every training "
                                  "sample).</i>",),
                                 big=False))
        many = len(b.paths) > PATHS_OPEN
        # The samples listed per path; the shortcut lists the same ones, to set beside them.
        rows = max(MIN_SAMPLE_ROWS, MAX_SAMPLE_ROWS // max(1, min(len(b.paths),
                                                                  PATHS_SPELT_OUT)))
        for k, path in enumerate(b.paths[:PATHS_SPELT_OUT]):
            opened = not many or k == 0 or k in self._opened
            if many:  # each path's sum, to add up with the rest's to the slope
                link = "" if k == 0 else (f" <a href='{OPEN_LINK}{k}'>"
                                          f"{'hide' if opened else 'show'} its numbers</a>")
                out.append(Paragraph((f"<i>path {k + 1} of {len(b.paths)}</i>: "
                                      "Σ<sub>samples</sub> = ", Num(number_html(path.total)),
                                      link), big=False))
            elif len(b.paths) > 1:
                out.append(Paragraph((f"<i>path {k + 1} of {len(b.paths)}</i>",), big=False))
            symbols = factors_html((partial_html(f.numerator, f.denominator)
                                    for f in path.factors), self._set_factor)
            formulas = factors_html((f"({formula_html(f.formula)})" for f in path.factors),
                                    self._set_factor)
            out.append(Paragraph((f"<b>{unbroken(partial_html(loss, name))}</b> = "
                                  "Σ<sub>samples</sub> "
                                  f"{symbols}<br>= Σ<sub>samples</sub> {formulas}",)))
            if opened:
                out += self._tables(path, rows)
        if len(b.paths) > PATHS_SPELT_OUT:
            rest = b.sum_of_paths_after(PATHS_SPELT_OUT)
            out.append(Paragraph((f"<i>paths {PATHS_SPELT_OUT + 1}–{len(b.paths)}</i>, "
                                  "through the "
                                  "other neurons, add up to ", Num(number_html(rest)), "."),
                                 big=False))
        out += self._shortcuts(b, rows)
        out.append(Paragraph((f"slope = {unbroken(partial_html(loss, name))} = Σ = ",
                              Num(number_html(u.slope), bold=True))))
        if u.trainable:  # the engine writes the equations; here they are only set
            for k, equation in enumerate(update_equations(u)):
                last = max(i for i, p in enumerate(equation) if not isinstance(p, str))
                out.append(Paragraph(tuple(_equation_html(p, name) if isinstance(p, str)
                                           else Num(number_html(p), bold=i == last)
                                           for i, p in enumerate(equation)),
                                     joined=k > 0))
        else:
            out.append(Paragraph((f"{name_html(name)} is frozen (not trainable): it stays ",
                                  Num(number_html(u.value)), "."), big=False))
        return out

    def _shortcuts(self, b, rows: int) -> list:
        """Where a cross-entropy meets its softmax or sigmoid, dLoss/dz of each output's
        weighted sum is p - Observed: shown per sample, to set beside the paths' sum."""
        out: list = []
        for short in b.shortcuts:
            z = short.denominator
            listed = range(min(len(short.values), rows))
            out.append(Paragraph((
                f"<i>the shortcut</i>: {unbroken(partial_html(b.loss_symbol, z))} = "
                f"{self._set_factor(formula_html(short.formula), big=False)}: the paths "
                f"through {name_html(z)} "
                "add up to it, sample by sample",), big=False))
            table = Rows(("", partial_html(b.loss_symbol, z)),
                         tuple((SampleName(self._sample_names[i]),
                                Num(number_html(short.values[i]))) for i in listed),
                         len(short.values) - len(listed))
            room = self._room()
            out.append(table if self._table_width(table) <= room
                       else self._narrow(table, room))
        return out

    def _tables(self, path, rows: int) -> list[Rows]:
        """The factors' numbers for the first `rows` samples: a row per sample and a
        column per factor when that fits the panel's width; else turned over, a row per
        factor and a column per sample, in as many blocks of samples as it takes; too
        narrow for even one sample's block, a block per sample with the factors' names
        beside or above their numbers (`_narrow`). The panel never scrolls sideways."""
        symbols = [partial_html(f.numerator, f.denominator) for f in path.factors]
        listed = range(min(len(path.products), rows))
        more = len(path.products) - len(listed)

        # Each sample's numbers, formatted once for the table either way round.
        columns = [(*(Num(number_html(f.values[i])) for f in path.factors),
                    Num(number_html(path.products[i]), bold=True)) for i in listed]
        wide = Rows(("", *symbols, "product"),
                    tuple((SampleName(self._sample_names[i]), *columns[i]) for i in listed),
                    more)
        # The width with a vertical scroll bar, shown or not: the tables must not turn
        # over and back as the bar comes and goes.
        room = self._room()
        # Laid out for the widest numbers seen since (in this room, font and table): by
        # the numbers of each Step, narrow-valley's turned-over tables in presenter mode
        # at 1280x800 held two samples a block, then one, then two, each time drawn
        # again whole (~8 ms a Step, 23 Steps of 40).
        width = self._table_width(wide)
        key = (self._advance_font, room, self.session.selected, tuple(symbols))
        (width,) = self._widest(key, (width,))
        if width <= room:
            return [wide]
        labels = (*symbols, "<b>product</b>")
        label_width = self._table_width(Rows(("",), tuple((t,) for t in labels)))
        column_width = max(self._table_width(Rows((self._sample_names[i],), tuple(
            (c,) for c in columns[i]))) for i in listed)
        (column_width,) = self._widest((*key, "per sample"), (column_width,))
        if label_width + column_width > room:  # not even one sample beside the names
            return [self._narrow(Rows(("", SampleName(self._sample_names[i])), tuple(
                zip(labels, columns[i], strict=True)), more if i == listed[-1] else 0), room)
                    for i in listed]
        per_block = max(1, int((room - label_width) // column_width))
        blocks = []
        for start in range(0, len(columns), per_block):
            chunk = range(start, min(start + per_block, len(columns)))
            blocks.append(Rows(("", *(SampleName(self._sample_names[i]) for i in chunk)),
                               tuple((label, *(columns[i][r] for i in chunk))
                                     for r, label in enumerate(labels)),
                               more if start + per_block >= len(columns) else 0))
        return blocks

    def _widest(self, key: tuple, widths) -> tuple:
        """`widths`, each no less than the widest seen under `key` since: a table laid
        out for the widest numbers seen (in its room, font and place) keeps its layout
        from Step to Step, and its numbers are swapped in place."""
        if len(self._widest_seen) > 1000:
            self._widest_seen.clear()
        seen = self._widest_seen.get(key)
        widths = tuple(widths) if seen is None or len(seen) != len(widths) else tuple(
            max(a, b) for a, b in zip(widths, seen, strict=True))
        self._widest_seen[key] = widths
        return widths

    def _set_factor(self, rich: str, big: bool = True) -> str:
        """A factor of an equation (or a shortcut's formula) whole on one line: as it is
        where it fits the panel's width; wider, written smaller down to the tables' size;
        wider still (moons' (−Observed_Upper / p_Upper / n) in a 225 px dock), broken
        only after its operators, each piece written smaller if it must be to fit. It
        broke anywhere ("p_Uppe", "r / n)"). Past the tables' size it breaks as it must:
        a sideways scroll is worse."""
        self._measure()  # this drawing's font key
        key = (rich, big, self._room(), self._advance_font)
        if len(self._factors_set) > 1000:
            self._factors_set.clear()
        set_ = self._factors_set.get(key)
        if set_ is None:
            set_ = self._factors_set[key] = self._fit_factor(rich, big)
        return set_

    def _fit_factor(self, rich: str, big: bool) -> str:
        font = self.text_font()
        smallest = font.pointSizeF()
        size = smallest * (EQUATION_SIZE if big else 1.0)
        font.setPointSizeF(size)
        metrics = QFontMetricsF(font)
        text = html.unescape(_plain(rich))
        # measured as plain text: sub- and superscripts are smaller, so it is no less
        room = self._room()
        width = metrics.horizontalAdvance(text + "\u00a0·")
        if width <= room:
            return unbroken(rich)
        if size * room / width >= smallest:
            return f"<span style='font-size:{size * room / width:.2f}pt'>{unbroken(rich)}</span>"
        widest = max(metrics.horizontalAdvance(piece + "\u00a0·")
                     for piece in re.split(r"(?<= [/×+−]) ", text))
        if widest <= room:
            return broken_at_operators(rich)
        fitted = max(smallest, size * room / widest)
        return f"<span style='font-size:{fitted:.2f}pt'>{broken_at_operators(rich)}</span>"

    def _narrow(self, block: Rows, room: float) -> Rows:
        """One sample's table in a panel too narrow for its tab stops' gaps: the names
        beside the numbers when that fits, else above them."""
        advance = self._measure()
        names, numbers = self._widths(block)
        beside = names + advance(" ") + numbers + advance("0")
        return replace(block, layout=BESIDE if beside <= room else ABOVE)

    def _table_width(self, block: Rows) -> float:
        """How wide `_rows` draws a table: its columns, each with a gap before it."""
        advance = self._measure()
        gap = advance("  00")
        return sum(w + advance("0") + gap for w in self._widths(block))

    def _measure(self):
        """text -> its width in the panel's font, remembered: a Step measures each cell
        up to three times (as it is, turned over, and whether the new numbers fit), and
        many cells repeat (1, 0, a weight down every sample). Made once a drawing (the
        font's key alone took ~0.5 ms a Step when asked at every table)."""
        if self._advance is None:
            text_font = self.text_font()
            font = text_font.key()
            if self._advance_font != font or len(self._advances) > 50_000:
                self._advance_font, self._advances = font, {}
            known, metrics = self._advances, QFontMetrics(text_font)

            def advance(text: str) -> int:
                width = known.get(text)
                if width is None:
                    width = known[text] = metrics.horizontalAdvance(text)
                return width
            self._advance = advance
        return self._advance

    def _room(self) -> float:
        """The tables' width: the panel's less a vertical scroll bar, shown or not, so
        that the bar coming and going turns no table over and back. Asked once a
        drawing (every factor and table asks)."""
        if self._room_now is not None:
            return self._room_now
        bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        room = self.contentsRect().width() - bar - 2 * self.document().documentMargin() - 4
        if self._drawing:
            self._room_now = room
        return room

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Qt passes the text area's resizes here too: the scroll bar showing or hiding
        # as a redrawing empties and fills the document resized it twice a Step, and
        # each drew the whole text again (three drawings a Step on narrow-valley).
        room = self._room()
        if room != self._room_seen:
            self._room_seen = room
            # (paragraphs keep their height from Step to Step, not from another width:
            # after presenter mode a blank line stood under "step size" at 1920x1080)
            self._tallest_seen = {}
            zoom = self._zoom_for_room()
            if zoom != self._zoom:  # every size in the text changes: drawn anew
                self._zoom = zoom
                QTimer.singleShot(0, lambda: self.refresh(full=True))
            else:  # the tables may turn over or regroup at the new width
                QTimer.singleShot(0, self.live.request)

    def _char_format(self, big: bool, bold: bool) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setFontPointSize(self.text_font().pointSizeF() * (EQUATION_SIZE if big else 1.0))
        fmt.setFontWeight(QFont.Bold if bold else QFont.Normal)
        return fmt

    def _number(self, cursor: QTextCursor, num: Num, fmt: QTextCharFormat) -> None:
        start = cursor.position()
        cursor.insertText(num.text, fmt)
        self._slots.append((start, cursor.position() - start, num, fmt))

    def _paragraph(self, cursor: QTextCursor, block: Paragraph) -> None:
        if not cursor.atStart():
            spaced = QTextBlockFormat()
            spaced.setTopMargin(0 if block.joined else 8)
            cursor.insertBlock(spaced, QTextCharFormat())
        for part in block.parts:
            if isinstance(part, Num):
                self._number(cursor, part, self._char_format(block.big, part.bold))
                continue
            start = cursor.position()
            self._rich(cursor, part, block.big)
            self._slots.append((start, cursor.position() - start, part, block.big))

    def _rich(self, cursor: QTextCursor, part: str, big: bool) -> None:
        """A paragraph's rich text. HTML drops the spaces at a fragment's ends: those go
        in as plain text."""
        size = self.text_font().pointSizeF() * (EQUATION_SIZE if big else 1.0)
        plain = self._char_format(big, False)
        core = part.strip(" ")
        lead, trail = part[:len(part) - len(part.lstrip(" "))], part[len(part.rstrip(" ")):]
        if lead:
            cursor.insertText(lead, plain)
        if core:
            cursor.insertHtml(f"<span style='font-size:{size:.1f}pt'>{core}</span>")
        if trail:
            cursor.insertText(trail, plain)

    def _widths(self, block: Rows) -> list[int]:
        advance = self._measure()

        def width(cell):
            return advance(cell.text if isinstance(cell, Num) else _plain(cell))
        return [max([width(head)] + [width(r[c]) for r in block.rows])
                for c, head in enumerate(block.heads)]

    def _fits(self, blocks) -> bool:
        """Whether the new numbers fit the columns laid out for the old ones."""
        tables = [b for b in blocks if isinstance(b, Rows)]
        return all(new <= old for b, columns in zip(tables, self._columns, strict=True)
                   for new, old in zip(self._widths(b), columns, strict=True))

    def _rows(self, cursor: QTextCursor, block: Rows) -> None:
        """A header of rich-text titles and rows of numbers, right-aligned in columns,
        each a little wider than it needs so that the next numbers fit too."""
        metrics = QFontMetrics(self.text_font())
        # each column as wide as its widest numbers since (as `_tables` lays them out):
        # sized for this Step's alone, the next Step's wider numbers drew it all again
        widths = self._widths(block)
        (shape,) = _shape([block])  # the sample names blanked: they are swapped
        widths = self._widest(("columns", self._advance_font, self.session.selected,
                               shape.heads, tuple(row[0] for row in shape.rows)), widths)
        columns = [w + metrics.horizontalAdvance("0") for w in widths]
        self._columns.append(columns)
        if block.layout == TABLE:
            gap, at, stops = metrics.horizontalAdvance("  00"), 0, []
            for width in columns:
                at += width + gap
                stops.append(at)
        elif block.layout == BESIDE:  # the names from the edge, a space, the numbers
            stops = [columns[0] + metrics.horizontalAdvance(" ") + columns[1]]
        else:  # ABOVE: the numbers only, under their names
            stops = [columns[1]]
        row_format = QTextBlockFormat()
        row_format.setTabPositions([QTextOption.Tab(at, QTextOption.RightTab)
                                    for at in stops])
        # A table scrolls sideways rather than wrap a row; the narrow layouts are set
        # only where they fit, and would sooner wrap than scroll.
        row_format.setNonBreakableLines(block.layout == TABLE)
        header = QTextBlockFormat(row_format)
        header.setTopMargin(6)
        plain, bold = self._char_format(False, False), self._char_format(False, True)
        grey = self.palette().color(QPalette.PlaceholderText)
        title = QTextCharFormat(plain)
        title.setForeground(grey)
        cursor.insertBlock(header, plain)
        for head in block.heads[block.layout != TABLE:]:  # the names' column has none
            cursor.insertText("\t", plain)
            if isinstance(head, Num):
                self._number(cursor, head, title)
            else:
                cursor.insertHtml(f"<span style='color:{grey.name()}'>{head}</span>")
        for row in block.rows:
            cursor.insertBlock(row_format, plain)
            for cell in row:
                if isinstance(cell, Num):
                    cursor.insertText("\t", plain)
                    self._number(cursor, cell, bold if cell.bold else plain)
                    continue
                # a row's label: rich text (a factor's ∂ symbol) or plain
                if block.layout == TABLE:
                    cursor.insertText("\t", plain)
                    cursor.insertHtml(cell)
                else:
                    cursor.insertHtml(unbroken(cell))
                    if block.layout == ABOVE:
                        cursor.insertBlock(row_format, plain)
        if block.more:
            cursor.insertBlock(QTextBlockFormat(), plain)
            cursor.insertText(f"… and {block.more:,} more samples, all in the sum below.",
                              plain)

    def _keep_heights(self, numbers: set[int]) -> None:
        """Each paragraph (numbered) kept as tall as it has been since the text took its
        shape, a line it no longer needs left blank under it: xor's
        "new w = old − step size = …" took three lines or four as its numbers' widths
        changed, the text under it jumped and the scroll bar's range changed (repainted,
        ~2 ms) every other Step in presenter mode."""
        document = self.document()
        layout = document.documentLayout()
        cursor = None
        for number in sorted(numbers):
            block = document.findBlockByNumber(number)
            spacing = block.blockFormat()
            height = layout.blockBoundingRect(block).height()  # its lines (no margins)
            tallest = self._tallest_seen[number] = max(height, self._tallest_seen.get(
                number, 0.0))
            if abs(spacing.bottomMargin() - (tallest - height)) < 0.5:
                continue
            if cursor is None:
                cursor = QTextCursor(document)
                cursor.beginEditBlock()
            cursor.setPosition(block.position())
            spacing.setBottomMargin(tallest - height)
            cursor.setBlockFormat(spacing)
        if cursor is not None:
            cursor.endEditBlock()

    def _swap(self, parts: list) -> None:
        """Replace each part that changed in place, from the last to the first so that
        the positions still to visit do not move; then record where each one ends up."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        lengths = []
        for (start, length, old, fmt), new in zip(reversed(self._slots), reversed(parts),
                                                  strict=True):
            if new != old:
                cursor.setPosition(start)
                cursor.setPosition(start + length, QTextCursor.KeepAnchor)
                if isinstance(new, Num):
                    cursor.insertText(new.text, fmt)
                else:
                    cursor.removeSelectedText()
                    self._rich(cursor, new, fmt)
                length = cursor.position() - start
            lengths.append(length)
        cursor.endEditBlock()
        self._keep_heights(set(range(self.document().blockCount())) if not self._tallest_seen
                           else {self.document().findBlock(start).blockNumber()
                                 for (start, _, old, _), new in zip(self._slots, parts,
                                                                    strict=True)
                                 if new != old})
        shift, slots = 0, []
        for (start, old_length, _, fmt), new, length in zip(self._slots, parts,
                                                            reversed(lengths), strict=True):
            slots.append((start + shift, length, new, fmt))
            shift += length - old_length
        self._slots = slots
