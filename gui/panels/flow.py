"""See the flow: one Step animated on the network diagram, in the four phases of a step.
Forward, layer by layer, each neuron shows its value for one sample; the loss over every
sample; backward, right to left, each neuron shows dLoss/d(its weighted sum) for that
sample and each weight and bias its slope summed over every sample; then the update is
taken and each trainable parameter shows old → new. Every number is the engine's
(`Session.phases`); this module only places and words them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from engine.explain import signed
from engine.phases import StepPhases
from gui.session import Session

FORWARD, BACKWARD, UPDATE = QColor("#1f77b4"), QColor("#d62728"), QColor("#2ca02c")
CAPTION = QColor("#333333")
MISSING_LISTED = 6  # numbers with no room on the drawing that the caption lists


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
        self.by_hand = False  # "Step phase": each press shows the next frame
        self._stepping = False  # the walk's own step is under way
        self.showing: tuple[str, list] | None = None  # the frame on the diagram now
        session.flowRequested.connect(self.start)
        session.phaseRequested.connect(self.next_phase)
        # An edit or another step between presses makes the walk's numbers stale.
        # Its picture goes with them, and with quiz mode (the picture holds the answers).
        session.lessonChanged.connect(self._forget)
        session.stateChanged.connect(self._forget)
        session.quizChanged.connect(self._forget)
        view.redrawn.connect(self._show_again)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        if self.running:
            return
        if not (self.by_hand and self.frames):  # else: animate the rest of the walk
            self.frames = self._frames(self.session.phases(0))
        self.by_hand = False
        self.view.clear_overlays()
        self.timer.start()
        self._next()

    def next_phase(self) -> None:
        """The next frame of this step's walk (a new walk when none is under way, or
        when the state moved on since the last press)."""
        self.timer.stop()
        if not (self.by_hand and self.frames):
            self.frames = self._frames(self.session.phases(0))
        self.by_hand = True
        self._next()
        if not self.frames:  # the update was the last frame: the step is taken
            self.by_hand = False

    def _forget(self, *_) -> None:
        # The update's picture ("w1: 1.945 → 1.924") stayed on the diagram after the next
        # step, over the new values and with the usual labels hidden (seen in a real
        # window): whatever moves the state on takes the picture away too.
        if self._stepping:
            return
        self.by_hand, self.frames = False, []
        if self.running:
            self.timer.stop()
            self.finished.emit()
        self.showing = None
        self.view.clear_overlays()

    def _show_again(self) -> None:
        """The frame shown now, placed on the diagram's new drawing (presenter mode's,
        laid out again for a resized view)."""
        if self.showing:
            self.view.clear_overlays()
            self._show(*self.showing)

    def _frames(self, p: StepPhases) -> list:
        """Each frame: its caption and its numbers, each with the neuron (column, neuron)
        or parameter it is about; the diagram places them."""
        net = self.session.network
        names, loss = net.names, p.loss_symbol
        of = f"sample {p.sample + 1} of {p.samples}"
        if len(p.batch) == p.samples:
            over = f"Σ over {p.samples} samples" if p.samples > 1 else "one sample"
        else:  # batches: the slopes are this batch's
            over = (f"Σ over this batch's {len(p.batch)} samples" if len(p.batch) > 1
                    else f"from sample {p.sample + 1} alone (this step's batch)")
        frames = [(f"1. Forward pass, {of}: each neuron's value",
                   [((0, i), f"{names.inputs[i]} = {signed(p.inputs[i], 4)}", FORWARD)
                    for i in range(net.inputs)])]
        for layer in range(len(net.layers)):  # forward: values flow right
            frames.append((frames[0][0], [
                ((layer + 1, j), f"{names.post[layer][j]} = {signed(p.post[layer][j], 4)}",
                 FORWARD) for j in range(net.sizes[layer])]))
        last = len(net.layers)
        frames.append((f"2. The loss, over all {p.samples} samples",
                       [((last, 0), f"{loss} = {signed(p.loss, 4)}", FORWARD)]))
        for layer in range(len(net.layers) - 1, -1, -1):  # backward: gradients flow left
            frame = [((layer + 1, j),
                      f"∂{loss}/∂{names.pre[layer][j]} = {signed(p.deltas[layer][j], 4)}",
                      BACKWARD) for j in range(net.sizes[layer])]
            frame += [(name, f"∂{loss}/∂{name} = {signed(p.updates[name].slope, 4)}", BACKWARD)
                      for name in self._parameters_of(layer)]
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
            self.showing = None
            self.view.clear_overlays()
            self.finished.emit()
            return
        caption, frame = self.frames.pop(0)
        self.showing = None
        self.view.clear_overlays()
        if caption == "update":
            self._update(frame)
            return
        self._show(caption, frame)

    def _show(self, caption: str, items) -> None:
        self.showing = (caption, items)
        # A long caption ran off both sides of the diagram (seen in a real window at
        # 1280x800): after its heading and at each ";" it takes a new line.
        if len(caption) > 40:
            caption = caption.replace(": ", ":\n", 1).replace("; ", ";\n").replace(
                " (", "\n(")
        missing = self.view.show_overlays(items)
        # What found no room on the drawing is in the caption, a few to a line; too many
        # to list (a big network) are counted, and said where to find.
        if len(missing) <= MISSING_LISTED:
            for k in range(0, len(missing), 3):
                caption += ("\nand " if k == 0 else ",\n") + ", ".join(missing[k:k + 3])
        else:
            caption += (f"\n({len(missing)} more have no room here: hover over a "
                        "connection for its value and slope)")
        self.view.show_caption(caption, CAPTION)

    def _update(self, p: StepPhases) -> None:
        changing = [u for u in p.updates.values() if u.trainable]
        self._stepping = True
        try:
            self.session.step()
        finally:
            self._stepping = False
        items = [(u.parameter, f"{u.parameter}: {signed(u.value, 4)} → {signed(u.new_value, 4)}",
                  UPDATE) for u in changing]
        frozen = len(p.updates) - len(changing)
        note = f" ({frozen} frozen parameters keep their values)" if frozen else ""
        first = next(iter(p.updates.values()))
        rule = (" (step size = learning rate × slope)" if first.optimizer == "sgd"
                else f" (step size by {first.optimizer}'s rule: see the breakdown)")
        self._show(f"4. Update: new = old − step size{rule}{note}", items)
