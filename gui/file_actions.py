"""File → New, Open, Save, Save as and the exports, with Qt's standard dialogs. A failure
is said in a window-modal box that does not block (Run, tests and timers go on) and in
the status bar; the lesson shown never changes on a failure."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QObject, QRect, Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from engine import LessonError
from engine.files import write_atomically, write_text_atomically
from engine.worksheet import worksheet_html, worksheet_markdown
from gui.history_export import history_csv
from gui.session import Session
from gui.worksheet_pdf import WorksheetDialog, write_pdf


class FileActions(QObject):
    def __init__(self, window: QMainWindow, session: Session):
        super().__init__(window)
        self.window, self.session = window, session

    def error(self, title: str, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self.window)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    # --- lessons -----------------------------------------------------------------
    def open(self, name_or_path) -> bool:
        try:
            self.session.open(name_or_path)
        except LessonError as exc:
            self.error("Cannot open the lesson", f"{exc}. The current lesson stays open.")
            return False
        return True

    def open_preset(self, name: str) -> bool:
        return self.confirm_discard() and self.open(name)

    def open_dialog(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "",
                                              "Lessons (*.json)")
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
            self.window, "Unsaved changes",
            f"“{self.session.lesson.title}” has changes that are not saved. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save lesson", "lesson.json",
                                              "Lessons (*.json)")
        return bool(path) and self.save_to(Path(path))

    def save_with_progress(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save lesson with progress",
                                              "lesson.json", "Lessons (*.json)")
        return bool(path) and self.save_to(Path(path), progress=True)

    def save_to(self, path, progress: bool | None = None) -> bool:
        try:
            self.session.save(path, progress)
        except OSError as exc:
            self.error("Cannot save", f"Could not save {path}: {exc.strerror or exc}. "
                                      "Any file there before is unchanged.")
            return False
        return True

    # --- exports -----------------------------------------------------------------
    def export_history(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export history", "history.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_history_to(path)

    def export_history_to(self, path: str) -> bool:
        s = self.session
        try:
            write_text_atomically(path, history_csv(s.network.param_names, s.history))
        except OSError as exc:
            self.error("Cannot export", f"Could not write {path}: {exc.strerror or exc}. "
                                        "Any file there before is unchanged.")
            return False
        self.session.notify(f"History written to {path}")
        return True

    def export_worksheet(self) -> None:
        dialog = WorksheetDialog(self.window)
        if dialog.exec() != WorksheetDialog.Accepted:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export worksheet", "worksheet.pdf",
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
                write_text_atomically(path, text)
        except OSError as exc:
            self.error("Cannot export", f"Could not write {path}: {exc.strerror or exc}. "
                                        "Any file there before is unchanged.")
            return False
        self.session.notify(f"Worksheet written to {path}")
        return True

    def export_plot(self, plot) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export loss plot", "loss.png",
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_plot_to(plot, path)

    def export_plot_to(self, plot, path: str) -> bool:
        """The picture is made in memory and written all or nothing: a full disk is
        reported, and the old picture stays."""
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        if path.lower().endswith(".svg"):
            # Qt's own SVG generator: pyqtgraph 0.14's SVGExporter cannot parse the paths
            # Qt 6.11 writes (ValueError in its path rewriting).
            from PySide6.QtGui import QPainter
            from PySide6.QtSvg import QSvgGenerator

            generator = QSvgGenerator()
            generator.setOutputDevice(buffer)
            generator.setSize(plot.size())
            generator.setViewBox(QRect(0, 0, plot.width(), plot.height()))
            generator.setTitle(f"{self.session.lesson.title}: loss against step")
            painter = QPainter(generator)
            plot.render(painter)
            painter.end()
        else:
            import pyqtgraph.exporters as exporters

            exporter = exporters.ImageExporter(plot.plotItem)
            exporter.parameters()["width"] = max(1200, plot.width())
            image = exporter.export(toBytes=True)
            if image is None or not image.save(buffer, "PNG"):
                self.error("Cannot export", f"Could not draw the plot for {path}.")
                return False
        try:
            write_atomically(path, bytes(buffer.data()))
        except OSError as exc:
            self.error("Cannot export", f"Could not write {path}: {exc.strerror or exc}. "
                                        "Any file there before is unchanged.")
            return False
        self.session.notify(f"Plot written to {path}")
        return True
