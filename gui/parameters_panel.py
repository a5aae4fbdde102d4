"""One field per weight and bias (objectName param_<name>) with a trainable checkbox
(trainable_<name>). A typed value that is not a usable number is refused, the old
value comes back, and the status bar says why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QScrollArea, QWidget

from engine.explain import fmt
from gui.maths_text import name_html
from gui.session import InputError, Session
from gui.throttle import RUN_REFRESH_S, LiveRefresh


class ParametersPanel(QScrollArea):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("parametersPanel")
        self.setWidgetResizable(True)
        self.session = session
        self.fields: dict[str, QLineEdit] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}
        session.lessonChanged.connect(self.rebuild)
        self.live = LiveRefresh(self, self.refresh, RUN_REFRESH_S, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self._show_selection)
        self.rebuild()

    def rebuild(self) -> None:
        s = self.session
        body = QWidget()
        grid = QGridLayout(body)
        grid.setColumnStretch(1, 1)
        for col, text in enumerate(("", "value", "train")):
            head = QLabel(f"<i>{text}</i>")
            grid.addWidget(head, 0, col)
        self.fields, self.checks, self.labels = {}, {}, {}
        for row, name in enumerate(s.network.param_names, start=1):
            label = QLabel(name_html(name))
            self.labels[name] = label
            field = QLineEdit()
            field.setObjectName(f"param_{name}")
            field.setToolTip(f"{name}: type a number and press Enter. The slope and the "
                             "step size follow at once.")
            field.editingFinished.connect(lambda n=name: self._commit(n))
            field.installEventFilter(self)
            check = QCheckBox()
            check.setObjectName(f"trainable_{name}")
            check.setToolTip(f"Train {name}: when unticked, gradient descent leaves it alone.")
            check.toggled.connect(lambda on, n=name: self._set_trainable(n, on))
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(check, row, 2, alignment=Qt.AlignCenter)
            self.fields[name], self.checks[name] = field, check
        grid.setRowStretch(len(self.fields) + 1, 1)
        self.setWidget(body)
        self.refresh()
        self._show_selection(s.selected)

    def refresh(self) -> None:
        s = self.session
        for name, field in self.fields.items():
            if not field.hasFocus() or not field.isModified():
                field.setText(fmt(s.value(name), 8))
                field.setModified(False)
            check = self.checks[name]
            check.blockSignals(True)
            check.setChecked(s.is_trainable(name))
            check.blockSignals(False)

    def eventFilter(self, obj, event):
        if event.type() == event.Type.FocusIn:
            for name, field in self.fields.items():
                if field is obj:
                    self.session.select(name)
        return False

    def _commit(self, name: str) -> None:
        field = self.fields[name]
        if not field.isModified():
            return
        field.setModified(False)
        try:
            self.session.set_param(name, field.text())
        except InputError as exc:
            self.session.message.emit(f"Refused — {exc}. {name} keeps its value.")
            field.setText(fmt(self.session.value(name), 8))

    def _set_trainable(self, name: str, on: bool) -> None:
        self.session.set_trainable(name, on)

    def _show_selection(self, name: str) -> None:
        """The selected parameter's name is marked and bold (no style sheet: it would
        fix the field's colours and font against the theme and zoom)."""
        for n, label in self.labels.items():
            label.setText(f"▶ <b>{name_html(n)}</b>" if n == name else name_html(n))
