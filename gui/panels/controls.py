"""Step, Run/Pause, Reset, the learning rate, the speed, the step counter and the loss.
Run takes batches of steps once a frame from a QTimer, so the window never freezes."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QSlider, QToolBar, QWidget

from engine.explain import fmt
from gui.kit.steady_label import SteadyLabel
from gui.session import InputError, Session

FRAME_MS = 16
# Speed slider positions: steps per frame; None = as many as fit in the frame's budget.
SPEEDS = (1, 2, 5, 10, 50, 200, 1000, None)
FRAME_BUDGET_S = 0.010  # maths per frame to start with; drawing takes ~20 ms more
MIN_BUDGET_S, MAX_BUDGET_S = 0.003, 0.016


class Controls(QToolBar):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__("Controls", parent)
        self.setObjectName("controls")
        self.session = session
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)
        self.budget, self.last_tick = FRAME_BUDGET_S, None

        self.step_action = self._action("Step", "stepButton", "Space",
                                        "Take one gradient-descent step (Space)", self.step)
        self.run_action = self._action("Run", "runButton", "R",
                                       "Run gradient descent until the stop rule (R); "
                                       "press again to pause", None, checkable=True)
        self.run_action.toggled.connect(self._run_toggled)
        self.flow_action = self._action("Show the flow", "flowButton", "F",
                                        "Animate one step on the diagram: values forward, "
                                        "gradients backward, then the update (F)",
                                        self.show_flow)
        self.back_action = self._action("Step back", "stepBackButton", "Backspace",
                                        "Go back one step (Backspace); Ctrl+Z undoes anything",
                                        session.step_back)
        self.reset_action = self._action("Reset", "resetButton", "Ctrl+R",
                                         "Back to the lesson's starting values (Ctrl+R)",
                                         session.reset)
        self.addSeparator()
        self.addWidget(QLabel(" learning rate "))
        self.rate = QLineEdit()
        self.rate.setObjectName("learningRate")
        self.rate.setMaximumWidth(110)
        self.rate.setToolTip("Step size = slope × learning rate. Type a number above 0 and "
                             "press Enter.")
        self.rate.editingFinished.connect(self._rate_edited)
        self.addWidget(self.rate)
        self.addWidget(QLabel("  speed "))
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setObjectName("speed")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(3)
        self.speed.setMaximumWidth(160)
        self.speed.setToolTip("How many steps Run takes per frame: from one step per frame "
                              "(left) to as fast as possible (right)")
        self.addWidget(self.speed)
        self.counter = SteadyLabel()
        self.counter.setObjectName("stepCounter")
        self.counter.setToolTip("Steps taken since the lesson started or was reset")
        self.loss_label = SteadyLabel()
        self.loss_label.setObjectName("lossLabel")
        self.loss_label.setToolTip("The loss now")
        self.addWidget(self.counter)
        self.addWidget(self.loss_label)

        session.stateChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        session.runningChanged.connect(self._running_changed)
        self.refresh()

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
        t = self.session.trainer
        if not self.rate.hasFocus():
            self.rate.setText(fmt(t.learning_rate, 8))
        self.counter.setText(f"   step {t.steps_done}")
        self.loss_label.setText(f"   {t.loss_function.symbol} = {fmt(t.loss, 6)}")

    def step(self) -> None:
        if self.session.running:
            self.session.set_running(False)
        self.session.step()

    def show_flow(self) -> None:
        window = self.parent()
        window.flow.start()

    def _rate_edited(self) -> None:
        if not self.rate.isModified():
            return
        self.rate.setModified(False)
        try:
            self.session.set_learning_rate(self.rate.text())
        except InputError as exc:
            self.session.message.emit(f"Refused — {exc}. The learning rate stays "
                                      f"{fmt(self.session.trainer.learning_rate)}.")
            self.rate.setText(fmt(self.session.trainer.learning_rate, 8))

    def _run_toggled(self, on: bool) -> None:
        self.session.set_running(on)

    def _running_changed(self, running: bool) -> None:
        self.run_action.blockSignals(True)
        self.run_action.setChecked(running)
        self.run_action.blockSignals(False)
        self.run_action.setText("Pause" if running else "Run")
        self.last_tick = None
        if running:
            if self.session.trainer.converged():
                self.session.message.emit("Already converged: every step size is below the "
                                          "stop rule. Step still takes single steps.")
                self.session.set_running(False)
                return
            self.session.message.emit("Running…")
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if not self.session.running:
            self.timer.stop()
            return
        now = time.perf_counter()
        if self.last_tick is not None:
            # Frames that ran long (drawing was slow) leave less time for maths next time;
            # quick frames give it back: the window keeps ~30 frames/s whatever it draws.
            frame = now - self.last_tick
            factor = 0.7 if frame > 0.040 else 1.1 if frame < 0.030 else 1.0
            self.budget = min(MAX_BUDGET_S, max(MIN_BUDGET_S, self.budget * factor))
        self.last_tick = now
        per_frame = SPEEDS[self.speed.value()]
        self.session.run_for(self.budget, per_frame)
