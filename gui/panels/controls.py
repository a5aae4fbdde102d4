"""The toolbar: Step, Run/Pause, Show the flow, Step back, Reset, the learning rate, the
speed, the step counter and the loss. Run itself is the Runner's (gui/runner.py)."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QSlider, QToolBar, QToolButton, QWidget

from engine.explain import fmt
from gui.kit.locking import LOCKED_TIP, show_locked
from gui.kit.steady_label import SteadyLabel
from gui.runner import DEFAULT_SPEED, SPEEDS, Runner
from gui.session import Session

SPEED_SLIDER_MIN_PX = 120


class Controls(QToolBar):
    def __init__(self, session: Session, runner: Runner, parent: QWidget | None = None):
        super().__init__("Controls", parent)
        self.setObjectName("controls")
        self.session = session

        self.step_action = self._action("Step", "stepButton", "Space",
                                        "Take one gradient-descent step (Space)", self.step)
        self.run_action = self._action("Run", "runButton", "R",
                                       "Run gradient descent until the stop rule (R); "
                                       "press again to pause", None, checkable=True)
        self.run_action.toggled.connect(self._run_toggled)
        self.flow_action = self._action("Show the flow", "flowButton", "F",
                                        "Animate one step on the diagram: values forward, "
                                        "gradients backward, then the update (F)",
                                        session.request_flow)
        self.phase_action = self._action("Step phase", "phaseButton", "P",
                                         "One phase of a step at a time on the diagram: "
                                         "forward pass, loss, backward pass, then the "
                                         "update, which takes the step (P)",
                                         session.request_phase)
        self.back_action = self._action("Step back", "stepBackButton", "Backspace",
                                        "Go back one step (Backspace); Ctrl+Z undoes anything",
                                        session.step_back)
        self.reset_action = self._action("Reset", "resetButton", "Ctrl+R",
                                         "Back to the lesson's starting values (Ctrl+R)",
                                         session.reset)
        self.addSeparator()
        self.rate_title = QLabel(" learning rate ")
        self.addWidget(self.rate_title)
        self.rate = QLineEdit()
        self.rate.setObjectName("learningRate")
        self.rate.setMaximumWidth(110)
        self.rate.setToolTip("Step size = slope × learning rate. Type a number above 0 and "
                             "press Enter.")
        self.rate.editingFinished.connect(self._rate_edited)
        self.addWidget(self.rate)
        self.speed_title = QLabel("  speed ")
        self.addWidget(self.speed_title)
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setObjectName("speed")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(DEFAULT_SPEED)
        self.speed.valueChanged.connect(runner.set_speed)
        # At least 120 px: presenter mode at 1280 px squeezed it to 70, too short to set
        # (the toolbar takes its short wordings first, see _fit).
        self.speed.setMinimumWidth(SPEED_SLIDER_MIN_PX)
        self.speed.setMaximumWidth(160)
        self.speed.setToolTip("How fast Run goes: from a step every 30 frames (one or two "
                              "a second, to follow each one) at the left to as fast as "
                              "possible at the right")
        self.addWidget(self.speed)
        self.counter = SteadyLabel()
        self.counter.setObjectName("stepCounter")
        self.counter.setToolTip("Steps taken since the lesson started or was reset")
        self.loss_label = SteadyLabel()
        self.loss_label.setObjectName("lossLabel")
        self.loss_label.setToolTip("The loss now, over every training sample; with a "
                                   "validation split also over the samples held out, and "
                                   "with batches also over the next update's batch")
        self.addWidget(self.counter)
        self.addWidget(self.loss_label)

        # Wordings, long then short: a narrow toolbar (presenter mode at 1280 px) takes
        # the short ones rather than hide the loss behind its overflow button.
        self.wordings = [(self.flow_action.setIconText, "Show the flow", "Flow"),
                         (self.phase_action.setIconText, "Step phase", "Phase"),
                         (self.back_action.setIconText, "Step back", "Back"),
                         (self.rate_title.setText, " learning rate ", " rate "),
                         (self.speed_title.setText, "  speed ", " ")]
        self.compact = 0  # 0: every wording long; 1: the loss short; 2: everything short
        session.stateChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        session.runningChanged.connect(self._running_changed)
        session.lockChanged.connect(self._show_lock)
        self._show_lock()
        self.refresh()
        self._steady_run_button()

    def _steady_run_button(self) -> None:
        """Run and Pause take the same width: the wider "Pause" moved every control right
        of it ~13 px at each Run and pause (seen by a tester)."""
        button = self.widgetForAction(self.run_action)
        def text_width(text: str) -> int:  # as QToolButton's size hint measures it
            return button.fontMetrics().size(Qt.TextShowMnemonic, text).width()
        margins = button.sizeHint().width() - text_width(button.text())
        button.setMinimumWidth(margins + max(map(text_width, ("Run", "Pause"))))
        QTimer.singleShot(0, self, self._fit)  # the wordings fitted to the wider button

    def _show_lock(self) -> None:
        # Locked, the field cannot be typed in: its tooltip says what it is, not "Type…"
        show_locked(self.rate, not self.session.may_change("learning_rate"),
                    tip=f"Step size = slope × learning rate.\n\n{LOCKED_TIP}")

    def _action(self, text, name, key, tip, slot, checkable=False) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(tip)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        self.widgetForAction(action).setObjectName(name)
        return action

    def button(self, name: str):
        return self.findChild(QWidget, name)

    def refresh(self) -> None:
        s = self.session
        if not self.rate.hasFocus():
            self.rate.setText(fmt(s.learning_rate, 8))
        self.counter.setText(f"   step {s.steps_done}")
        words = loss_text(s.loss_symbol, s.loss, s.val_loss, s.batch_loss, self.compact > 0)
        self.loss_label.setText(f"   {words}")
        if self.compact < 2:
            QTimer.singleShot(0, self, self._fit)  # once the toolbar is laid out

    def _fit(self) -> None:
        """Shorter wordings while items are behind the toolbar's overflow button
        (presenter mode at 1280 px with a validation split and batches hid the loss
        itself there): the loss first, then the buttons' and titles' words."""
        extension = self.findChild(QToolButton, "qt_toolbar_ext_button")
        if self.compact < 2 and extension is not None and extension.isVisible():
            self._set_compact(self.compact + 1)

    def _set_compact(self, level: int) -> None:
        self.compact = level
        for set_text, long, short in self.wordings:
            set_text(short if level >= 2 else long)
        self.refresh()
        self.loss_label.shrink_to_text()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.compact and event.size().width() > event.oldSize().width():
            self._set_compact(0)  # more room: the long wordings may fit again

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange and hasattr(self, "wordings"):
            self._set_compact(0)  # another size (presenter mode, zoom): measure again
            QTimer.singleShot(0, self, self._steady_run_button)  # (its font set by then)

    def step(self) -> None:
        self.session.step()

    def _rate_edited(self) -> None:
        if not self.rate.isModified():  # Enter on the rate shown: confirmed as it is
            self.session.keep_as_is()
            return
        self.rate.setModified(False)
        if not self.session.set_learning_rate(self.rate.text()):
            self.rate.setText(fmt(self.session.learning_rate, 8))

    def _run_toggled(self, on: bool) -> None:
        self.session.set_running(on)

    def _running_changed(self, running: bool) -> None:
        self.run_action.blockSignals(True)
        self.run_action.setChecked(running)
        self.run_action.blockSignals(False)
        self.run_action.setText("Pause" if running else "Run")


def loss_text(symbol: str, loss: float, val_loss: float, batch_loss: float,
              short: bool = False) -> str:
    """The loss label: which samples each loss is over, when it is not plainly all;
    `short`, four figures and abbreviated names (the tooltip says them in full)."""
    if short:
        parts = [f"{symbol} {fmt(loss, 4)}"]
        parts += [f"val {fmt(val_loss, 4)}"] if math.isfinite(val_loss) else []
        parts += [f"batch {fmt(batch_loss, 4)}"] if math.isfinite(batch_loss) else []
        return " · ".join(parts)
    parts = [f"{symbol} = {fmt(loss, 6)}"]
    if math.isfinite(val_loss):
        parts = [f"{symbol} training = {fmt(loss, 6)}", f"validation = {fmt(val_loss, 6)}"]
    elif math.isfinite(batch_loss):
        parts = [f"{symbol} all samples = {fmt(loss, 6)}"]
    if math.isfinite(batch_loss):
        parts.append(f"batch = {fmt(batch_loss, 6)}")
    return " · ".join(parts)
