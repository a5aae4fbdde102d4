"""One field per weight and bias (objectName param_<name>) with a trainable checkbox
(trainable_<name>). A typed value that is not a usable number is refused, the old
value comes back, and the status bar says why. In a locked lesson the fields of the
parameters the teacher kept are read-only (they still select their parameter), and the
checkboxes are off limits unless students may choose what trains.

After a step only the fields in view are rewritten (a big network lists 150, about 15
show); the others are rewritten as they scroll into view.

The list shows whole rows only: every row (the column titles too) is one pitch tall, the
view is a whole number of pitches high (what is left over stays blank below it) and the
scroll bar stops on row boundaries, so no field is ever cut in half at an edge."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from gui.kit.locking import show_locked
from gui.kit.maths_text import name_html
from gui.kit.throttle import RUN_REFRESH_S, LiveRefresh
from gui.session import Session

_FOCUS_IN, _KEY_PRESS = QEvent.FocusIn, QEvent.KeyPress
_VIEWPORT_CHANGED = (QEvent.Resize, QEvent.Show)
_LOOKS_CHANGED = (QEvent.FontChange, QEvent.StyleChange)  # zoom, theme: new row heights

MAX_FIELDS = 150  # a field per parameter up to here; past it a filter picks which
FIELD_ROOM = "-0.00000"  # the least a value field shows whole (longer values scroll in it)


def selected_html(name: str) -> str:
    """The selected parameter's name: marked and bold."""
    return f"▶ <b>{name_html(name)}</b>"


class ParametersPanel(QWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("parametersPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit()
        self.filter.setObjectName("parameterFilter")
        # Short: the whole of it shows in the narrowest dock (a longer one was cut).
        self.filter.setPlaceholderText("filter by name…")
        self.filter.setToolTip("A big network has too many parameters to list: type part of "
                               f"a name (w2, b1_) to list up to {MAX_FIELDS} of them")
        self.filter.textChanged.connect(self.rebuild)
        lay.addWidget(self.filter)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # The range changes whenever the list's or the view's height does (a resize, a
        # new network, a zoom), and only then: not on a Step.
        self.scroll.verticalScrollBar().rangeChanged.connect(self._fit_rows)
        self.scroll.verticalScrollBar().valueChanged.connect(self._snap_to_row)
        self.scroll.verticalScrollBar().valueChanged.connect(self._show_stale)
        self.scroll.viewport().installEventFilter(self)
        lay.addWidget(self.scroll)
        # Below the list, not its last row: the list then ends on a whole row.
        self.more = QLabel()
        self.more.setWordWrap(True)  # on one line it was wider than the dock: a side scroll
        lay.addWidget(self.more)
        self._pitch = 0  # a row and the spacing under it, in pixels; 0 before layout
        self._stale: set[str] = set()  # fields whose numbers changed while out of view
        self.session = session
        self.fields: dict[str, QLineEdit] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}
        session.lessonChanged.connect(self._new_lesson)
        self.live = LiveRefresh(self, self.refresh, RUN_REFRESH_S, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self._show_selection)
        session.lockChanged.connect(self._show_lock)
        self.rebuild()

    def _new_lesson(self) -> None:
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self.rebuild()

    def shown_names(self) -> list[str]:
        """Every parameter of a small network; of a big one, the selected one and those
        matching the filter, at most MAX_FIELDS."""
        names = self.session.network.param_names
        self.filter.setVisible(len(names) > MAX_FIELDS)
        if len(names) <= MAX_FIELDS:
            return names
        text = self.filter.text().strip()
        matching = [n for n in names if text in n] if text else names
        chosen = matching[:MAX_FIELDS]
        if self.session.selected not in chosen:
            chosen = [self.session.selected, *chosen[:MAX_FIELDS - 1]]
        return chosen

    def rebuild(self, *_) -> None:
        s = self.session
        body = QWidget()
        grid = QGridLayout(body)
        grid.setColumnStretch(1, 1)
        margins = grid.contentsMargins()
        # No top margin and a spacing's worth at the bottom: the body is then a whole
        # number of pitches tall, so the end of the list is a row boundary too.
        grid.setContentsMargins(margins.left(), 0, margins.right(), grid.verticalSpacing())
        for col, text in enumerate(("", "value", "train")):
            head = QLabel(f"<i>{text}</i>")
            grid.addWidget(head, 0, col)
        self.fields, self.checks, self.labels = {}, {}, {}
        self._stale = set()  # of the old fields: refresh() below marks the new ones
        names = self.shown_names()
        for row, name in enumerate(names, start=1):
            label = QLabel(name_html(name))
            self.labels[name] = label
            field = QLineEdit()
            field.setObjectName(f"param_{name}")
            field.setToolTip(f"{name}: type a number and press Enter. The slope and the "
                             "step size follow at once.")
            field.editingFinished.connect(lambda n=name: self._commit(n))
            # Enter hands the keyboard back to the window: Space steps again at once.
            field.installEventFilter(self)
            check = QCheckBox()
            check.setObjectName(f"trainable_{name}")
            check.setToolTip(f"Train {name}: when unticked, gradient descent leaves it alone.")
            check.toggled.connect(lambda on, n=name: self._set_trainable(n, on))
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(check, row, 2, alignment=Qt.AlignCenter)
            self.fields[name], self.checks[name] = field, check
        hidden = len(s.network.param_names) - len(names)
        self.more.setText(f"<i>{hidden} more: type in the filter above</i>")
        self.more.setVisible(hidden > 0)
        grid.setRowStretch(len(self.fields) + 1, 1)
        self.scroll.setWidget(body)
        self._even_rows()
        self.refresh()
        self._show_lock()
        self._show_selection(s.selected)

    def _show_lock(self) -> None:
        s = self.session
        may_train = s.may_change("trainable")
        for name, field in self.fields.items():
            show_locked(field, not s.may_edit_param(name), read_only=True,
                        tip=f"{name} is locked by the teacher: its value shows here but "
                            "cannot be typed in this lesson (Edit → Unlock lesson… lifts "
                            "the lock)")
            show_locked(self.checks[name], not may_train)

    def refresh(self) -> None:
        self._stale = set(self.fields)
        self._show_stale()

    def _show_stale(self, *_) -> None:
        """Rewrite the stale fields now in the scroll area's view (all of them before it
        is laid out: every field is then at the top)."""
        if not self._stale:
            return
        body = self.scroll.widget()
        top = -body.y() if body is not None else 0
        bottom = top + self.scroll.viewport().height()
        shown = [n for n in self._stale if top <= self.fields[n].geometry().bottom()
                 and self.fields[n].geometry().top() <= bottom]
        self._stale.difference_update(shown)
        s = self.session
        for name in shown:
            field = self.fields[name]
            if not field.hasFocus() or not field.isModified():
                text = fmt(s.value(name), 8)
                if text != field.text():  # an unchanged field need not repaint
                    field.setText(text)
                    if not field.hasFocus():
                        # its start in view: a value wider than a small window's field
                        # showed its end ("87697132" for −0.087697132), sign and all gone
                        field.setCursorPosition(0)
                field.setModified(False)
            check = self.checks[name]
            check.blockSignals(True)
            check.setChecked(s.is_trainable(name))
            check.blockSignals(False)

    def eventFilter(self, obj, event):
        kind = event.type()  # sees every event of every field: keep it cheap
        if kind == _FOCUS_IN:
            for name, field in self.fields.items():
                if field is obj:
                    self.session.select(name)
        elif kind in _VIEWPORT_CHANGED and obj is self.scroll.viewport():
            self._show_stale()
        elif kind == _KEY_PRESS and isinstance(obj, QLineEdit) and obj.isReadOnly() \
                and event.text().isprintable() and event.text():
            # Typing into a locked parameter: the Session's refusal says why nothing happens.
            name = next(n for n, f in self.fields.items() if f is obj)
            self.session.set_param(name, event.text())
        return False

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in _LOOKS_CHANGED:
            self._even_rows()

    def _even_rows(self) -> None:
        """The column titles' row as tall as a field's, so every row has the same pitch
        (the fields are the tallest things in a row); and the panel never narrower than
        a row: a name, a field showing FIELD_ROOM whole, and the train box."""
        body = self.scroll.widget()
        if body is None or not self.fields:
            return
        field = next(iter(self.fields.values()))
        body.layout().setRowMinimumHeight(0, field.sizeHint().height())
        # Qt's dock layout took a restored window's missing width from this dock first:
        # at 1000x650 it was 70 px, "Pa…", the values cut and the train boxes hidden.
        margins = field.textMargins()
        room = (field.fontMetrics().horizontalAdvance(FIELD_ROOM) + margins.left()
                + margins.right() + 12)  # the field's frame and Qt's own text margin
        for each in self.fields.values():
            each.setMinimumWidth(room)
        # The names' column as wide as the longest name marked selected: it neither
        # grows past the minimum below nor moves the fields when the selection moves.
        longest = max(self.labels, key=len)
        body.layout().setColumnMinimumWidth(0, QLabel(selected_html(longest)).sizeHint().width())
        body.layout().activate()
        frame = 2 * self.scroll.frameWidth()
        self.scroll.setMinimumWidth(body.minimumSizeHint().width() + frame
                                    + self.scroll.verticalScrollBar().sizeHint().width())

    def _fit_rows(self, *_) -> None:
        """Make the view a whole number of rows high (the rest of the height left blank
        under it), and the scroll bar's arrows and wheel move by whole rows. Runs when the
        view or the rows change size, never on a Step."""
        body = self.scroll.widget()
        fields = list(self.fields.values())
        if body is None or len(fields) < 2 or fields[1].y() <= fields[0].y():
            return  # nothing to scroll, or not laid out yet
        self._pitch = fields[1].y() - fields[0].y()
        bar = self.scroll.verticalScrollBar()
        bar.setSingleStep(max(1, self._pitch))
        blank = self.scroll.viewportMargins().bottom()
        height = self.scroll.viewport().height() + blank  # all the view might have
        needs_scrolling = body.sizeHint().height() > height
        fitted = height % self._pitch if needs_scrolling and height > self._pitch else 0
        if fitted != blank:
            self.scroll.setViewportMargins(0, 0, 0, fitted)

    def _snap_to_row(self, value: int) -> None:
        """Stop on a row boundary, rounding down the list: every row wholly in view
        before stays wholly in view (so a field brought into view for the keyboard is)."""
        bar = self.scroll.verticalScrollBar()
        if self._pitch > 0 and value % self._pitch and value != bar.maximum():
            bar.setValue(min(bar.maximum(), math.ceil(value / self._pitch) * self._pitch))

    def _commit(self, name: str) -> None:
        field = self.fields[name]
        if not field.isModified():  # Enter on the value shown: confirmed as it is
            self.session.keep_as_is()
            return
        field.setModified(False)
        if not self.session.set_param(name, field.text()):
            field.setText(fmt(self.session.value(name), 8))
        if not field.hasFocus():
            field.setCursorPosition(0)

    def _set_trainable(self, name: str, on: bool) -> None:
        if not self.session.set_trainable(name, on):
            self.refresh()  # refused: the box shows what trains

    def _show_selection(self, name: str) -> None:
        if name not in self.fields:  # a big network: bring the selected one into the list
            self.rebuild()
            return
        """The selected parameter's name is marked and bold (no style sheet: it would
        fix the field's colours and font against the theme and zoom)."""
        for n, label in self.labels.items():
            label.setText(selected_html(n) if n == name else name_html(n))
