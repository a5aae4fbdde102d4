"""Build your own network: hidden layers and their neurons, activations, biases, the
loss, the naming, a seed for the random start, and data from a CSV file. A change
rebuilds (undoably) once it is committed and differs from the network there is, after
asking if trained values would be replaced; the other panels follow. A locked lesson
whose network the teacher kept shows the editor disabled, saying so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine import Layer
from engine.activations import ACTIVATIONS
from engine.lesson import MAX_LAYERS, MAX_NEURONS
from engine.losses import LOSSES
from engine.naming import NAMING_TITLES
from engine.text import quoted
from gui.kit.locking import LOCKED_TIP
from gui.session import Session


class CountBox(QSpinBox):
    """A neuron count that takes whole entries only. A plain QSpinBox drops each key it
    cannot use and keeps the rest, so "1e400" became 140 neurons and "0x10" 10: here the
    keys all stay, and an entry that is not a count from the range is refused as a whole
    (`rejected` gets the text) and the box goes back to its value."""

    def __init__(self, rejected):
        super().__init__()
        # valueChanged on Enter, focus out or the arrows only: typing 16 must not build
        # a 1-neuron layer (re-randomising every weight) at the first key.
        self.setKeyboardTracking(False)
        self._typed: str | None = None
        self._rejected = rejected
        self.lineEdit().textEdited.connect(self._remember)
        self.editingFinished.connect(self._judge)

    def validate(self, text, pos):
        state, text, pos = super().validate(text, pos)
        if state == QValidator.Invalid:  # judged whole at Enter, not key by key
            return QValidator.Intermediate, text, pos
        return state, text, pos

    def _remember(self, text: str) -> None:
        self._typed = text

    def _judge(self) -> None:
        typed, self._typed = self._typed, None
        if typed is None:
            return
        entry = typed.strip()
        if not (entry.isdigit() and int(entry) == self.value()):
            self._rejected(typed)


def _choice_box(titles: dict[str, str]) -> QComboBox:
    """A choice shown by its titles, each holding its engine name as data; narrow when
    closed (the longest title would widen the dock past a 1280-pixel screen's share)."""
    box = QComboBox()
    for name, title in titles.items():
        box.addItem(title, name)
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(20)
    return box


class NetworkEditor(QWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("networkEditor")
        self.session = session
        self.rows: list[tuple[QSpinBox, QComboBox, QCheckBox]] = []
        outer = QVBoxLayout(self)
        self.locked_note = QLabel(f"<i>{LOCKED_TIP}: this lesson's network stays as it "
                                  "is.</i>")
        self.locked_note.setObjectName("editorLocked")
        self.locked_note.setWordWrap(True)
        outer.addWidget(self.locked_note)
        self.layers_box = QGroupBox("Hidden layers")
        self.grid = QGridLayout(self.layers_box)
        outer.addWidget(self.layers_box)
        add = QPushButton("Add hidden layer")
        add.setObjectName("addLayer")
        add.setToolTip("Add a hidden layer of two neurons before the output")
        add.clicked.connect(self.add_layer)
        outer.addWidget(add)
        form = QFormLayout()
        self.out_act, self.out_bias = self._activation_box(), QCheckBox("bias")
        row = QHBoxLayout()
        row.addWidget(self.out_act)
        row.addWidget(self.out_bias)
        form.addRow("Output layer", row)
        # Each choice by the name the rest of the app uses (a lesson file keeps the
        # engine's: "ssr", "sequential"), which the box holds as its data.
        self.loss = _choice_box({name: loss.title for name, loss in LOSSES.items()})
        self.loss.setObjectName("lossChoice")
        self.loss.setToolTip("\n".join(f"{loss.title}: {loss.formula}"
                                        for loss in LOSSES.values()))
        form.addRow("Loss", self.loss)
        self.naming = _choice_box(NAMING_TITLES)
        self.naming.setObjectName("namingChoice")
        self.naming.setToolTip("How weights and biases are named: counted one after another "
                               "as StatQuest does, or by layer, neuron and input as the "
                               "house-price article does")
        form.addRow("Names", self.naming)
        self.seed = QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed always gives the same starting weights")
        form.addRow("Seed", self.seed)
        outer.addLayout(form)
        buttons = QHBoxLayout()
        for text, name, tip, slot in (
            ("Randomise", "randomise", "New random weights from the seed (biases 0)",
             self.apply),
            ("Load data from CSV…", "loadCsv", "One sample per row; the last column(s) are "
             "the targets, the others the inputs; a header row is allowed", self.load_csv),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        outer.addLayout(buttons)
        outer.addStretch(1)
        for w in (self.out_act, self.loss, self.naming):
            w.currentIndexChanged.connect(self._edited)
        self.out_bias.toggled.connect(self._edited)
        session.lessonChanged.connect(self.read_lesson)
        session.lockChanged.connect(self._show_lock)
        self.read_lesson()
        self._show_lock()

    def _show_lock(self) -> None:
        locked = not self.session.may_change("network")
        self.locked_note.setVisible(locked)
        for child in self.findChildren(QWidget, options=Qt.FindDirectChildrenOnly):
            if child is not self.locked_note:
                child.setEnabled(not locked)

    def _activation_box(self) -> QComboBox:
        box = QComboBox()
        box.addItems(list(ACTIVATIONS))
        return box

    def read_lesson(self) -> None:
        """Show the open lesson's structure (without rebuilding anything)."""
        net = self.session.network
        widgets = [self.out_act, self.out_bias, self.loss, self.naming]
        for w in widgets:
            w.blockSignals(True)
        self.out_act.setCurrentText(net.layers[-1].activation)
        self.out_bias.setChecked(net.layers[-1].bias)
        self.loss.setCurrentIndex(self.loss.findData(self.session.loss_name))
        self.naming.setCurrentIndex(self.naming.findData(net.naming))
        for w in widgets:
            w.blockSignals(False)
        self._show_rows([(ly.neurons, ly.activation, ly.bias) for ly in net.layers[:-1]])

    def _show_rows(self, specs) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.rows = []
        for k, (neurons, act, bias) in enumerate(specs):
            count = CountBox(lambda typed, k=k: self._refuse_count(k, typed))
            count.setRange(1, MAX_NEURONS)
            count.setValue(neurons)
            count.setObjectName(f"neurons_{k}")
            count.setToolTip("Neurons in this layer")
            box = self._activation_box()
            box.setCurrentText(act)
            check = QCheckBox("bias")
            check.setChecked(bias)
            remove = QPushButton("Remove")
            remove.setToolTip("Remove this hidden layer")
            remove.clicked.connect(lambda _=False, i=k: self.remove_layer(i))
            for col, w in enumerate((QLabel(f"layer {k + 1}"), count, box, check, remove)):
                self.grid.addWidget(w, k, col)
            count.valueChanged.connect(self._edited)
            box.currentTextChanged.connect(self._edited)
            check.toggled.connect(self._edited)
            self.rows.append((count, box, check))

    def _refuse_count(self, k: int, typed: str) -> None:
        self.session.refuse(f"Neurons in hidden layer {k + 1}: {quoted(typed)} is not a "
                            f"whole number from 1 to {MAX_NEURONS}; the network stays as "
                            "it is.")

    def hidden_layers(self) -> list[Layer]:
        return [Layer(c.value(), b.currentText(), k.isChecked()) for c, b, k in self.rows]

    def add_layer(self) -> None:
        if len(self.rows) + 1 >= MAX_LAYERS:
            self.session.refuse(f"a network has at most {MAX_LAYERS - 1} hidden layers.")
            return
        specs = [(ly.neurons, ly.activation, ly.bias) for ly in self.hidden_layers()]
        self._show_rows([*specs, (2, "sigmoid", True)])
        self.apply()

    def remove_layer(self, index: int) -> None:
        specs = [(ly.neurons, ly.activation, ly.bias) for ly in self.hidden_layers()]
        del specs[index]
        self._show_rows(specs)
        self.apply()

    def _structure(self, layers, output_activation, output_bias, loss, naming) -> tuple:
        return (tuple((ly.neurons, ly.activation, ly.bias) for ly in layers),
                output_activation, output_bias, loss, naming)

    def _edited(self, *_args) -> None:
        """A committed change in a field: rebuild only if the network would differ (a
        bare Enter, or a value typed back to what it was, keeps the trained weights)."""
        net = self.session.network
        now = self._structure(net.layers[:-1], net.layers[-1].activation,
                              net.layers[-1].bias, self.session.loss_name, net.naming)
        wanted = self._structure(self.hidden_layers(), self.out_act.currentText(),
                                 self.out_bias.isChecked(), self.loss.currentData(),
                                 self.naming.currentData())
        if wanted != now:
            self.apply()

    def _may_replace_values(self) -> bool:
        """Ask before random weights replace trained or typed ones (Qt's standard
        question; Ctrl+Z would bring them back, but a class should not need to know)."""
        if not self.session.has_trained_values():
            return True
        steps = self.session.steps_done
        done = f"{steps} trained step{'s' if steps != 1 else ''} and the" if steps else "The"
        answer = QMessageBox.question(
            self, "Rebuild the network?",
            f"Rebuilding starts from new random weights. {done} values now in the network "
            "will be replaced (Edit → Undo brings them back).\n\nRebuild the network?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def apply(self, *_args, data_file: str | None = None) -> bool:
        if not self._may_replace_values():
            self.read_lesson()  # the fields show the network as it still is
            return False
        built = self.session.build_network(
            self.hidden_layers(), Layer(1, self.out_act.currentText(), self.out_bias.isChecked()),
            self.loss.currentData(), self.naming.currentData(), self.seed.value(), data_file)
        if not built:
            self.read_lesson()  # show the network as it still is
        return built

    def load_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load data", "", "CSV files (*.csv)")
        if path:
            self.load_csv_from(path)

    def load_csv_from(self, path: str) -> bool:
        return self.apply(data_file=path)
