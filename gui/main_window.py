"""The main window: the network diagram in the middle, docks around it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import PRESETS, LessonError, load_preset
from engine.lesson import save_text_atomically
from engine.worksheet import worksheet_html, worksheet_markdown
from gui.appearance import THEMES, Appearance
from gui.autosave import Autosave
from gui.history_export import history_csv
from gui.kit.plot_style import scale_items, style_plot
from gui.kit.throttle import LazyPanel
from gui.panels.breakdown import BreakdownPanel
from gui.panels.controls import Controls
from gui.panels.data import DataPanel
from gui.panels.editor import NetworkEditor
from gui.panels.flow import FlowAnimation
from gui.panels.gradient_check import GradientCheckTable
from gui.panels.history import HistorySlider, HistoryTable
from gui.panels.landscape import LandscapeView
from gui.panels.loss import LossPlot
from gui.panels.network_view import NetworkView
from gui.panels.parameters import ParametersPanel
from gui.panels.quiz import QuizPanel
from gui.panels.tangent import TangentPlot
from gui.session import Session, session_for
from gui.worksheet_pdf import WorksheetDialog, write_pdf

SHORTCUTS = (
    ("Space", "Take one gradient-descent step"),
    ("R", "Run / Pause"),
    ("Backspace", "Step back one step"),
    ("F", "Show the flow: one step animated on the diagram"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / Redo any step, run, edit or reset"),
    ("Ctrl+R", "Reset to the lesson's starting values"),
    ("Ctrl+O", "Open a lesson file"),
    ("Ctrl+S / Ctrl+Shift+S", "Save / Save as"),
    ("F5", "Presenter mode: everything twice as big"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "Bigger / smaller / normal size"),
    ("F6", "Quiz mode"),
    ("F11", "Full screen"),
    ("Ctrl+Q", "Quit"),
)


class MainWindow(QMainWindow):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setObjectName("mainWindow")
        self.network_view = NetworkView(session)
        self.setCentralWidget(self.network_view)
        self.flow = FlowAnimation(self.network_view, session)
        self.controls = Controls(session, self)
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
        for key, title, widget, area in (
            ("parameters", "Parameters", self.parameters, Qt.LeftDockWidgetArea),
            ("breakdown", "Derivative breakdown", self.breakdown, Qt.RightDockWidgetArea),
            ("loss", "Loss", loss_box, Qt.RightDockWidgetArea),
            ("data", "Data and fit", self.data_panel, Qt.BottomDockWidgetArea),
            ("history", "Step history", self.history, Qt.BottomDockWidgetArea),
            ("tangent", "Loss vs parameter", self.lazy_tangent, Qt.RightDockWidgetArea),
            ("landscape", "Landscape", self.lazy_landscape, Qt.RightDockWidgetArea),
            ("gradcheck", "Gradient check", self.gradient_check, Qt.BottomDockWidgetArea),
            ("editor", "Build network", self.editor, Qt.LeftDockWidgetArea),
            ("quiz", "Quiz", self.quiz, Qt.RightDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{key}Dock")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.tabifyDockWidget(self.docks["data"], self.docks["history"])
        self.tabifyDockWidget(self.docks["data"], self.docks["gradcheck"])
        self.tabifyDockWidget(self.docks["loss"], self.docks["tangent"])
        self.tabifyDockWidget(self.docks["loss"], self.docks["landscape"])
        self.tabifyDockWidget(self.docks["parameters"], self.docks["editor"])
        self.tabifyDockWidget(self.docks["breakdown"], self.docks["quiz"])
        self.docks["breakdown"].raise_()
        self.docks["parameters"].raise_()
        self.docks["data"].raise_()
        self.docks["loss"].raise_()
        self._laid_out = False
        self.autosave = Autosave(session)
        self.appearance = appearance_for(QApplication.instance())
        self.appearance.changed.connect(self.restyle)
        self.notes = QTextBrowser()
        self.notes.setObjectName("lessonNotes")
        self.notes.setOpenExternalLinks(True)
        self.notes.setToolTip("The lesson's own text (its description, in Markdown)")
        notes = QDockWidget("Lesson notes", self)
        notes.setObjectName("notesDock")
        notes.setWidget(self.notes)
        self.addDockWidget(Qt.LeftDockWidgetArea, notes)
        self.docks["notes"] = notes
        session.lessonChanged.connect(self.show_notes)
        self.show_notes()
        self._build_menus()
        self.restyle()
        session.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        session.dirtyChanged.connect(self.setWindowModified)
        session.lessonChanged.connect(self._update_title)
        self._update_title()
        self.statusBar().showMessage("Space: one step · R: run · click a weight to see its "
                                     "derivative")

    # --- menus -------------------------------------------------------------------
    def _menu_action(self, menu, text, slot, shortcut=None, tip=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        return action

    def _build_menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        new = file.addMenu("New from preset")
        for name in PRESETS:
            title = load_preset(name).title
            self._menu_action(new, f"{title}  ({name})",
                              lambda _=False, n=name: self.confirm_discard() and self.open(n))
        self._menu_action(file, "Open lesson…", self.open_dialog, QKeySequence.Open)
        self._menu_action(file, "Save", self.save, QKeySequence.Save)
        self._menu_action(file, "Save as…", self.save_as, QKeySequence.SaveAs)
        file.addSeparator()
        self._menu_action(file, "Export history as CSV…", self.export_history)
        self._menu_action(file, "Export loss plot as PNG or SVG…", self.export_plot)
        self._menu_action(file, "Export worksheet…", self.export_worksheet, "Ctrl+P",
                          "The next steps written out, for students or as the answer key")
        file.addSeparator()
        self._menu_action(file, "Quit", self.close, QKeySequence.Quit)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.session.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.session.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addAction(self.controls.back_action)
        view = self.menuBar().addMenu("&View")
        ap = self.appearance
        self.presenter_action = self._menu_action(
            view, "Presenter mode", lambda on: ap.set_presenter(on), "F5",
            "Everything twice as big, for a projector")
        self.presenter_action.setCheckable(True)
        self._menu_action(view, "Zoom in", ap.zoom_in, "Ctrl+=")
        view.actions()[-1].setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self._menu_action(view, "Zoom out", ap.zoom_out, "Ctrl+-")
        self._menu_action(view, "Normal size", ap.zoom_reset, "Ctrl+0")
        self.quiz_action = self._menu_action(view, "Quiz mode", self.set_quiz, "F6",
                                             "Hide the numbers; the students work them out")
        self.quiz_action.setCheckable(True)
        full = self._menu_action(view, "Full screen", self.toggle_full_screen, "F11")
        full.setCheckable(True)
        themes = view.addMenu("Theme")
        group = QActionGroup(self)
        for theme in THEMES:
            action = themes.addAction(theme.capitalize() if theme != "system"
                                      else "Follow the system")
            action.setCheckable(True)
            action.setChecked(theme == ap.theme)
            action.triggered.connect(lambda _=False, t=theme: ap.set_theme(t))
            group.addAction(action)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        self._menu_action(help_menu, "Keyboard shortcuts", self.show_shortcuts, "F1")

    def set_quiz(self, on: bool) -> None:
        self.quiz.set_active(on)
        self.quiz_action.setChecked(on)
        dock = self.docks["quiz" if on else "breakdown"]
        dock.show()
        dock.raise_()

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_notes(self) -> None:
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
        self.breakdown.refresh()
        self.network_view.set_theme(self.appearance.effective_theme(), scale)
        self.presenter_action.setChecked(self.appearance.presenter)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.session.lesson.title}[*] — Backprop Lab")
        self.setWindowModified(self.session.dirty)

    # --- files -------------------------------------------------------------------
    def _error(self, title: str, text: str) -> None:
        """Say what went wrong in the status bar and in a window-modal box that does not
        block the caller (so Run, tests and timers go on)."""
        self.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        self.last_error_box = box

    def open(self, name_or_path) -> bool:
        try:
            self.session.open(name_or_path)
        except LessonError as exc:
            self._error("Cannot open the lesson", f"{exc}. The current lesson stays open.")
            return False
        self._update_title()
        return True

    def open_dialog(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open lesson", "", "Lessons (*.json)")
        if path:
            self.open(path)

    def confirm_discard(self) -> bool:
        """Before another lesson replaces one with unsaved changes: Save, Discard or
        Cancel. True when it may go ahead."""
        if not self.session.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def ask_unsaved(self):
        return QMessageBox.question(
            self, "Unsaved changes",
            f"“{self.session.lesson.title}” has changes that are not saved. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save lesson", "lesson.json",
                                              "Lessons (*.json)")
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path) -> bool:
        try:
            self.session.save(path)
        except OSError as exc:
            self._error("Cannot save", f"Could not save {path}: {exc.strerror or exc}")
            return False
        return True

    def export_history(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export history", "history.csv", "CSV (*.csv)")
        if path:
            try:
                save_text_atomically(Path(path), history_csv(self.session.trainer))
            except OSError as exc:
                self._error("Cannot export", f"Could not write {path}: {exc}")

    def export_worksheet(self) -> None:
        dialog = WorksheetDialog(self)
        if dialog.exec() != WorksheetDialog.Accepted:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export worksheet", "worksheet.pdf",
            "PDF (*.pdf);;HTML (*.html);;Markdown (*.md)")
        if path:
            self.export_worksheet_to(path, dialog.steps.value(), dialog.answers.isChecked())

    def export_worksheet_to(self, path: str, steps: int, answers: bool) -> bool:
        """Writes the worksheet of the lesson as it stands now; the format from the name."""
        lesson = self.session.current_lesson()
        suffix = Path(path).suffix.lower()
        try:
            if suffix == ".pdf":
                write_pdf(worksheet_html(lesson, steps, answers), path)
            else:
                text = (worksheet_html if suffix in (".html", ".htm") else
                        worksheet_markdown)(lesson, steps, answers)
                save_text_atomically(Path(path), text)
        except OSError as exc:
            self._error("Cannot export", f"Could not write {path}: {exc}")
            return False
        self.statusBar().showMessage(f"Worksheet written to {path}", 8000)
        return True

    def export_plot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export loss plot", "loss.png",
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_plot_to(path)

    def export_plot_to(self, path: str) -> None:
        if path.lower().endswith(".svg"):
            # Qt's own SVG generator: pyqtgraph 0.14's SVGExporter cannot parse the paths
            # Qt 6.11 writes (ValueError in its path rewriting).
            from PySide6.QtCore import QRect
            from PySide6.QtGui import QPainter
            from PySide6.QtSvg import QSvgGenerator

            plot = self.loss_plot
            generator = QSvgGenerator()
            generator.setFileName(path)
            generator.setSize(plot.size())
            generator.setViewBox(QRect(0, 0, plot.width(), plot.height()))
            generator.setTitle(f"{self.session.lesson.title}: loss against step")
            painter = QPainter(generator)
            plot.render(painter)
            painter.end()
        else:
            import pyqtgraph.exporters as exporters

            exporter = exporters.ImageExporter(self.loss_plot.plotItem)
            exporter.parameters()["width"] = max(1200, self.loss_plot.width())
            exporter.export(path)

    # --- window state ------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            self.apply_default_layout()
        QTimer.singleShot(0, self._hide_stale_tab_bars)

    def _hide_stale_tab_bars(self) -> None:
        """Qt 6.11 leaves the tab bar of a dock group visible after a later tabify makes
        a new one (seen with two tabbed groups): it floats over other panels. A bar whose
        tabs all appear in a bigger bar is such a leftover."""
        bars = [b for b in self.findChildren(QTabBar) if b.parent() is self and b.isVisible()]
        texts = {b: [b.tabText(i) for i in range(b.count())] for b in bars}
        for bar in bars:
            if any(other is not bar and set(texts[bar]) <= set(texts[other])
                   and (len(texts[other]) > len(texts[bar]) or bars.index(other) > bars.index(bar))
                   for other in bars):
                bar.hide()

    def apply_default_layout(self) -> None:
        """Dock sizes as shares of the window, so big fonts on a big screen still fit."""
        w, h = self.width(), self.height()
        params_width = self.parameters.scroll.widget().sizeHint().width() + 30
        self.resizeDocks([self.docks["parameters"], self.docks["breakdown"]],
                         [params_width, int(w * 0.42)], Qt.Horizontal)
        self.resizeDocks([self.docks["data"]], [int(h * 0.28)], Qt.Vertical)
        self.resizeDocks([self.docks["breakdown"], self.docks["loss"]],
                         [int(h * 0.4), int(h * 0.3)], Qt.Vertical)

    def restore_layout(self) -> None:
        settings = QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
            self._laid_out = True

    def closeEvent(self, event) -> None:
        self.session.set_running(False)
        self.autosave.save_on_exit()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        super().closeEvent(event)


def appearance_for(app) -> Appearance:
    """One Appearance per application, made with the first window."""
    if getattr(app, "backprop_appearance", None) is None:
        app.backprop_appearance = Appearance(app)
    return app.backprop_appearance


def create_window(lesson=None) -> MainWindow:
    return MainWindow(session_for(lesson))
