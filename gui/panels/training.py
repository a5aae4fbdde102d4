"""Training settings: the update rule (optimizer) and its settings, by PyTorch's names.
Every change goes through the Session (undoable; a bad value is refused, nothing
changes) and the breakdown then writes the rule's own equations with its numbers. In a
locked lesson the settings the teacher kept are disabled, saying so."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from engine.initialise import SCHEMES, SHORT_NAMES
from engine.optimizers import OPTIMIZERS, SETTINGS
from engine.runs import MAX_RUNS
from engine.schedules import SCHEDULE_SETTINGS, SCHEDULES
from gui.kit.locking import LOCKED_TIP, show_locked
from gui.kit.plot_style import RUN_COLOURS
from gui.kit.short_combo import ShortComboBox
from gui.session import Session

TIPS = {
    "momentum": "How much of the last step's velocity v carries over (torch.optim.SGD's "
                "momentum; 0.9 is usual). v = momentum × v + slope.",
    "alpha": "How slowly RMSProp's running mean of squared slopes forgets "
             "(torch.optim.RMSprop's alpha, default 0.99).",
    "beta1": "How slowly Adam's running mean of slopes m forgets (torch.optim.Adam's "
             "betas[0], default 0.9).",
    "beta2": "How slowly Adam's running mean of squared slopes s forgets (torch.optim.Adam's "
             "betas[1], default 0.999).",
    "eps": "Added to the square root in the denominator so it is never 0 (default 1e-8).",
    "weight_decay": "Adds weight_decay × value to every slope, pulling values towards 0 "
                    "(L2 regularisation, as torch.optim does; default 0).",
}


SCHEDULE_TIPS = {
    "step_size": "Updates between two cuts of the learning rate (StepLR's step_size)",
    "gamma": "What the learning rate is multiplied by at each cut (StepLR) or each update "
             "(ExponentialLR): above 0, at most 1",
    "T_max": "Updates from the lesson's rate down to eta_min (CosineAnnealingLR's T_max)",
    "eta_min": "The lowest learning rate of the cosine schedule (default 0)",
}


def _tipped(label: QLabel, tip: str) -> QLabel:
    label.setToolTip(tip)
    return label


class _RuleRows:
    """A choice of rule (optimizer, schedule) and a field per setting, the fields of the
    chosen rule shown; choices and typed settings go to `choose(name, {key: text})`,
    which refuses what it cannot use (the kept value then goes back in the field)."""

    def __init__(self, form: QFormLayout, title: str, object_name: str, prefix: str,
                 titles: dict[str, str], tips: dict[str, str], used: dict, tooltip: str,
                 rule, choose, refresh):
        self.rule, self.choose, self.used, self.panel_refresh = rule, choose, used, refresh
        self.choice = ShortComboBox()
        self.choice.setObjectName(object_name)
        for name, text in titles.items():
            # closed, the box shows the rule's name ("gradient descent", "step decay"):
            # in a column of the panel the whole title was cut mid-word
            self.choice.add_choice(text.split(" (")[0].split(":")[0], text, name)
        self.choice.setToolTip(tooltip)
        self.choice.activated.connect(self._chosen)
        # The long titles must not widen the dock past a 1280-pixel screen's share.
        self.choice.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(14)
        form.addRow(title, self.choice)
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for key, tip in tips.items():
            field = QLineEdit()
            field.setObjectName(f"{prefix}_{key}")
            field.setToolTip(tip)
            field.editingFinished.connect(lambda key=key: self._typed(key))
            label = QLabel(key)
            label.setToolTip(tip)
            form.addRow(label, field)
            self.fields[key], self.labels[key] = field, label

    def refresh(self) -> None:
        rule = self.rule()
        index = self.choice.findData(rule.name)
        if self.choice.currentIndex() != index:
            self.choice.setCurrentIndex(index)
        for key, field in self.fields.items():
            shown = key in self.used[rule.name]
            field.setVisible(shown)
            self.labels[key].setVisible(shown)
            if shown and not field.hasFocus():
                text = fmt(getattr(rule, key), 10)
                if field.text() != text:
                    field.setText(text)

    def show_locked(self, locked: bool) -> None:
        for widget in (self.choice, *self.fields.values(), *self.labels.values()):
            show_locked(widget, locked)

    def _chosen(self, index: int) -> None:
        if not self.choose(self.choice.itemData(index)):
            self.panel_refresh()

    def _typed(self, key: str) -> None:
        field, rule = self.fields[key], self.rule()
        if not field.isVisible() or field.text() == fmt(getattr(rule, key), 10):
            return
        if not self.choose(rule.name, {key: field.text()}):
            field.setText(fmt(getattr(self.rule(), key), 10))  # the kept value


def _note(lines: int) -> QLabel:
    """Words under a field, wrapped, with room for `lines` lines kept whether they need
    them or not: a text that wrapped once more moved every field below it (and brought a
    scroll bar, which moved the fields beside it)."""
    note = QLabel()
    note.setWordWrap(True)
    note.setAlignment(Qt.AlignLeft | Qt.AlignTop)
    note.setMinimumHeight(lines * note.fontMetrics().lineSpacing())
    return note


class TrainingPanel(QWidget):
    """Two columns side by side where the dock is wide enough (at 1366x768 the settings
    fit without a scroll bar): how each update is made on the left, the split, the start
    values and the runs to compare on the right; one column under the other in a narrow
    dock, which must never scroll sideways."""

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("trainingPanel")
        self.session = session
        self.columns = QBoxLayout(QBoxLayout.LeftToRight, self)
        # Each column a widget whose width comes from its share of the panel alone, not
        # from the length of its words: a batching description that grew moved the
        # right column's fields sideways. Their least widths are set in _choose_columns.
        self.column_widgets = (QWidget(), QWidget())
        form, right = (QFormLayout(column) for column in self.column_widgets)
        self.forms = (form, right)
        for column, layout in zip(self.column_widgets, self.forms, strict=True):
            layout.setContentsMargins(0, 0, 0, 0)
            column.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            self.columns.addWidget(column, 1)
        self.optimizer_rows = _RuleRows(
            form, "Optimizer", "optimizerChoice", "optimizer", OPTIMIZERS, TIPS, SETTINGS,
            "How a slope becomes a step. Gradient descent is the articles' rule (step size "
            "= slope × learning rate); the others remember earlier slopes. The breakdown "
            "shows the chosen rule's equations with their numbers. A new optimizer starts "
            "with an empty memory at the current step; Undo takes it back.",
            lambda: session.optimizer, session.set_optimizer, self.refresh)
        self.schedule_rows = _RuleRows(
            form, "Rate schedule", "scheduleChoice", "schedule", SCHEDULES, SCHEDULE_TIPS,
            SCHEDULE_SETTINGS,
            "How the learning rate changes from update to update (torch.optim."
            "lr_scheduler, stepped once per update); the breakdown shows this update's rate",
            lambda: session.schedule, session.set_schedule, self.refresh)
        # The names the tests and the window know them by.
        self.rule, self.fields = self.optimizer_rows.choice, self.optimizer_rows.fields
        self.schedule = self.schedule_rows.choice
        self.batch_size = QLineEdit()
        self.batch_size.setObjectName("batchSize")
        self.batch_size.setPlaceholderText("all")
        self.batch_size.setToolTip("Samples per update. Empty or 0: every sample (the "
                                   "articles' full batch); 1: one sample at a time "
                                   "(stochastic gradient descent); B: mini-batches of B. "
                                   "The samples are shuffled every epoch, as PyTorch's "
                                   "DataLoader(shuffle=True) does.")
        self.batch_size.editingFinished.connect(self._batching_typed)
        self.seed = QLineEdit()
        self.seed.setObjectName("batchSeed")
        self.seed.setToolTip("The shuffle's seed: the same seed, the same batches (Undo "
                             "and the history slider take the same steps again)")
        self.seed.setMaximumWidth(self.seed.fontMetrics().horizontalAdvance("0" * 12))
        self.seed.editingFinished.connect(self._batching_typed)
        batching = QHBoxLayout()
        batching.addWidget(self.batch_size, 1)
        batching.addWidget(_tipped(QLabel("seed"), self.seed.toolTip()))
        batching.addWidget(self.seed)
        form.addRow("Batch size", batching)
        # "one sample at a time (stochastic), shuffled with seed 0; 3 updates per epoch
        # of 3 samples" takes three lines in a column at 1366 px
        self.batches = _note(3)
        self.batches.setObjectName("batchesNow")
        form.addRow(self.batches)
        self.note = QLabel("The learning rate is in the toolbar.")
        self.note.setWordWrap(True)
        form.addRow(self.note)
        split = QHBoxLayout()
        self.validation = QLineEdit()
        self.validation.setObjectName("validationFraction")
        self.validation.setPlaceholderText("none")
        self.validation.setToolTip(
            "The share of the samples held out of training, e.g. 0.2 (empty or 0: none). "
            "Their loss, the validation loss, is drawn beside the training loss: a network "
            "that fits its training samples ever better while the held-out ones get worse "
            "is overfitting. At least one sample must train and one be held out.")
        self.validation.editingFinished.connect(self._validation_typed)
        self.validation_seed = QLineEdit()
        self.validation_seed.setObjectName("validationSeed")
        self.validation_seed.setToolTip("The seed that picks the samples held out: the same "
                                        "seed, the same samples")
        self.validation_seed.setMaximumWidth(
            self.validation_seed.fontMetrics().horizontalAdvance("0" * 12))
        self.validation_seed.editingFinished.connect(self._validation_typed)
        split.addWidget(self.validation, 1)
        split.addWidget(_tipped(QLabel("seed"), self.validation_seed.toolTip()))
        split.addWidget(self.validation_seed)
        right.addRow("Validation", split)
        self.split_now = _note(2)
        self.split_now.setObjectName("validationNow")
        right.addRow(self.split_now)
        start = QHBoxLayout()  # under the scheme: its seed and the button
        self.scheme = ShortComboBox()
        self.scheme.setObjectName("initScheme")
        for name, title in SCHEMES.items():
            self.scheme.add_choice(SHORT_NAMES[name], title, name)
        self.scheme.setCurrentIndex(self.scheme.findData("xavier"))
        # Not sized to its longest title: that gave the whole panel a sideways scroll
        # bar at 1280 px; the list shows the titles whole, the closed box a short name
        # (the longest, "uniform ±1/√fan_in", whole) and the tooltip the chosen title.
        self.scheme.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.scheme.setMinimumContentsLength(max(map(len, SHORT_NAMES.values())))
        self.scheme.currentIndexChanged.connect(self._scheme_tip)
        self._scheme_tip()
        self.init_seed = QLineEdit("0")
        self.init_seed.setObjectName("initSeed")
        self.init_seed.setMaximumWidth(self.init_seed.fontMetrics().horizontalAdvance("0" * 12))
        self.init_seed.setToolTip("The seed: the same seed, the same starting values")
        renew = QPushButton("New start values")
        renew.setObjectName("reinitialise")
        renew.setToolTip("Draw new starting values for every weight and bias, back at "
                         "step 0 with today's settings. Reset returns to them; Ctrl+Z "
                         "undoes it.")
        renew.clicked.connect(self._reinitialise)
        start.addWidget(_tipped(QLabel("seed"), self.init_seed.toolTip()))
        start.addWidget(self.init_seed)
        start.addWidget(renew)
        start.addStretch(1)
        self.start_values = (self.scheme, self.init_seed, renew)
        right.addRow("Start values", self.scheme)
        right.addRow(start)
        right.addRow(self._kept_runs_box(session))
        session.runsChanged.connect(self._refresh_runs)
        session.lessonChanged.connect(self._refresh_runs)
        session.stateChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        session.lessonChanged.connect(self._show_start)
        self._show_start()
        session.lockChanged.connect(self._show_lock)
        self._show_lock()
        self._choose_columns()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # presenter mode: other widths
            QTimer.singleShot(0, self, self._choose_columns)

    def _show_lock(self) -> None:
        s = self.session
        self.optimizer_rows.show_locked(not s.may_change("optimizer"))
        self.schedule_rows.show_locked(not s.may_change("schedule"))
        for widget in (self.batch_size, self.seed):
            show_locked(widget, not s.may_change("batching"))
        for widget in (self.validation, self.validation_seed):
            show_locked(widget, not s.may_change("validation"))
        for widget in self.start_values:
            show_locked(widget, not s.may_change("start_values"))
        self.refresh()
        self._refresh_runs()

    def _kept_runs_box(self, session: Session) -> QWidget:
        """Keep a run; the kept ones as a list: the box shows or hides a run, a double
        click renames it, Remove forgets the chosen one."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.keep = keep = QPushButton("Keep this run")
        keep.setObjectName("keepRun")
        keep.setToolTip(f"Keep this run's loss curve and path (up to {MAX_RUNS}): change a "
                        "setting, Reset and Run again, and both show on the loss plot and "
                        "the landscape. Ctrl+Z undoes it.")
        keep.clicked.connect(session.keep_run)
        self.remove = QPushButton("Remove")
        self.remove.setObjectName("removeRun")
        self.remove.setToolTip("Forget the chosen kept run (Ctrl+Z brings it back)")
        self.remove.clicked.connect(self._remove_run)
        self.forget = forget = QPushButton("Forget all")
        forget.setObjectName("forgetRuns")
        forget.setToolTip("Forget every kept run (Ctrl+Z brings them back)")
        forget.clicked.connect(session.forget_runs)
        for button in (keep, self.remove, forget):
            buttons.addWidget(button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.kept = QListWidget()
        self.kept.setObjectName("keptRuns")
        self.kept.setToolTip("Runs kept to compare, in their colours on the loss plot and the "
                             "landscape. The box shows or hides a run; double-click a name "
                             "(or F2) to rename it. Saved with the lesson.")
        self.kept.setEditTriggers(QAbstractItemView.DoubleClicked
                                  | QAbstractItemView.EditKeyPressed)
        self._fit_kept_list(0)
        self.kept.itemChanged.connect(self._run_edited)
        self.kept.currentRowChanged.connect(lambda _: self._enable_remove())
        lay.addWidget(self.kept)
        self.no_runs = QLabel("No run kept to compare yet.")
        self.no_runs.setObjectName("noKeptRuns")
        lay.addWidget(self.no_runs)
        return box

    def refresh(self, typing_kept: bool = True) -> None:
        """The settings as the Session has them; a field being typed in keeps its text
        unless `typing_kept` is False (a refusal: the kept value goes back in)."""
        self.optimizer_rows.refresh()
        self.schedule_rows.refresh()
        batching, samples = self.session.batching, self.session.n_training
        for field, text in ((self.batch_size, str(batching.size) if batching.size else ""),
                            (self.seed, str(batching.seed))):
            if not (typing_kept and field.hasFocus()) and field.text() != text:
                field.setText(text)
        self.seed.setEnabled(not batching.is_full(samples)
                             and self.session.may_change("batching"))
        per_epoch = batching.per_epoch(samples)
        self.batches.setText(f"Each update: {batching.describe(samples)}; {per_epoch} "
                             f"update{'' if per_epoch == 1 else 's'} per epoch of "
                             f"{samples} samples.")
        validation, everyone = self.session.validation, len(self.session.inputs)
        for field, text in ((self.validation, "" if validation.is_none
                             else fmt(validation.fraction, 6)),
                            (self.validation_seed, str(validation.seed))):
            if not (typing_kept and field.hasFocus()) and field.text() != text:
                field.setText(text)
        self.split_now.setText(f"Of {everyone} samples: {validation.describe(everyone)}.")

    def _refresh_runs(self) -> None:
        runs, may = self.session.kept_runs, self.session.may_change("runs")
        for button in (self.keep, self.forget):
            show_locked(button, not may)
        changeable = Qt.ItemIsEditable | Qt.ItemIsUserCheckable if may else Qt.NoItemFlags
        self.kept.blockSignals(True)
        if self.kept.count() != len(runs):
            self.kept.clear()
            for k in range(len(runs)):
                item = QListWidgetItem()
                swatch = QPixmap(14, 14)
                swatch.fill(QColor(RUN_COLOURS[k]))
                item.setIcon(QIcon(swatch))
                self.kept.addItem(item)
        for k, run in enumerate(runs):
            item = self.kept.item(k)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | changeable)
            if item.text() != run.name:
                item.setText(run.name)
            item.setCheckState(Qt.Checked if run.visible else Qt.Unchecked)
            last = int(run.steps[-1])
            text = f"{run.name}: {len(run.steps)} rows to step {last}, " \
                f"loss {fmt(float(run.loss[-1]), 6)}"
            validation = run.last_validation()
            if validation is None:
                text += " at the end"
            elif validation[0] == last:
                text += f" and validation loss {fmt(validation[1], 6)} (dotted) at the end"
            else:  # the split was cleared before the run was kept
                text += (f" at the end, validation loss {fmt(validation[1], 6)} (dotted) at "
                         f"step {validation[0]}, the last with a split")
            item.setToolTip(text + f"{'' if run.visible else ' (hidden)'}"
                            f"{'' if may else chr(10) * 2 + LOCKED_TIP}")
        self.kept.blockSignals(False)
        self._fit_kept_list(len(runs))
        self.kept.setVisible(bool(runs))
        self.no_runs.setVisible(not runs)
        self._enable_remove()

    def _fit_kept_list(self, count: int) -> None:
        """As tall as the runs kept (up to MAX_RUNS rows): room for four empty rows
        pushed the panel past its dock at 1366x768."""
        row = self.kept.sizeHintForRow(0) if self.kept.count() else \
            self.kept.fontMetrics().height() + 6
        self.kept.setFixedHeight(row * max(1, min(count, MAX_RUNS))
                                 + 2 * self.kept.frameWidth() + 4)

    # --- two columns or one -------------------------------------------------------
    def _side_by_side_width(self) -> int:
        left, right = (form.minimumSize().width() for form in self.forms)
        margins = self.columns.contentsMargins()
        return left + right + self.columns.spacing() + margins.left() + margins.right()

    def _one_column_width(self) -> int:
        margins = self.columns.contentsMargins()
        return max(form.minimumSize().width() for form in self.forms) \
            + margins.left() + margins.right()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._choose_columns()

    def _choose_columns(self) -> None:
        """Side by side when the panel is wide enough for both columns, else one under
        the other. The panel may be made as narrow as one column needs (its scroll area
        then sizes it to the view), so a narrowing dock reaches here and never scrolls
        sideways."""
        for column, form in zip(self.column_widgets, self.forms, strict=True):
            column.setMinimumWidth(form.minimumSize().width())
        self.setMinimumWidth(self._one_column_width())
        wide = self.width() >= self._side_by_side_width()
        direction = QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)

    def _enable_remove(self) -> None:
        show_locked(self.remove, not self.session.may_change("runs"))
        if self.session.may_change("runs"):
            self.remove.setEnabled(0 <= self.kept.currentRow() < self.kept.count())
            self.forget.setEnabled(self.kept.count() > 0)  # nothing to forget yet

    def _run_edited(self, item: QListWidgetItem) -> None:
        """A box ticked or a name typed in the list: the Session decides."""
        k = self.kept.row(item)
        runs = self.session.kept_runs
        if not 0 <= k < len(runs):
            return
        visible = item.checkState() == Qt.Checked
        done = True
        if visible != runs[k].visible:
            done = self.session.set_run_visible(k, visible)
        elif item.text() != runs[k].name:
            done = self.session.rename_run(k, item.text())
        if not done:
            self._refresh_runs()  # the kept name back in the list

    def _remove_run(self) -> None:
        k = self.kept.currentRow()
        if 0 <= k < self.kept.count():
            self.session.remove_run(k)

    def _batching_typed(self) -> None:
        if not self.session.set_batching(self.batch_size.text(), self.seed.text()):
            self.refresh(typing_kept=False)  # the kept values back in the fields

    def _validation_typed(self) -> None:
        if not self.session.set_validation(self.validation.text(),
                                           self.validation_seed.text()):
            self.refresh(typing_kept=False)  # the kept values back in the fields

    def _scheme_tip(self) -> None:
        self.scheme.setToolTip("How new starting values are drawn (torch.nn.init's "
                               f"schemes): {self.scheme.currentText()}")

    def _show_start(self) -> None:
        """The scheme and seed the lesson's starting values came from, where it says
        (its notes may: "Xavier-uniform from seed 7"), to draw them again or another."""
        drawn = self.session.start_values_drawn
        if drawn is not None:
            self.scheme.setCurrentIndex(self.scheme.findData(drawn[0]))
            self.init_seed.setText(str(drawn[1]))

    def _reinitialise(self) -> None:
        self.session.reinitialise(self.scheme.currentData(), self.init_seed.text())
