"""Build your own network: hidden layers and their neurons, activations, biases, the
loss, the naming, a seed for the random start, and data from a CSV file. Every change
rebuilds at once (undoably) and the other panels follow."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine import Layer
from engine.activations import ACTIVATIONS
from engine.lesson import MAX_LAYERS, MAX_NEURONS
from engine.losses import LOSSES
from engine.naming import NAMINGS
from gui.session import Session


class NetworkEditor(QWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("networkEditor")
        self.session = session
        self.rows: list[tuple[QSpinBox, QComboBox, QCheckBox]] = []
        outer = QVBoxLayout(self)
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
        self.loss = QComboBox()
        self.loss.addItems(list(LOSSES))
        self.loss.setToolTip("ssr: Σ(Observed − Predicted)²; half_sse: ½Σ(…)²; mse: Σ(…)²/n")
        form.addRow("Loss", self.loss)
        self.naming = QComboBox()
        self.naming.addItems(list(NAMINGS))
        self.naming.setToolTip("sequential: w1, w2, … (StatQuest); layered: w211 = layer 2, "
                               "neuron 1, input 1")
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
            w.currentTextChanged.connect(self.apply)
        self.out_bias.toggled.connect(self.apply)
        session.lessonChanged.connect(self.read_lesson)
        self.read_lesson()

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
        self.loss.setCurrentText(self.session.loss_name)
        self.naming.setCurrentText(net.naming)
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
            count = QSpinBox()
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
            count.valueChanged.connect(self.apply)
            box.currentTextChanged.connect(self.apply)
            check.toggled.connect(self.apply)
            self.rows.append((count, box, check))

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

    def apply(self, *_args, data_file: str | None = None) -> bool:
        built = self.session.build_network(
            self.hidden_layers(), Layer(1, self.out_act.currentText(), self.out_bias.isChecked()),
            self.loss.currentText(), self.naming.currentText(), self.seed.value(), data_file)
        if not built:
            self.read_lesson()  # show the network as it still is
        return built

    def load_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load data", "", "CSV files (*.csv)")
        if path:
            self.load_csv_from(path)

    def load_csv_from(self, path: str) -> bool:
        return self.apply(data_file=path)
