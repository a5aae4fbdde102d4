"""See the flow: one Step animated on the network diagram. Forward, layer by layer, each
neuron shows its value for sample 1; backward, right to left, each neuron shows
dLoss/d(its weighted sum) and each connection the slope of its weight; then the update
is taken and each connection shows old → new."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QTimer, Signal
from PySide6.QtGui import QColor

from engine.breakdown import node_gradients
from engine.explain import fmt

FORWARD, BACKWARD, UPDATE = QColor("#1f77b4"), QColor("#d62728"), QColor("#2ca02c")


class FlowAnimation(QObject):
    finished = Signal()

    def __init__(self, view, session, interval_ms: int = 900):
        super().__init__(view)
        self.view, self.session = view, session
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._next)
        self.frames = []
        self.shown: list[str] = []  # the texts of the current frame, for tests

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        s, t = self.session, self.session.trainer
        if self.running or s.running:
            return
        net = t.network
        fwd = net.forward(t.inputs)
        deltas = node_gradients(net, t.inputs, t.targets, t.loss_function)
        grads = dict(zip(net.param_names, t.grads, strict=True))
        names = net.names
        frames = [[(self.view.node_pos[(0, i)], f"{names.inputs[i]} = {fmt(t.inputs[0, i], 4)}",
                    FORWARD) for i in range(net.inputs)]]
        for layer in range(len(net.layers)):  # forward: values flow right
            frames.append([(self.view.node_pos[(layer + 1, j)],
                            f"{names.post[layer][j]} = {fmt(fwd.post[layer][0, j], 4)}", FORWARD)
                           for j in range(net.sizes[layer])])
        for layer in range(len(net.layers) - 1, -1, -1):  # backward: gradients flow left
            frame = [(self.view.node_pos[(layer + 1, j)],
                      f"∂{loss_symbol(t)}/∂{names.pre[layer][j]} = "
                      f"{fmt(deltas[layer][0, j], 4)}", BACKWARD)
                     for j in range(net.sizes[layer])]
            frame += [(self.view.edge_midpoint(w), f"∂{loss_symbol(t)}/∂{w} = "
                       f"{fmt(grads[w], 4)}", BACKWARD)
                      for row in names.weights[layer] for w in row if w in self.view.edges]
            frames.append(frame)
        self.frames = frames
        self.frames.append("update")
        self.view.clear_overlays()
        self.timer.start()
        self._next()

    def _next(self) -> None:
        if not self.frames:
            self.timer.stop()
            self.view.clear_overlays()
            self.finished.emit()
            return
        frame = self.frames.pop(0)
        self.view.clear_overlays()
        if frame == "update":
            self._update()
            return
        self.shown = [text for _, text, _ in frame]
        for at, text, colour in frame:
            self.view.add_overlay(at + QPointF(0, -48), text, colour)

    def _update(self) -> None:
        s = self.session
        before = dict(zip(s.network.param_names, s.network.params.copy(), strict=True))
        s.step()
        self.shown = []
        for name in self.view.edges:
            text = f"{name}: {fmt(before[name], 4)} → {fmt(s.value(name), 4)}"
            self.shown.append(text)
            self.view.add_overlay(self.view.edge_midpoint(name) + QPointF(0, -24), text, UPDATE)


def loss_symbol(trainer) -> str:
    return trainer.loss_function.symbol
