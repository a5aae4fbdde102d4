"""The network drawn as the articles draw it: inputs on the left, the output on the
right, every connection and bias labelled with its name and value. Colour shows the
sign (blue +, orange −), thickness the size. Hover for value, slope and formula; click
to select a parameter everywhere."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QToolTip,
)

from engine.explain import fmt
from gui.kit.throttle import RUN_REFRESH_S, LiveRefresh
from gui.session import Session

POSITIVE, NEGATIVE, SELECTED = QColor("#1f77b4"), QColor("#e8710a"), QColor("#d62728")
INK = QColor("#111")  # value labels sit on a white box in every theme
RADIUS, COLUMN, ROW = 34.0, 260.0, 170.0
LABEL_POINTS = 13.0  # in scene units
WIDEST_VALUE = "-0.1234"  # the room a label keeps for its value (4 significant figures)
ALONG = (0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58, 0.3, 0.7, 0.2, 0.8)  # along an edge
BIAS_SPOTS = ((0, RADIUS + 16), (0, RADIUS + 40), (0, -RADIUS - 16), (RADIUS + 50, RADIUS),
              (-RADIUS - 50, RADIUS))  # around the node, best first
MAX_LABELLED_EDGES = 24  # past this the labels cover each other (2-8-2 has 32)
MAX_DRAWN_EDGES = 600  # past this each weight is not its own item (see _draw_as_bundles)


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
        self.setPos(self.at.x() - r.width() / 2, self.at.y() - r.height() / 2)


class NetworkView(QGraphicsView):
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
        self.node_pos: dict[tuple[int, int], QPointF] = {}  # (column, neuron) -> centre
        self.overlays: list[ValueLabel] = []  # the flow animation's temporary labels
        session.lessonChanged.connect(self.rebuild)
        self.live = LiveRefresh(self, self.refresh, RUN_REFRESH_S, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self.refresh)
        self.rebuild()

    # --- layout ------------------------------------------------------------------
    def _positions(self, labelled: bool, bundled: bool) -> list[list[QPointF]]:
        net = self.session.network
        columns = [net.inputs, *net.sizes]
        tallest = max(columns)
        row = ROW * min(1.0, 6 / tallest)
        if not (labelled or bundled):
            # No labels along the edges need the room between nodes: a tall column
            # (moons' 8 tanh) closes up so the drawing is fitted larger and the names in
            # the nodes stay readable (at 127 apart they were 6.4 px on a 1280x800 screen).
            row = max(2 * RADIUS + 14, ROW * min(1.0, 4 / tallest))
        return [[QPointF(c * COLUMN, (j - (n - 1) / 2) * row)
                 for j in range(n)] for c, n in enumerate(columns)]

    def rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self.edges, self.labels, self.shown = {}, {}, {}
        self.node_items: list[QGraphicsEllipseItem] = []
        net, names = self.session.network, self.session.network.names
        n_edges = sum(w.size for w in net.weights)
        pos = self._positions(n_edges <= MAX_LABELLED_EDGES, n_edges > MAX_DRAWN_EDGES)
        # Scene units, not screen points: the view scales the whole drawing to fit, so a
        # bigger window (or presenter mode's bigger diagram) gives bigger labels without
        # crowding them: where labels sit in the drawing never depends on the zoom.
        font = QFont(self.font())
        font.setPointSizeF(LABEL_POINTS)
        wishes = []  # (parameter, the places its label may go, best first)
        if n_edges > MAX_DRAWN_EDGES:
            self._draw_as_bundles(pos)
        for layer, w in enumerate(net.weights if n_edges <= MAX_DRAWN_EDGES else []):
            for j in range(w.shape[0]):
                for i in range(w.shape[1]):
                    name = names.weights[layer][j][i]
                    a, b = pos[layer][i], pos[layer + 1][j]
                    line = scene.addLine(a.x() + RADIUS, a.y(), b.x() - RADIUS, b.y())
                    line.setData(0, name)
                    line.setZValue(-1)
                    self.edges[name] = line
                    if n_edges <= MAX_LABELLED_EDGES:
                        # Labels sit part of the way along, where fan-outs spread apart;
                        # with three or more targets they are staggered by target.
                        n_out = w.shape[0]
                        t = 0.5 if n_out == 1 else 0.35 if n_out == 2 else \
                            0.25 + 0.5 * j / (n_out - 1)
                        tries = sorted(ALONG, key=lambda s, t=t: abs(s - t))
                        wishes.append((name, [a + (b - a) * s for s in tries]))
        self.overlays = []
        self.node_pos = {(c, j): p for c, column in enumerate(pos) for j, p in enumerate(column)}
        self.font_for_labels = font
        for c, column in enumerate(pos):
            for j, p in enumerate(column):
                node = QGraphicsEllipseItem(p.x() - RADIUS, p.y() - RADIUS, 2 * RADIUS,
                                            2 * RADIUS)
                node.setBrush(QBrush(QColor("#f4f4f4")))
                node.setPen(QPen(QColor("#444"), 2))
                scene.addItem(node)
                self.node_items.append(node)
                text = names.inputs[j] if c == 0 else self._node_text(c - 1, j)
                if c == 0 and QFontMetricsF(font).horizontalAdvance(text) > 2 * RADIUS - 8:
                    # A data set's own input name ("Petal width") stands left of its node.
                    name = scene.addSimpleText(text, font)
                    name.setBrush(self.ink)
                    r = name.boundingRect()
                    name.setPos(p.x() - RADIUS - 8 - r.width(), p.y() - r.height() / 2)
                    self.node_items.append(name)
                    text = ""
                label = scene.addSimpleText(text, font)
                r = label.boundingRect()
                label.setPos(p.x() - r.width() / 2, p.y() - r.height() / 2)
                if c > 0 and net.biases[c - 1] is not None and n_edges <= MAX_LABELLED_EDGES:
                    wishes.append((names.biases[c - 1][j],
                                   [p + QPointF(dx, dy) for dx, dy in BIAS_SPOTS]))
                if c == len(pos) - 1 and names.post[-1][j] != text:
                    out = scene.addSimpleText(names.post[-1][j], font)
                    out.setBrush(self.ink)
                    out.setPos(p.x() + RADIUS + 8, p.y() - out.boundingRect().height() / 2)
                    self.node_items.append(out)
        self._place_labels(wishes, font)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.refresh()
        self.fitInView(scene.sceneRect(), Qt.KeepAspectRatio)

    def _draw_as_bundles(self, pos) -> None:
        """Thousands of weights: one thin grey path per layer (one item to draw, nothing to
        update each step); single weights are chosen in the parameter list instead."""
        net = self.session.network
        for layer, w in enumerate(net.weights):
            path = QPainterPath()
            for j in range(w.shape[0]):
                for i in range(w.shape[1]):
                    a, b = pos[layer][i], pos[layer + 1][j]
                    path.moveTo(a.x() + RADIUS, a.y())
                    path.lineTo(b.x() - RADIUS, b.y())
            item = self.scene().addPath(path, QPen(QColor(150, 150, 150, 60), 1))
            item.setZValue(-1)
            item.setToolTip(f"{w.size} weights from layer {layer} to layer {layer + 1}: too "
                            "many to draw one by one. Pick one in the Parameters list.")

    def _node_text(self, layer: int, j: int) -> str:
        net = self.session.network
        pre, post = net.names.pre[layer][j], net.names.post[layer][j]
        act = net.layers[layer].activation
        short = {"identity": "", "softplus": "soft+", "sigmoid": "σ", "tanh": "tanh",
                 "relu": "ReLU", "softmax": "smax"}[act]
        if pre == post:
            return post if len(post) <= 6 else "Σ"
        return short or "Σ"

    def _place_labels(self, wishes, font: QFont) -> None:
        """Each label at the first of its places that is clear of the nodes and of the
        labels placed before it (room kept for its longest value), else the best one."""
        metrics = QFontMetricsF(font)
        taken = [item.sceneBoundingRect() for item in self.node_items]
        for name, places in wishes:
            width = metrics.horizontalAdvance(f"{name} = {WIDEST_VALUE}") + 8
            height = metrics.height() + 4

            def box(at, w=width, h=height):
                return QRectF(at.x() - w / 2, at.y() - h / 2, w, h)

            def clashes(at):
                rect = box(at)
                return sum(rect.intersects(other) for other in taken)
            at = next((p for p in places if not clashes(p)), None)
            if at is None:
                at = min(places, key=clashes)
            taken.append(box(at))
            self._label(name, at, font)

    def _label(self, name: str, at: QPointF, font: QFont) -> None:
        label = ValueLabel(name, at, font)
        self.scene().addItem(label)
        self.labels[name] = label

    def set_theme(self, theme: str) -> None:
        """Node fill, outlines and text that read on the theme's background."""
        dark = theme in ("dark", "high contrast")
        self.ink = QColor("#f0f0f0" if dark else "#111")
        self.setBackgroundBrush(QColor("#000" if theme == "high contrast" else
                                       "#1e1e1e" if dark else "#fff"))
        self.rebuild()

    # --- values ------------------------------------------------------------------
    def refresh(self) -> None:
        s = self.session
        if not self.edges and not self.labels:
            return
        biggest = max(1e-9, float(np.max(np.abs(s.network.params))))
        shown = self.shown  # what each item draws now: unchanged items are not redrawn
        for name, line in self.edges.items():
            v = s.value(name)
            colour = SELECTED if name == s.selected else (POSITIVE if v >= 0 else NEGATIVE)
            # In half-pixel steps: a width that moved by a hair every Step had every edge
            # restyled and the whole diagram repainted (~4 ms a Step on moons' 32 edges).
            width = round(2 * (1.5 + 7.0 * math.sqrt(min(abs(v) / biggest, 1.0)))) / 2
            if shown.get(line) != (colour.rgb(), width):
                shown[line] = (colour.rgb(), width)
                line.setPen(QPen(colour, width, Qt.SolidLine, Qt.RoundCap))
        for name, label in self.labels.items():
            text = f"{name} = {fmt(s.value(name), 4)}"
            colour = SELECTED if name == s.selected else INK
            if shown.get(label) != (text, colour.rgb()):
                shown[label] = (text, colour.rgb())
                label.show_value(text, colour)

    # --- overlays for the flow animation -------------------------------------------
    def clear_overlays(self) -> None:
        for item in self.overlays:
            self.scene().removeItem(item)
        self.overlays = []
        for label in self.labels.values():
            label.show()

    def add_overlay(self, at: QPointF, text: str, colour: QColor) -> ValueLabel:
        for value_label in self.labels.values():  # the animation's labels replace them
            value_label.hide()
        label = ValueLabel("", at, self.font_for_labels)
        label.setZValue(5)
        self.scene().addItem(label)
        label.show_value(text, colour)
        self.overlays.append(label)
        return label

    def edge_midpoint(self, name: str) -> QPointF:
        line = self.edges[name].line()
        return (line.p1() + line.p2()) / 2

    def param_anchor(self, name: str) -> QPointF | None:
        """Where a parameter is drawn: its connection's middle, or its bias label; None
        when it is not drawn on its own (a big network)."""
        if name in self.edges:
            return self.edge_midpoint(name)
        if name in self.labels:
            return self.labels[name].at
        return None

    def caption_anchor(self) -> QPointF:
        """Above the middle of the drawing, for a line that says what is shown."""
        xs = [p.x() for p in self.node_pos.values()]
        top = min(p.y() for p in self.node_pos.values())
        return QPointF((min(xs) + max(xs)) / 2, top - RADIUS - 90)

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
            if name:
                QToolTip.showText(event.globalPos(), self.tooltip_text(name), self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_text(self, name: str) -> str:
        s = self.session
        if s.quiz_active:  # the slope is what the students work out
            return f"{name} = {fmt(s.value(name), 6)}\nClick to choose it for the quiz."
        b = s.breakdown(name)
        path = b.paths[0]
        formula = " × ".join(f.formula for f in path.factors)
        first = " × ".join(f"({fmt(f.values[0], 4)})" for f in path.factors)
        more = f" (+{len(b.paths) - 1} more paths)" if len(b.paths) > 1 else ""
        # the slope is the trainer's (as the breakdown panel's): b.slope forms every path
        return (f"{name} = {fmt(s.value(name), 6)}\n{b.symbol} = {fmt(s.grad(name), 6)}\n"
                f"= Σ {formula}{more}\nsample 1: {first}\nClick to show its breakdown.")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fitInView(self.scene().sceneRect(), Qt.KeepAspectRatio)
