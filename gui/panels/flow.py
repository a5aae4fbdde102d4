"""See the flow: one Step animated on the network diagram, in the four phases of a step.
Forward, layer by layer, each neuron shows its value for one sample; the loss over every
sample; backward, right to left, each neuron shows dLoss/d(its weighted sum) for that
sample and each weight and bias its slope summed over every sample; then the update is
taken and each trainable parameter shows old → new. Every number is the engine's
(`Session.phases`); this module only places and words them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QTimer, Signal
from PySide6.QtGui import QColor

from engine.explain import fmt
from engine.phases import StepPhases
from gui.session import Session

FORWARD, BACKWARD, UPDATE = QColor("#1f77b4"), QColor("#d62728"), QColor("#2ca02c")
CAPTION = QColor("#333333")


class FlowAnimation(QObject):
    """Plays on `view` (the network diagram, given by the window that owns both)."""

    finished = Signal()

    def __init__(self, view, session: Session, interval_ms: int = 900):
        super().__init__(view)
        self.view, self.session = view, session
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._next)
        self.frames: list = []
        session.flowRequested.connect(self.start)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        if self.running:
            return
        self.frames = self._frames(self.session.phases(0))
        self.view.clear_overlays()
        self.timer.start()
        self._next()

    def _frames(self, p: StepPhases) -> list:
        net, view = self.session.network, self.view
        names, loss = net.names, p.loss_symbol
        of = f"sample {p.sample + 1} of {p.samples}"
        if len(p.batch) == p.samples:
            over = f"Σ over {p.samples} samples" if p.samples > 1 else "one sample"
        else:  # batches: the slopes are this batch's
            over = (f"Σ over this batch's {len(p.batch)} samples" if len(p.batch) > 1
                    else f"from sample {p.sample + 1} alone (this step's batch)")
        frames = [(f"1. Forward pass, {of}: each neuron's value",
                   [(view.node_pos[(0, i)], f"{names.inputs[i]} = {fmt(p.inputs[i], 4)}",
                     FORWARD) for i in range(net.inputs)])]
        for layer in range(len(net.layers)):  # forward: values flow right
            frames.append((frames[0][0], [
                (view.node_pos[(layer + 1, j)],
                 f"{names.post[layer][j]} = {fmt(p.post[layer][j], 4)}", FORWARD)
                for j in range(net.sizes[layer])]))
        last = len(net.layers)
        frames.append((f"2. The loss, over all {p.samples} samples",
                       [(view.node_pos[(last, 0)], f"{loss} = {fmt(p.loss, 4)}", FORWARD)]))
        for layer in range(len(net.layers) - 1, -1, -1):  # backward: gradients flow left
            frame = [(view.node_pos[(layer + 1, j)],
                      f"∂{loss}/∂{names.pre[layer][j]} = {fmt(p.deltas[layer][j], 4)}",
                      BACKWARD) for j in range(net.sizes[layer])]
            for name in self._parameters_of(layer):
                at = view.param_anchor(name)
                if at is not None:
                    frame.append((at, f"∂{loss}/∂{name} = {fmt(p.updates[name].slope, 4)}",
                                  BACKWARD))
            frames.append((f"3. Backward pass: neurons for {of}; weights and biases "
                           f"{over}", frame))
        frames.append(("update", p))
        return frames

    def _parameters_of(self, layer: int) -> list[str]:
        names = self.session.network.names
        return [w for row in names.weights[layer] for w in row] + list(names.biases[layer])

    def _next(self) -> None:
        if not self.frames:
            self.timer.stop()
            self.view.clear_overlays()
            self.finished.emit()
            return
        caption, frame = self.frames.pop(0)
        self.view.clear_overlays()
        if caption == "update":
            self._update(frame)
            return
        self._show(caption, [(at + QPointF(0, -48), text, colour) for at, text, colour in frame])

    def _show(self, caption: str, items) -> None:
        self.view.add_overlay(self.view.caption_anchor(), caption, CAPTION)
        for at, text, colour in items:
            self.view.add_overlay(at, text, colour)

    def _update(self, p: StepPhases) -> None:
        changing = [u for u in p.updates.values() if u.trainable]
        self.session.step()
        items = []
        for u in changing:
            at = self.view.param_anchor(u.parameter)
            if at is not None:
                items.append((at + QPointF(0, -24),
                              f"{u.parameter}: {fmt(u.value, 4)} → {fmt(u.new_value, 4)}",
                              UPDATE))
        frozen = len(p.updates) - len(changing)
        note = f" ({frozen} frozen parameters keep their values)" if frozen else ""
        self._show(f"4. Update: new = old − learning rate × slope{note}", items)
