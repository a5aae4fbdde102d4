"""The main window: composition only. The network diagram in the middle, the panels in
docks around it, the menus (gui/menus.py) and the file actions (gui/file_actions.py)."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.diagram import MAX_DRAWN_EDGES
from engine.lock import PANELS
from gui.appearance import Appearance
from gui.autosave import Autosave
from gui.file_actions import FileActions
from gui.kit.dock_proportions import DockProportions, group_height
from gui.kit.dock_title import DockTitle
from gui.kit.focus import ReturnLeavesField
from gui.kit.plot_style import scale_items, style_plot
from gui.kit.throttle import LazyPanel
from gui.kit.wheel_guard import WheelScrollsPanels
from gui.lesson_text import LessonTextDialog
from gui.lock_dialog import LockDialog
from gui.menus import SHORTCUTS, build_menus
from gui.panels.accuracy import AccuracyPanel
from gui.panels.breakdown import BreakdownPanel
from gui.panels.controls import Controls
from gui.panels.data import DataPanel
from gui.panels.editor import NetworkEditor
from gui.panels.flow import FlowAnimation
from gui.panels.gradient_check import GradientCheckTable
from gui.panels.history import MAX_PARAM_COLUMNS, HistorySlider, HistoryTable
from gui.panels.landscape import LandscapeView
from gui.panels.loss import LossPlot
from gui.panels.network_view import NetworkView
from gui.panels.parameters import MAX_FIELDS, ParametersPanel
from gui.panels.quiz import QuizPanel
from gui.panels.tangent import TangentPlot
from gui.panels.training import TrainingPanel
from gui.runner import Runner
from gui.session import Session, session_for

MESSAGE_MS, REFUSAL_MS = 8000, 15000
# Presenter mode: a network of at most this many neurons (inputs included) has its words
# HALF_AGAIN as large as in the normal layout, the breakdown beside and the data under
# it narrowed for them down to these shares of the window.
SMALL_NETWORK_NODES, HALF_AGAIN, MIN_BREAKDOWN_SHARE, MIN_DATA_SHARE = 10, 1.5, 0.33, 0.26
MIN_PLOT_PX = 150  # where a plot draws (inside its axes), in presenter mode too
# Presenter mode's data tab, tucked under the diagram: its plot draws at least this high
# (its big markers keep ~40 px of it as margin) and its table shows this many rows whole.
PRESENTER_DATA_PX, PRESENTER_DATA_ROWS = 175, 4
SETTLE_S = 1.5
BREAKDOWN_CHARS = 36  # the Derivative breakdown's least width, in characters
# Where versions that remembered presenter mode between runs kept it (see restore_layout).
STALE_PRESENTER_KEY = "appearance/presenter"
PROPORTIONS_KEY = "window/proportions"  # how the layout kept grows with the window
# Presenter mode's tab titles, short enough for three tab groups at 1280 px and 1.6x fonts.
PRESENTER_TITLES = {"breakdown": "Breakdown", "data": "Data", "history": "History",
                    "notes": "Notes"}


class MainWindow(QMainWindow):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setObjectName("mainWindow")
        self.network_view = NetworkView(session)
        self.setCentralWidget(self.network_view)
        self.flow = FlowAnimation(self.network_view, session)
        self.runner = Runner(session)
        self.controls = Controls(session, self.runner, self)
        self.addToolBar(self.controls)
        self.parameters = ParametersPanel(session)
        self.breakdown = BreakdownPanel(session)
        self.loss_plot = LossPlot(session)
        self.data_panel = DataPanel(session)
        self.history = HistoryTable(session)
        self.lazy_tangent = LazyPanel(lambda: TangentPlot(session), self._styled)
        self.lazy_landscape = LazyPanel(lambda: LandscapeView(session), self._styled)
        self.gradient_check = GradientCheckTable(session)
        self.editor = NetworkEditor(session)
        self.quiz = QuizPanel(session)
        self.accuracy = AccuracyPanel(session)
        self.training = TrainingPanel(session)
        loss_box = QWidget()
        lay = QVBoxLayout(loss_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.loss_plot)
        self.log_check = QCheckBox("Log scale")
        self.log_check.setObjectName("logScale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis")
        self.log_check.toggled.connect(self.loss_plot.set_log)
        row = QHBoxLayout()
        row.addWidget(self.log_check)
        self.history_slider = HistorySlider(session)
        row.addWidget(self.history_slider, 1)
        lay.addLayout(row)
        self.docks = {}
        # Keyed and titled by engine.lock.PANELS: a locked lesson names them so.
        for key, widget, area in (
            ("parameters", self.parameters, Qt.LeftDockWidgetArea),
            ("breakdown", self.breakdown, Qt.RightDockWidgetArea),
            ("loss", loss_box, Qt.RightDockWidgetArea),
            ("data", self.data_panel, Qt.BottomDockWidgetArea),
            ("history", self.history, Qt.BottomDockWidgetArea),
            ("tangent", self.lazy_tangent, Qt.RightDockWidgetArea),
            ("landscape", self.lazy_landscape, Qt.RightDockWidgetArea),
            ("accuracy", self.accuracy, Qt.RightDockWidgetArea),
            ("gradcheck", self.gradient_check, Qt.BottomDockWidgetArea),
            ("editor", scrolled(self.editor), Qt.BottomDockWidgetArea),
            ("training", scrolled(self.training), Qt.BottomDockWidgetArea),
            ("quiz", self.quiz, Qt.RightDockWidgetArea),
        ):
            self.docks[key] = self._dock(key, widget, area)
        self._laid_out = False
        self._presenter_layouts_made = 0  # (a deferred step of an older one is dropped)
        self._layouts_restored = 0  # a deferred resize of a layout since replaced is dropped
        self.lesson_text_dialog: LessonTextDialog | None = None
        self.lock_dialog: LockDialog | None = None
        self._hidden_by_lock: set[str] = set()  # docks a lock hid: unlocking shows them
        self._settling = 0.0  # until when a resize still re-lays out the first layout
        self.autosave = Autosave(session)
        self.files = FileActions(self, session)
        self.appearance = appearance_for(QApplication.instance())
        self.appearance.changed.connect(self.restyle)
        self.notes = QTextBrowser()
        self.notes.setObjectName("lessonNotes")
        self.notes.setOpenExternalLinks(True)
        # Whole words: Qt's default breaks a word that does not fit ("measur/ed").
        self.notes.setWordWrapMode(QTextOption.WordWrap)
        self.notes.setToolTip("The lesson's own text (its description, in Markdown); "
                              "Edit → Lesson title and notes… changes it")
        self.docks["notes"] = self._dock("notes", self.notes, Qt.LeftDockWidgetArea)
        # The side columns take the whole height; the data panels sit under the diagram.
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        for first, *others in (("data", "history", "gradcheck", "training", "editor"),
                               ("loss", "tangent", "landscape", "accuracy"),
                               ("parameters",),
                               ("breakdown", "quiz")):
            for other in others:
                self.tabifyDockWidget(self.docks[first], self.docks[other])
            self.docks[first].raise_()
        self._default_state = self.saveState()  # for View → Reset layout
        # the layout to go back to when presenter mode ends, with how it was kept
        self._presenter_state = None
        self._normal_words_px: float | None = None  # the diagram's, as presenter mode began
        # kept as the window resizes
        self.proportions = DockProportions(self, self.docks, self.apply_default_layout)
        session.lessonChanged.connect(self.show_notes)
        self.show_notes()
        build_menus(self)
        self.return_leaves_field = ReturnLeavesField(self, session.refused)
        self.wheel_scrolls_panels = WheelScrollsPanels(self)
        self.restyle()
        self._news, self._news_at = "", None  # the last news shown, and its undo place
        session.undo_stack.indexChanged.connect(self._news_outdated)
        session.message.connect(self.show_message)
        session.refused.connect(self.show_refusal)
        session.warning.connect(self.show_refusal)  # as visible as a refusal
        session.refusalWithdrawn.connect(self._clear_refusal)
        self.statusBar().messageChanged.connect(self._plain_when_empty)
        session.problem.connect(self.files.error)
        session.runningChanged.connect(self._running_changed)
        session.quizChanged.connect(self._quiz_changed)
        session.dirtyChanged.connect(self.setWindowModified)
        session.lessonChanged.connect(self._update_title)
        session.textChanged.connect(self.show_notes)
        session.quizChanged.connect(self.show_notes)
        session.textChanged.connect(self._update_title)
        self._update_title()
        self.lock_status = QLabel("Locked by the teacher · Edit → Unlock lesson…")
        self.lock_status.setObjectName("lockStatus")
        self.lock_status.setToolTip("This lesson shows the panels its teacher chose, and "
                                    "some parameters and settings cannot be changed")
        self.statusBar().addPermanentWidget(self.lock_status)
        session.lockChanged.connect(self.show_lock)
        self.show_lock()  # (and a lesson that opens in quiz mode: the quiz in front)
        self.statusBar().showMessage("Space: one step · R: run · click a weight to see its "
                                     "derivative")
        session.lessonChanged.connect(self.say_what_is_summarised)
        session.lessonChanged.connect(
            lambda *_: QTimer.singleShot(0, self, self._show_every_parameter))
        self.say_what_is_summarised()

    def _dock(self, key: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(PANELS[key], self)
        dock.setObjectName(f"{key}Dock")
        dock.title_bar = DockTitle(dock)
        dock.no_title_bar = QWidget(dock)  # presenter mode's: see _show_title_bars
        dock.no_title_bar.hide()
        dock.setTitleBarWidget(dock.title_bar)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # --- status ------------------------------------------------------------------
    def say_what_is_summarised(self) -> None:
        """A lesson past what the window draws in full opens saying what is summarised,
        so that a missing field or column reads as a choice, not a fault."""
        text = summary_of(self.session)
        if text:
            self.show_message(text)

    def show_message(self, text: str) -> None:
        """News of what was just done, for MESSAGE_MS or until the next thing done (an
        undo step more or less): "Reset to the lesson's starting values (Ctrl+Z undoes
        it)" stayed on after more Steps, when Ctrl+Z would undo a Step (a tester)."""
        self.statusBar().setStyleSheet("")
        self.statusBar().showMessage(text, MESSAGE_MS)
        self._news, self._news_at = text, None
        # where the undo stack stands once what the news is about is done
        QTimer.singleShot(0, self._note_news_place)

    def _note_news_place(self) -> None:
        self._news_at = self.session.undo_stack.index()

    def _news_outdated(self, index: int) -> None:
        if self._news_at is not None and index != self._news_at \
                and self.statusBar().currentMessage() == self._news:
            self.statusBar().clearMessage()

    def show_refusal(self, text: str) -> None:
        """A refusal stands out (bold, red) and goes when the Session says its cause is
        gone (the next change that works, the same value typed again, quiz mode or Run
        left), or after REFUSAL_MS."""
        self.statusBar().setStyleSheet("QStatusBar { color: #c62828; font-weight: bold; }")
        self.statusBar().showMessage(text, REFUSAL_MS)

    def _clear_refusal(self) -> None:
        if self.statusBar().currentMessage().startswith("Refused"):
            self.statusBar().clearMessage()

    def _plain_when_empty(self, text: str) -> None:
        if not text:  # the red of a refusal or warning goes with its words
            self.statusBar().setStyleSheet("")

    def _running_changed(self, running: bool) -> None:
        if not running and self.statusBar().currentMessage().startswith("Running"):
            self.statusBar().clearMessage()

    # --- modes -------------------------------------------------------------------
    def _quiz_changed(self, on: bool) -> None:
        self.quiz_action.setChecked(on)
        key = "quiz" if on else "breakdown"
        if self.session.shows_panel(key):
            self.docks[key].show()
            self.docks[key].raise_()

    # --- locked lessons ----------------------------------------------------------
    def show_lock(self) -> None:
        """A locked lesson shows only the panels its teacher chose (the View menu cannot
        bring the others back) and says it is locked in the status bar; unlocking shows
        again the panels the lock hid. Called after anything that lays the docks out."""
        s = self.session
        for key, dock in self.docks.items():
            shown = s.shows_panel(key)
            dock.toggleViewAction().setEnabled(shown)
            if not shown and not dock.isHidden():
                self._hidden_by_lock.add(key)
                dock.hide()
            elif shown and key in self._hidden_by_lock:
                self._hidden_by_lock.discard(key)
                dock.show()
        self.lesson_text_action.setEnabled(s.may_change("notes"))
        self.unlock_action.setEnabled(s.lock is not None)
        self.lock_status.setVisible(s.lock is not None)
        QTimer.singleShot(0, self._hide_stale_tab_bars)
        # After any layout (the user's restored, the default, a lock's): a lesson that
        # opens in quiz mode had its quiz behind the breakdown's tab (a tester's student
        # read "Quiz: work out the numbers…" and had to find the panel).
        if s.quiz_active:
            self._quiz_changed(True)

    def edit_lock(self) -> None:
        """Edit → Lock lesson for students…: window-modal, so Run and timers go on."""
        dialog = LockDialog(self.session, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.show()
        self.lock_dialog = dialog  # for tests and the screenshot tool

    def unlock(self) -> None:
        """Edit → Unlock lesson…: after a plain Yes (no password: a teacher's tool)."""
        if self.session.lock is not None and self.confirm_unlock():
            self.session.set_lock(None)

    def confirm_unlock(self) -> bool:
        box = QMessageBox(QMessageBox.Question, "Unlock lesson",
                          "Unlock this lesson? Every panel, parameter and setting comes "
                          "back.\n\nSave afterwards to keep the lesson file unlocked; "
                          "Ctrl+Z locks it again.", QMessageBox.Cancel, self)
        unlock = box.addButton("Unlock", QMessageBox.AcceptRole)
        box.setDefaultButton(QMessageBox.Cancel)
        box.exec()
        return box.clickedButton() is unlock

    def set_presenter(self, on: bool) -> None:
        """Presenter mode is a layout, not only bigger fonts: the diagram, the breakdown
        and the loss large, every other panel a tab under the diagram until asked for.
        Leaving it puts back the layout it started from, exactly."""
        if on == self.appearance.presenter:
            self.presenter_action.setChecked(on)
            return
        if on:
            self._presenter_state = (self.saveState(), self.proportions.record())
            self._normal_words_px = self.network_view.word_px_on_screen()
        self.appearance.set_presenter(on)
        if on:
            self._presenter_layout()
        elif self._presenter_state is not None:
            # After the normal fonts have reached every dock (their minimum sizes with them).
            (state, kept), self._presenter_state = self._presenter_state, None
            QApplication.processEvents()
            self.restoreState(state)
            self.proportions.restore(kept)
        else:  # made while another window presented: no earlier layout to go back to
            self.restoreState(self._default_state)
            self.apply_default_layout()
        if not on:
            self._set_dock_titles(PANELS)
            self._show_title_bars(True)
        self.presenter_action.setChecked(on)
        self.show_lock()

    def _presenter_layout(self) -> None:
        # Three tab groups, each under a big panel's width: ten tabs under the diagram
        # alone needed 1418 px of its 686 (1280 px screen), and hid four behind scroll
        # arrows even at 1920. With the breakdown: text about derivatives; with the loss:
        # the other plots; under the diagram: the data and what changes the network.
        groups = {"data": ("parameters", "history", "training", "editor"),
                  "breakdown": ("gradcheck", "notes"),
                  "loss": ("tangent", "landscape", "accuracy")}
        areas = {"data": Qt.BottomDockWidgetArea, "breakdown": Qt.RightDockWidgetArea,
                 "loss": Qt.RightDockWidgetArea}
        self._set_dock_titles(PRESENTER_TITLES)
        # Each dock joins its group as soon as it is in the group's area: added side by
        # side first, the bottom row's minimum width grew past the screen and the window
        # with it (1280 -> 1545 px), and a window never shrinks back by itself.
        size = self.size()
        with self.proportions.arranging():
            for first, others in groups.items():
                for key in (first, *others):
                    dock = self.docks[key]
                    if key == first and not dock.isFloating() \
                            and self.dockWidgetArea(dock) == areas[first]:
                        continue  # the breakdown keeps its place above the loss
                    dock.setFloating(False)
                    self.addDockWidget(areas[first], dock)
                    if key != first:
                        self.tabifyDockWidget(self.docks[first], dock)
            # (in the groups first: with the normal layout's docks side by side, dropping
            # their title bars grew the window 13 px past the screen)
            self._show_title_bars(False)
        if not (self.isMaximized() or self.isFullScreen()):
            self.resize(size)
        for key in ("breakdown", "loss"):
            self.docks[key].show()
        self.docks["data"].raise_()
        self.docks["breakdown"].raise_()
        self.docks["loss"].raise_()
        QTimer.singleShot(0, self._hide_stale_tab_bars)
        self._size_presenter_docks()

    def _size_presenter_docks(self) -> None:
        """Presenter mode's dock sizes as shares of the window (again when it is resized)."""
        self._presenter_layouts_made += 1
        w, h = self.width(), self.height()
        # (0.46 left iris' words 1.42x normal at 1280x800; 0.42 gives 1.53x)
        self.resizeDocks([self.docks["breakdown"]], [int(w * 0.42)], Qt.Horizontal)
        self.resizeDocks([self.docks["data"]], [int(h * 0.3)], Qt.Vertical)
        self.resizeDocks([self.docks["breakdown"], self.docks["loss"]],
                         [int(h * 0.6), int(h * 0.4)], Qt.Vertical)
        # The words' room asked once the layout is applied, between the plots' first and
        # second tries (the plots' room is taken from the diagram only while its words
        # keep their size). Asked after the plots' last try, the breakdown's narrowing
        # was not applied: at 1366x768 iris' words stayed 17.17 px of 1.5x = 17.31.
        self._give_plots_room_soon()
        self._unless_replaced(lambda: self.appearance.presenter and self._give_words_room())
        self._give_breakdown_room_soon()
        self.proportions.made_by(self._size_presenter_docks)

    def _give_words_room(self) -> None:
        """Presenter mode: a small network's words half as large again as in the normal
        layout, the room they need taken from the breakdown beside the diagram (which
        keeps MIN_BREAKDOWN_SHARE of the window's width), then from the data under it
        (MIN_DATA_SHARE of its height): iris' fifteen labels on 2-2-3 filled the
        diagram's 1106 px at 1920x1080 with words 1.34x normal's; 1279x653 px give 1.52x."""
        net = self.session.network
        if net.inputs + sum(net.sizes) > SMALL_NETWORK_NODES \
                or self._normal_words_px is None:  # as large as room allows
            return
        view = self.network_view
        wanted = HALF_AGAIN * self._normal_words_px
        if view.word_px_on_screen() >= wanted:
            return
        beside, under = self.docks["breakdown"], self.docks["data"]
        port = view.viewport()
        most = (port.width() + max(0, beside.width() - int(self.width() * MIN_BREAKDOWN_SHARE)),
                port.height() + max(0, under.height() - int(self.height() * MIN_DATA_SHARE)))
        # (3 % over: a layout is judged by its outline, its first labels' text a little
        # smaller on screen)
        width, height = view.room_for_words(1.03 * wanted, most)
        if width > port.width():
            self.resizeDocks([beside], [beside.width() - int(width - port.width())],
                             Qt.Horizontal)
        if height > port.height():
            self.resizeDocks([under], [under.height() - int(height - port.height())],
                             Qt.Vertical)

    def _give_breakdown_room_soon(self, tries: int = 4, widened_from: int | None = None
                                  ) -> None:
        # (not for a presenter layout made again meanwhile: F5 as the window manager
        # maximised the window, a later try set the old window's width back)
        made = self._presenter_layouts_made
        self._unless_replaced(lambda: self.appearance.presenter
                              and made == self._presenter_layouts_made
                              and self._give_breakdown_room(tries, widened_from))

    def _give_breakdown_room(self, tries: int, widened_from: int | None) -> None:
        """Presenter mode: a breakdown taller than its panel is made wider, taking the
        width the diagram's words do not need, where that brings its whole text into view
        (its tables set more samples side by side): at 1366x768 statquest-b3's "step
        size" and "new b3" were under the fold, three samples' table in two rows, with
        room to spare beside the diagram (a tester). Where the wider text still scrolls
        (house-price's), the diagram gets its width back; a text over twice its panel's
        height (moons' paths) is not tried. Measured once the resize is applied and the
        text laid out anew for it."""
        beside = self.docks["breakdown"]
        bar = self.breakdown.verticalScrollBar()
        scrolls = bar.maximum() > 0
        if widened_from is None:
            if bar.maximum() > bar.pageStep():  # twice its panel's height: no width will do
                return
            spare = int(self.network_view.spare_width(self._presenter_words_px()))
            data = self.data_panel.plot  # (the data plot under the diagram keeps its width,
            if data.isVisible():           # and its column's tabs stay whole)
                box = data.getPlotItem().getViewBox().width()
                spare = min(spare, max(0, int(box - PRESENTER_DATA_PX)))
            under = self.docks["data"]
            spare = min(spare, under.width() - self._tabs_width(under) - 4)
            if scrolls and spare >= 10 and tries > 1:
                widened_from = beside.width()
                self.resizeDocks([beside], [widened_from + spare], Qt.Horizontal)
                self._give_breakdown_room_soon(tries - 1, widened_from)
            return
        if beside.width() == widened_from and tries > 1:  # not applied yet
            self._give_breakdown_room_soon(tries - 1, widened_from)
        elif scrolls:
            self.resizeDocks([beside], [widened_from], Qt.Horizontal)

    def _presenter_words_px(self) -> float:
        """The diagram's words in presenter mode at least: half as large again as in the
        normal layout for a small network (3 % over, as _give_words_room asks), as large
        as there for a big one (none in a window made while another one presented)."""
        net = self.session.network
        if self._normal_words_px is None:
            return 0.0
        if net.inputs + sum(net.sizes) > SMALL_NETWORK_NODES:  # (3 % over here too: at
            return 1.03 * self._normal_words_px  # 1366x768 moons' came out at 12.51 of 12.54)
        return 1.03 * HALF_AGAIN * self._normal_words_px

    def restoreState(self, state, version: int = 0) -> bool:  # noqa: N802 (Qt's name)
        self._layouts_restored += 1
        with self.proportions.arranging():
            return super().restoreState(state, version)

    def _give_plots_room_soon(self, tries: int = 4) -> None:
        self._unless_replaced(lambda: self._give_plots_room(tries))

    def _unless_replaced(self, work) -> None:
        """`work` once the layout just made is applied, unless another layout (the
        user's own, restored at start) replaces it first."""
        restored = self._layouts_restored
        QTimer.singleShot(0, lambda: restored == self._layouts_restored and work())

    def _give_plots_room(self, tries: int = 4) -> None:
        """Once laid out (the first layout, or presenter mode's): the loss and data plots
        at least MIN_PLOT_PX high where they draw, the room taken from the breakdown (the
        diagram) (at 1366x768 presenter mode's big axes left the loss plot 91 px of its
        150). In presenter mode the data, tucked under the diagram, gets PRESENTER_DATA_PX
        and PRESENTER_DATA_ROWS whole rows: at 1280x800 moons' class map was squeezed to
        99 px between its markers' margins, and iris' table showed two of its three
        samples. A tabbed dock's size in resizeDocks is not its height (its group's tab
        bar is counted or not), so it is measured again after each resize, a few times
        at most."""
        resized = False
        data = self.data_panel
        if self.appearance.presenter:  # (the diagram's words kept as presenter mode has them)
            wanted = max(plot_short(data.plot, PRESENTER_DATA_PX),
                         data.rows_short(PRESENTER_DATA_ROWS) if data.isVisible() else 0)
            words = self._presenter_words_px()
            data_short = min(wanted, int(self.network_view.spare_height(words)))
            if data_short < wanted and self._widen_diagram_for(wanted, words):
                resized = True  # (its height given at the next try, measured there)
        else:
            data_short = plot_short(data.plot, MIN_PLOT_PX)
        for short, dock, beside in ((plot_short(self.loss_plot, MIN_PLOT_PX), "loss",
                                     "breakdown"), (data_short, "data", None)):
            if short <= 0:
                continue
            resized = True
            if beside:
                a, b = self.docks[beside], self.docks[dock]
                self.resizeDocks([a, b], [group_height(self, a) - short,
                                          group_height(self, b) + short], Qt.Vertical)
            else:
                d = self.docks[dock]
                self.resizeDocks([d], [group_height(self, d) + short], Qt.Vertical)
        if self.appearance.presenter and data.plot.isVisible():
            # and as wide (iris' map was 64 px wide beside its five-column table), the
            # room taken from the breakdown down to its share for the diagram's words,
            # its column's tabs kept whole
            narrow = math.ceil(PRESENTER_DATA_PX - data.plot.getPlotItem().getViewBox().width())
            beside = self.docks["breakdown"]
            width = max(beside.width() - narrow, int(self.width() * MIN_BREAKDOWN_SHARE),
                        self._tabs_width(beside))
            if narrow > 0 and width < beside.width():
                resized = True
                self.resizeDocks([beside], [width], Qt.Horizontal)
        if resized and tries > 1:
            self._give_plots_room_soon(tries - 1)

    def _widen_diagram_for(self, height: int, words: float) -> bool:
        """Presenter mode: the diagram made wider, its breakdown beside it narrower (down
        to its share, its column's tabs whole), until its words need `height` pixels less
        height, to be given to the data under it; whether it was. At 1366x768 iris' words
        took the height and left its table two rows and a half, its map 141 px high,
        while the breakdown kept 90 px it could give."""
        beside, view = self.docks["breakdown"], self.network_view
        least = max(int(self.width() * MIN_BREAKDOWN_SHARE), self._tabs_width(beside))
        spare_width = beside.width() - least
        # the least widening that frees `height`, else the one that frees the most (none,
        # where the words are held by the drawing's height alone: moons' tall column)
        best, freed = 0, view.spare_height(words, 0)
        wider = 0
        while wider < spare_width and freed < height:
            wider = min(wider + 10, spare_width)
            now = view.spare_height(words, wider)
            if now > freed:
                best, freed = wider, now
        if best <= 0:
            return False
        self.resizeDocks([beside], [beside.width() - best], Qt.Horizontal)
        return True

    def _tabs_width(self, dock: QDockWidget) -> int:
        """The width the tab bars under the docks of a dock's column need for every tab
        whole."""
        box = dock.geometry()
        return max((sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
                    for bar in self.findChildren(QTabBar)
                    if bar.parent() is self and bar.isVisible()
                    and abs(bar.geometry().left() - box.left()) <= 3), default=0)

    def _show_title_bars(self, shown: bool) -> None:
        """Presenter mode names every panel on its group's tab only: a title bar above
        each as well took ~30 px of presenter-size text from the loss plot, which had
        103 px left to draw in at 1280x800 (91 at 1366x768)."""
        for dock in self.docks.values():
            dock.setTitleBarWidget(dock.title_bar if shown else dock.no_title_bar)

    def _set_dock_titles(self, titles: dict[str, str]) -> None:
        """Tab and title bar texts; the View menu keeps each panel's whole name."""
        for key, dock in self.docks.items():
            dock.setWindowTitle(titles.get(key, PANELS[key]))
            dock.toggleViewAction().setText(PANELS[key])

    def normal_size(self) -> None:
        """Ctrl+0: zoom 1 and presenter mode off (its layout put back)."""
        self.set_presenter(False)
        self.appearance.zoom_reset()

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def edit_lesson_text(self) -> None:
        """Edit → Lesson title and notes…: window-modal, so Run and timers go on."""
        dialog = LessonTextDialog(self.session, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.show()
        self.lesson_text_dialog = dialog  # for tests and the screenshot tool

    def show_notes(self, *_) -> None:
        # A lesson's notes tell its first step's numbers (statquest-b3's "the first slope
        # is −15.7, the step size −1.57"): the quiz's answers, shown beside it to a tester.
        if self.session.quiz_active:
            self.notes.setMarkdown("*The lesson's notes are hidden during the quiz: they "
                                   "may give its answers away. Leave the quiz (F6) to read "
                                   "them.*")
            return
        self.notes.setMarkdown(self.session.lesson.description or
                               "*This lesson has no notes.*")

    def plots(self):
        made = [lazy.panel for lazy in (self.lazy_tangent, self.lazy_landscape) if lazy.panel]
        return [self.loss_plot, self.data_panel.plot,
                *[p.plot if isinstance(p, LandscapeView) else p for p in made]]

    @property
    def tangent(self) -> TangentPlot:
        return self.lazy_tangent.get()

    @property
    def landscape(self) -> LandscapeView:
        return self.lazy_landscape.get()

    def _styled(self, panel) -> None:
        """A lazily made panel takes the current zoom and theme."""
        plot = panel.plot if isinstance(panel, LandscapeView) else panel
        style_plot(plot)
        scale_items(plot, self.appearance.scale)

    def restyle(self) -> None:
        """Fonts, line widths, markers and colours after a zoom or theme change."""
        scale = self.appearance.scale
        for plot in self.plots():
            style_plot(plot)
            scale_items(plot, scale)
        made = [lazy.panel for lazy in (self.lazy_tangent, self.lazy_landscape) if lazy.panel]
        for panel in (self.loss_plot, self.data_panel.plot, *made):
            panel.live.request()  # bigger markers need a wider margin in data units
        self.breakdown.refresh()
        for dock in self.docks.values():  # dock titles follow the zoom too
            dock.setFont(QApplication.font())
        # The breakdown's text has no least width of its own: a restored window (905 px)
        # took the room it lacked from it, 200 px with a sideways scroll bar.
        chars = QFontMetrics(QApplication.font()).averageCharWidth()
        self.docks["breakdown"].setMinimumWidth(BREAKDOWN_CHARS * chars)
        self.network_view.set_look(self.appearance.effective_theme(),
                                   self.appearance.presenter)
        self.presenter_action.setChecked(self.appearance.presenter)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.session.lesson.title}[*] — Backprop Lab")
        self.setWindowModified(self.session.dirty)

    # --- window state ------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            self.apply_default_layout()
            # A window manager maximises a first window after it is shown: lay the docks
            # out again at the size it settles on, not at the size first shown.
            self._settling = time.monotonic() + SETTLE_S
        QTimer.singleShot(0, self._hide_stale_tab_bars)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if time.monotonic() < self._settling and not self.appearance.presenter:
            QTimer.singleShot(0, self._settle_default_layout)
        else:  # the docks keep their shares of a window that grows or shrinks much
            self.proportions.resized()

    def _settle_default_layout(self) -> None:
        # Not over presenter mode's own layout (F5 pressed as the window settled: the
        # normal layout's sizes then put the Parameters tab's 444 px under the diagram).
        if not self.appearance.presenter and time.monotonic() < self._settling:
            self.apply_default_layout()

    def _hide_stale_tab_bars(self) -> None:
        """Qt 6.11 leaves the tab bar of a dock group visible after a later tabify makes
        a new one (seen with two tabbed groups): it floats over other panels. A bar whose
        tabs all appear in a bigger bar is such a leftover."""
        bars = [b for b in self.findChildren(QTabBar) if b.parent() is self and b.isVisible()]
        for bar in bars:  # whole titles; scroll buttons when they do not fit
            bar.setElideMode(Qt.ElideNone)
            bar.setUsesScrollButtons(True)
        texts = {b: [b.tabText(i) for i in range(b.count())] for b in bars}
        for bar in bars:
            if any(other is not bar and set(texts[bar]) <= set(texts[other])
                   and (len(texts[other]) > len(texts[bar]) or bars.index(other) > bars.index(bar))
                   for other in bars):
                bar.hide()

    def apply_default_layout(self) -> None:
        """Dock sizes as shares of the window (designed at 1280×800 first), so big fonts
        on a big screen still fit: parameters on the left at the width they need, the
        breakdown and the loss on the right, the data under the diagram."""
        w, h = self.width(), self.height()
        params_width = min(self.parameters.scroll.widget().sizeHint().width() + 30,
                           int(w * 0.22))
        self.resizeDocks([self.docks["parameters"], self.docks["breakdown"]],
                         [params_width, int(w * 0.39)], Qt.Horizontal)
        self.resizeDocks([self.docks["data"]], [int(h * 0.36)], Qt.Vertical)
        rows = self._parameter_list_height()
        self.resizeDocks([self.docks["parameters"], self.docks["notes"]],
                         [rows, max(h - rows - 120, 80)], Qt.Vertical)
        self.resizeDocks([self.docks["breakdown"], self.docks["loss"]],
                         [int(h * 0.58), int(h * 0.42)], Qt.Vertical)
        self._give_plots_room_soon()
        self.proportions.made_by(self.apply_default_layout)

    def _parameter_list_height(self) -> int:
        """The Parameters dock's height for every row, up to 60 % of the window's."""
        return min(self.parameters.scroll.widget().sizeHint().height() + 40,
                   int(self.height() * 0.6))

    def _show_every_parameter(self) -> None:
        """A new lesson with more parameters: their list grows, into the notes under it,
        to show them all (up to 60 % of the window's height, as the first layout does).
        From narrow-valley's three to statquest-b3's seven, the list kept its height and
        hid b3, the one parameter trained (a tester). Only in that layout (the two docks
        one above the other on the left), never smaller."""
        params, notes = self.docks["parameters"], self.docks["notes"]
        if self.appearance.presenter or not (params.isVisible() and notes.isVisible()):
            return
        if any(self.dockWidgetArea(d) != Qt.LeftDockWidgetArea or d.isFloating()
               or self.tabifiedDockWidgets(d) for d in (params, notes)):
            return
        wanted = self._parameter_list_height()
        if params.height() >= wanted:
            return
        total = params.height() + notes.height()
        self.resizeDocks([params, notes], [wanted, max(total - wanted, 80)], Qt.Vertical)

    def restore_layout(self) -> bool:
        """The user's own size and layout from the last run; False on a first launch."""
        settings = QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        # Before presenter mode stopped outliving a run, a quit in it saved its layout and
        # the flag: that layout, with normal fonts and whole titles, cut its tabs short.
        if settings.value(STALE_PRESENTER_KEY, False) in (True, "true"):
            state = None  # the default layout instead
        settings.remove(STALE_PRESENTER_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
            self._laid_out = True
            self._settling = 0.0  # the user's own layout stays: not the default's again
            # and how it keeps its shares of a window that grows (or, saved by an older
            # version: measured once the window manager has given the window its size, a
            # maximised one being shown smaller first)
            if not self.proportions.load(settings.value(PROPORTIONS_KEY)):
                self.proportions.keep_shares_after(SETTLE_S)
            self.show_lock()
        return geometry is not None

    def reset_layout(self) -> None:
        """View → Reset layout: every dock back where it starts, sized for this window."""
        if self.appearance.presenter:
            self.set_presenter(False)
        self.restoreState(self._default_state)
        self.apply_default_layout()
        self.show_lock()

    def closeEvent(self, event) -> None:
        self.session.set_running(False)
        # Quit asks as New and Open do (one helper): Cancel, or a Save that failed, keeps
        # the window open with everything in it.
        if not self.files.confirm_discard():
            event.ignore()
            return
        # Saved, or Discard: nothing is left to offer at the next start.
        self.session.discard_unsaved()
        self.autosave.save_on_exit()
        # The layout kept is the normal one, not presenter mode's (which the next start,
        # at normal size, would show with its tabs cut): leaving presenter mode puts it back.
        self.set_presenter(False)
        for key in self._hidden_by_lock:  # the layout kept is the user's, not a lesson's
            self.docks[key].show()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue(PROPORTIONS_KEY, self.proportions.saved())
        super().closeEvent(event)


def plot_short(plot, least: int) -> int:
    """How many pixels a plot on screen lacks to draw `least` high inside its axes."""
    if not plot.isVisible():
        return 0
    return math.ceil(least - plot.getPlotItem().getViewBox().height())


def scrolled(panel: QWidget) -> QScrollArea:
    """A panel in a scroll area: a tall form must not set the height of its dock group."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    return area


def appearance_for(app) -> Appearance:
    """One Appearance per application, made with the first window."""
    if getattr(app, "backprop_appearance", None) is None:
        app.backprop_appearance = Appearance(app)
    return app.backprop_appearance


def summary_of(session: Session) -> str | None:
    """One sentence naming what the panels summarise for a big network, or None."""
    net, history = session.network, session.history
    n_params, n_edges = len(net.params), sum(w.size for w in net.weights)
    parts = []
    if n_edges > MAX_DRAWN_EDGES:
        parts.append("the diagram draws the weights between two layers as one bundle")
    if n_params > MAX_FIELDS:
        parts.append(f"the Parameters panel lists {MAX_FIELDS} of them at a time (type a "
                     "name in its filter)")
    if n_params > MAX_PARAM_COLUMNS:
        parts.append(f"the step history shows {MAX_PARAM_COLUMNS} parameter columns")
    if history.max_rows < history.MAX_ROWS:
        parts.append(f"a long run keeps an even sample of {history.max_rows:,} full steps "
                     f"(the history's {history.BUDGET_BYTES // 2**20} MB budget)")
    if n_params <= MAX_FIELDS or not parts:
        return None
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"A big network ({n_params:,} parameters): {listed}."


def create_window(lesson=None) -> MainWindow:
    return MainWindow(session_for(lesson))
