"""The network drawn as the articles draw it: inputs on the left, the output on the
right, every connection and bias labelled with its name and value. Colour shows the
sign (blue +, orange −), thickness the size. Hover for value, slope and formula; click
to select a parameter everywhere."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QToolTip,
)

from engine.diagram import (
    FIT_MARGIN,
    LABEL_POINTS,
    NAME_GAP,
    NODE_FILL,
    NODE_LINE,
    WIDEST_VALUE,
    FittedLayouts,
    Layout,
    NodeKey,
    caption_box,
    edge_width,
    label_text,
    largest_magnitude,
    network_layout,
    node_description,
    overlay_labels,
)
from engine.diagram import INK as INK_HEX
from engine.diagram import NEGATIVE as NEGATIVE_HEX
from engine.diagram import POSITIVE as POSITIVE_HEX
from engine.explain import signed
from gui.kit.throttle import RUN_REFRESH_S, LiveRefresh
from gui.session import Session

POSITIVE, NEGATIVE, SELECTED = QColor(POSITIVE_HEX), QColor(NEGATIVE_HEX), QColor("#d62728")
INK = QColor(INK_HEX)  # value labels sit on a white box in every theme
# Issue 13's floor for a word of the drawing on screen: where the usual drawing's are
# smaller (a small window), the view's own fitted drawing is chosen, as in presenter mode.
MIN_WORD_PX = 9.0
# Smaller still (the fitted drawing too, in a window smaller yet), the nodes' words are
# not written: a blur is no help. Each node's tooltip gives its full name.
MIN_SHOWN_WORD_PX = 7.0
# Words no higher on screen than this: past 64 px Qt draws each glyph as an outline, not
# from its glyph cache (~20x slower; a small network's words in presenter mode at
# 1920x1080 were 65-70 px, ~1 ms of every Step). Still over 1.5x the normal layout's.
MAX_WORD_PX = 62.0


class ValueLabel(QGraphicsRectItem):
    """"w1 = 3.34" on a pale backing, so it stays readable where it crosses a line."""

    def __init__(self, name: str, at: QPointF, font: QFont):
        super().__init__()
        self.name, self.at = name, at
        self.setData(0, name)
        self.setPen(Qt.NoPen)
        self.setBrush(QColor(255, 255, 255, 225))
        self.text = QGraphicsSimpleTextItem(self)
        self.text.setFont(font)
        self.text.setData(0, name)
        self.setZValue(2)

    def show_value(self, text: str, colour: QColor) -> None:
        self.text.setText(text)
        self.text.setBrush(QBrush(colour))
        r = self.text.boundingRect().adjusted(-3, -1, 3, 1)
        self.setRect(r)
        # centred on `at` (the backing starts 3 left of and 1 above the text's own
        # origin: placed by its origin it sat that far off the place chosen for it, over
        # the next line in presenter mode's closed-up drawing)
        self.setPos(self.at - r.center())


class NetworkView(QGraphicsView):
    # Presenter mode drew the network again for the view's new shape while a Step phase's
    # picture was on it: the picture went with the old drawing and is to be placed anew.
    redrawn = Signal()

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("networkView")
        self.setRenderHint(QPainter.Antialiasing)
        self.setScene(QGraphicsScene(self))
        self.setMouseTracking(True)
        # The whole drawing is always fitted to the view: it never needs a scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.session = session
        self.ink = QColor("#111")
        self.edges: dict[str, QGraphicsLineItem] = {}
        self.shown: dict = {}  # item -> what it draws now
        self.labels: dict[str, ValueLabel] = {}
        self.overlays: list[ValueLabel] = []  # the flow animation's temporary labels
        # Presenter mode: the drawing closed up or spread out to the view's shape, chosen
        # again on a resize from these (computed once per lesson, font and theme).
        self.fits_view = False
        self.fitted: FittedLayouts | None = None
        self.layout: Layout | None = None
        self._choose_later = QTimer(self)
        self._choose_later.setSingleShot(True)
        self._choose_later.setInterval(0)
        self._choose_later.timeout.connect(self._choose)
        session.lessonChanged.connect(self.rebuild)
        self.live = LiveRefresh(self, self.refresh, RUN_REFRESH_S, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self.refresh)
        self.rebuild()

    # --- layout ------------------------------------------------------------------
    def rebuild(self) -> None:
        """A new network, or the font changed: drawn with room for its values."""
        net = self.session.network
        # the value each label keeps room for (with WIDEST_VALUE): its widest seen since
        self.widest = dict(zip(net.param_names, net.params.tolist(), strict=True))
        self._relayout()

    def _relayout(self) -> None:
        # Scene units, not screen points: the view scales the whole drawing to fit, so a
        # bigger window (or presenter mode's bigger diagram) gives bigger labels without
        # crowding them: where labels sit in the drawing never depends on the zoom.
        font = QFont(self.font())
        font.setPointSizeF(LABEL_POINTS)
        metrics = QFontMetricsF(font)

        def measured_at(scale: float):  # as _draw will write them: in a font that size
            at = QFont(font)
            at.setPointSizeF(LABEL_POINTS * scale)
            scaled = QFontMetricsF(at)
            return scaled.horizontalAdvance, scaled.height()
        net = self.session.network
        self.usual = network_layout(net, metrics.horizontalAdvance, metrics.height(),
                                    self.widest)
        self.fitted = None  # made when a view first needs it (~30-60 ms)

        def fitted() -> FittedLayouts:
            if self.fitted is None:
                self.fitted = FittedLayouts(net, metrics.horizontalAdvance, metrics.height(),
                                            self.widest, measured_at, self.usual)
            return self.fitted
        self._fitted_layouts = fitted
        self._draw(self._layout_for_view())

    def _layout_for_view(self) -> Layout:
        """Presenter mode's drawing fitted to the view's shape; else the usual one, or
        where its words would come out under MIN_WORD_PX (a small window: moons' eight
        stacked neurons left their words 5 px high at 907x533), the fitted drawing whose
        words come out largest. The usual drawing is judged before the view is shown."""
        view = self._view_size()
        # (its words are judged by its outline; what is fitted also holds the first
        # values' labels, and they came out up to 2 % smaller: 8.9 px for 9.0)
        if not self.fits_view and (not self.isVisible() or self.word_px(self.usual)
                                   >= MIN_WORD_PX * 1.03):
            return self.usual
        return self._fitted_layouts().for_view(view)

    def word_px(self, layout: Layout) -> float:
        """How many pixels high the drawing's words come out when `layout` is fitted into
        this view (its font's size on screen, as the drawing's zoom makes it)."""
        return self.word_px_at(layout, self._view_size())

    def _view_size(self) -> tuple[float, float]:
        size = self.viewport().size()
        return (max(1, size.width()), max(1, size.height()))

    def _draw(self, layout: Layout) -> None:
        font = QFont(self.font())
        font.setPointSizeF(LABEL_POINTS * layout.text_scale)
        scene = self.scene()
        scene.clear()
        self.layout = layout
        radius = layout.radius
        self.edges, self.labels, self.shown = {}, {}, {}
        self.node_items: list[QGraphicsItem] = []  # the nodes and their names
        if layout.bundled:
            self._draw_as_bundles(layout.columns, radius)
        for edge in layout.edges:
            line = scene.addLine(edge.start[0] + radius, edge.start[1], edge.end[0] - radius,
                                 edge.end[1])
            line.setData(0, edge.name)
            line.setZValue(-1)
            self.edges[edge.name] = line
        self.overlays, self.placed = [], ()
        # the overlays are written and placed in the drawing's own (fitted) font
        self.font_for_labels, self.metrics = font, QFontMetricsF(font)
        width = self.metrics.horizontalAdvance
        self.room = {label.name: max(width(f"{label.name} = {WIDEST_VALUE}"),
                                     width(label_text(label.name, self.widest[label.name])))
                     for label in layout.labels}
        for n in layout.nodes:
            p = QPointF(*n.centre)
            node = QGraphicsEllipseItem(p.x() - radius, p.y() - radius, 2 * radius, 2 * radius)
            node.setBrush(QBrush(QColor(NODE_FILL)))
            node.setPen(QPen(QColor(NODE_LINE), 2))
            node.setData(1, node_description(self.session.network, n))
            scene.addItem(node)
            self.node_items.append(node)
            if n.left:
                name = scene.addSimpleText(n.left, font)
                name.setBrush(self.ink)
                r = name.boundingRect()
                name.setPos(p.x() - radius - NAME_GAP - r.width(), p.y() - r.height() / 2)
                self.node_items.append(name)
            label = scene.addSimpleText(n.text, font)
            r = label.boundingRect()
            label.setPos(p.x() - r.width() / 2, p.y() - r.height() / 2)
            self.node_items.append(label)
            if n.right:
                out = scene.addSimpleText(n.right, font)
                out.setBrush(self.ink)
                out.setPos(p.x() + radius + NAME_GAP, p.y() - out.boundingRect().height() / 2)
                self.node_items.append(out)
        for placed in layout.labels:
            self._label(placed.name, QPointF(*placed.centre), font)
        # The nodes and their names never change with a Step, but the value labels and
        # lines around them do, and each repaint drew them again (text laid out anew
        # every time): drawn once into a pixmap each, at the view's scale, they are copied.
        for item in self.node_items:
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        # What is fitted to the view: the layout's outline, which keeps each label room
        # for a value of WIDEST_VALUE (fitted to the labels' first values instead, a
        # label cut at the view's edge a Step later: "b1 = 1.2" became "b1 = 0.5664"),
        # and whatever the first values need beyond it. (No rectangle yet while the
        # labels are first written: refresh() then knows a drawing is under way.)
        self.drawing = QRectF()
        self.refresh()
        b, margin = layout.bounds, FIT_MARGIN
        self.drawing = QRectF(b.left, b.top, b.width, b.height).united(
            scene.itemsBoundingRect()).adjusted(-margin, -margin, margin, margin)
        self._fit()

    def _draw_as_bundles(self, columns, radius: float) -> None:
        """Thousands of weights: one thin grey path per layer (one item to draw, nothing to
        update each step); single weights are chosen in the parameter list instead."""
        net = self.session.network
        for layer, w in enumerate(net.weights):
            path = QPainterPath()
            for b in columns[layer + 1]:
                for a in columns[layer]:
                    path.moveTo(a[0] + radius, a[1])
                    path.lineTo(b[0] - radius, b[1])
            item = self.scene().addPath(path, QPen(QColor(150, 150, 150, 60), 1))
            item.setZValue(-1)
            # Kept as a picture at the view's pixels, drawn again only when the view's
            # scale changes: 4,096 translucent lines took ~38 ms at every repaint of the
            # view (a selection, a hover, a phase of the flow); the picture ~1 ms.
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            item.setToolTip(f"{w.size} weights from layer {layer} to layer {layer + 1}: too "
                            "many to draw one by one. Pick one in the Parameters list.")

    def _label(self, name: str, at: QPointF, font: QFont) -> None:
        label = ValueLabel(name, at, font)
        self.scene().addItem(label)
        self.labels[name] = label

    def set_look(self, theme: str, presenter: bool) -> None:
        """Node fill, outlines and text that read on the theme's background; in presenter
        mode the drawing fitted to the view's shape, its words as large as it allows."""
        self.fits_view = presenter
        self.set_theme(theme)

    def set_theme(self, theme: str) -> None:
        """Node fill, outlines and text that read on the theme's background."""
        dark = theme in ("dark", "high contrast")
        self.ink = QColor("#f0f0f0" if dark else "#111")
        self.setBackgroundBrush(QColor("#000" if theme == "high contrast" else
                                       "#1e1e1e" if dark else "#fff"))
        self._relayout()

    # --- values ------------------------------------------------------------------
    def refresh(self) -> None:
        s = self.session
        if not self.edges and not self.labels:
            return
        largest = largest_magnitude(s.network.params)
        shown = self.shown  # what each item draws now: unchanged items are not redrawn
        for name, line in self.edges.items():
            v = s.value(name)
            colour = SELECTED if name == s.selected else (POSITIVE if v >= 0 else NEGATIVE)
            width = edge_width(v, largest)  # in half steps: most Steps restyle nothing
            if shown.get(line) != (colour.rgb(), width):
                shown[line] = (colour.rgb(), width)
                line.setPen(QPen(colour, width, Qt.SolidLine, Qt.RoundCap))
        outgrown = False
        for name, label in self.labels.items():
            v = s.value(name)
            room = self.room[name]
            text = label_text(name, v, lambda t, room=room: self.metrics.horizontalAdvance(t)
                              <= room)
            colour = SELECTED if name == s.selected else INK
            if shown.get(label) != (text, colour.rgb()):
                shown[label] = (text, colour.rgb())
                label.show_value(text, colour)
                if self.metrics.horizontalAdvance(text) > room:
                    self.widest[name], outgrown = v, True
        if outgrown:
            # A value too wide for its label's room at one figure (-1e+300 typed in):
            # laid out anew with room for it from now on, not drawn over its neighbours
            # or cut (after the drawing under way, when it is one: a resize in a Run).
            if self.drawing.isNull():
                QTimer.singleShot(0, self._relayout)
            else:
                self._relayout()

    # --- overlays for the flow animation -------------------------------------------
    def clear_overlays(self) -> None:
        if not self.overlays:  # the usual case, on every step of a Run
            return
        for item in self.overlays:
            self.scene().removeItem(item)
        self.overlays, self.placed = [], ()
        for label in self.labels.values():
            label.show()
        self._fit()

    def show_overlays(self, wanted: list[tuple[str | NodeKey, str, QColor]]) -> list[str]:
        """A moment's numbers in place of the value labels, each by the neuron (column,
        neuron) or parameter it is about, where engine.diagram.overlay_labels puts it;
        returns the texts it found no room for."""
        for value_label in self.labels.values():
            value_label.hide()
        placed, missing = overlay_labels(
            self.session.network, self.layout, [(key, text) for key, text, _ in wanted],
            self.metrics.horizontalAdvance, self.metrics.height())
        for label in placed:
            box = label.box
            self._overlay(label.text, wanted[label.index][2],
                          QPointF(box.left + box.width / 2, box.top + box.height / 2))
        self.placed = placed
        self._fit()
        return [wanted[k][1] for k in missing]

    def show_caption(self, text: str, colour: QColor) -> None:
        """A few lines that say what is shown, above everything drawn."""
        label = self._overlay(text, colour, QPointF(0, 0))
        r = label.rect()
        box = caption_box(self.layout, self.placed, r.width(), r.height(),
                               self.metrics.horizontalAdvance, self.metrics.height())
        label.at = QPointF(box.left + box.width / 2, box.top + box.height / 2)
        label.show_value(text, colour)
        self.overlays.insert(0, self.overlays.pop())  # the caption first, as it is read
        self._fit()

    def _overlay(self, text: str, colour: QColor, at: QPointF) -> ValueLabel:
        label = ValueLabel("", at, self.font_for_labels)
        label.setZValue(5)
        self.scene().addItem(label)
        label.show_value(text, colour)
        self.overlays.append(label)
        return label

    def _fit(self) -> None:
        """The drawing as big as the view allows, and whatever the overlays add (a
        caption above it) inside the view too: they widen what is fitted only when they
        would not be whole in the drawing's own fit (a caption above the diagram was cut
        off in presenter mode, seen in a real window)."""
        whole = QRectF(self.drawing)
        for item in self.overlays:
            whole = whole.united(item.sceneBoundingRect().adjusted(-10, -10, 10, 10))
        self.scene().setSceneRect(whole)
        self.fitInView(self.drawing, Qt.KeepAspectRatio)
        if not self.mapToScene(self.viewport().rect()).boundingRect().contains(whole):
            self.fitInView(whole, Qt.KeepAspectRatio)
        if self.word_px_on_screen() > MAX_WORD_PX:  # centred, a little smaller
            factor = MAX_WORD_PX / self.word_px_on_screen()
            self.scale(factor, factor)
        shown = self.word_px_on_screen() >= MIN_SHOWN_WORD_PX
        for item in self.node_items:
            if isinstance(item, QGraphicsSimpleTextItem):
                item.setVisible(shown)

    def room_for_words(self, px: float, most: tuple[float, float]) -> tuple[float, float]:
        """Presenter mode: the view, grown from this one in width first (up to `most`'s),
        then in height, whose fitted drawing writes words `px` high (`most` if none)."""
        fitted = self._fitted_layouts()

        def words(width: float, height: float) -> float:
            return self.word_px_at(fitted.for_view((width, height)), (width, height))
        width, height = self._view_size()
        while words(width, height) < px and width < most[0]:  # across
            width = min(width + 10, most[0])
        while words(width, height) < px and height < most[1]:  # then down
            height = min(height + 10, most[1])
        return width, height

    def spare_height(self, px: float, wider: float = 0) -> float:
        """Presenter mode: how much less high the view could be, at its width (or `wider`
        pixels wider), with its fitted drawing still writing words `px` high (0 if they
        are smaller already)."""
        return self._spare(px, wider, across=False)

    def spare_width(self, px: float) -> float:
        """Presenter mode: how much narrower the view could be, at its height, with its
        fitted drawing still writing words `px` high (0 if they are smaller already)."""
        return self._spare(px, 0.0, across=True)

    def _spare(self, px: float, wider: float, across: bool) -> float:
        fitted = self._fitted_layouts()
        width, height = self._view_size()
        width += wider

        def words(less: float) -> float:
            view = (width - less, height) if across else (width, height - less)
            return self.word_px_at(fitted.for_view(view), view)
        whole = width if across else height
        less = 0.0
        while whole - less > 20 and words(less + 10) >= px:
            less += 10
        return less

    def word_px_at(self, layout: Layout, view: tuple[float, float]) -> float:
        """How many pixels high `layout`'s words come out fitted into a view this size
        (no higher than MAX_WORD_PX, as `_fit` draws them: presenter mode's room for the
        words is asked and given by what they will be)."""
        return min(MAX_WORD_PX, LABEL_POINTS * self.logicalDpiY() / 72
                   * layout.text_size(view))

    def word_px_on_screen(self) -> float:
        """How many pixels high the drawing's words are written now."""
        return (self.font_for_labels.pointSizeF() * self.logicalDpiY() / 72
                * self.transform().m11())

    # --- interaction -------------------------------------------------------------
    def _param_at(self, pos) -> str | None:
        for item in self.items(pos):
            name = item.data(0)
            if isinstance(name, str) and name in self.session.network.index:
                return name
        # Thin lines are hard to hit: look a few pixels around.
        for dx, dy in ((4, 0), (-4, 0), (0, 4), (0, -4)):
            for item in self.items(pos.x() + dx, pos.y() + dy):
                name = item.data(0)
                if isinstance(name, str) and name in self.session.network.index:
                    return name
        return None

    def mousePressEvent(self, event) -> None:
        name = self._param_at(event.position().toPoint())
        if name:
            self.session.select(name)
        super().mousePressEvent(event)

    def viewportEvent(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            name = self._param_at(event.pos())
            node = next((item.data(1) for item in self.items(event.pos())
                         if isinstance(item.data(1), str)), None)
            if name:
                QToolTip.showText(event.globalPos(), self.tooltip_text(name), self)
            elif node:
                QToolTip.showText(event.globalPos(), node, self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_text(self, name: str) -> str:
        s = self.session
        if s.quiz_active:  # the slope is what the students work out
            return f"{name} = {signed(s.value(name), 6)}\nClick to choose it for the quiz."
        b = s.breakdown(name)
        path = b.paths[0]
        formula = " × ".join(f.formula for f in path.factors)
        first = " × ".join(f"({signed(f.values[0], 4)})" for f in path.factors)
        more = f" (+{len(b.paths) - 1} more paths)" if len(b.paths) > 1 else ""
        # the slope is the trainer's (as the breakdown panel's): b.slope forms every path
        return (f"{name} = {signed(s.value(name), 6)}\n{b.symbol} = {signed(s.grad(name), 6)}\n"
                f"= Σ {formula}{more}\nsample 1: {first}\nClick to show its breakdown.")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fits_view:  # presenter mode: another shape may suit the view better now
            self._choose()
        # A small window's larger words: chosen once the resizes of a layout settle, not
        # at each of the passing sizes the docks go through (each may cost a new layout).
        else:
            self._choose_later.start()
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._choose_later.start()

    def _choose(self) -> None:
        best = self._layout_for_view()
        if best is not self.layout:
            shown = bool(self.overlays)
            self._draw(best)
            if shown:  # a Step phase's picture was on the old drawing
                self.redrawn.emit()
