"""File → New, Open, Save, Save as and the exports, with Qt's standard dialogs. A failure
is said in a window-modal box that does not block (Run, tests and timers go on) and in
the status bar; the lesson shown never changes on a failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
)

from engine import LessonError
from engine.export_code import code_script
from engine.export_run import MAX_STEPS as MAX_CODE_STEPS
from engine.files import write_atomically, write_text_atomically
from engine.worksheet import worksheet_html, write_worksheet_markdown
from gui.history_export import history_csv
from gui.pictures import (
    Picture,
    PictureDialog,
    PictureError,
    of_scene,
    of_text,
    of_widget,
    png,
    svg,
)
from gui.session import Session
from gui.worksheet_pdf import WorksheetDialog, write_pdf

CODE_STEPS = 10  # Export as code at step 0: a short run to compare
# Named after the lesson, as the worksheet and the lesson files are ("*" is its name).
CODE_FILES = {"numpy": "*.py", "pytorch": "*-pytorch.py"}
CODE_NEEDS = {"numpy": "NumPy", "pytorch": "PyTorch"}  # the library each script needs


class CodeStepsDialog(QDialog):
    """How many steps an exported script trains, asked before the file name."""

    def __init__(self, library: str, steps: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Export as {library} script")
        form = QFormLayout(self)
        about = QLabel("The script trains the lesson from its start and checks every "
                       "step's numbers against the app's.")
        about.setWordWrap(True)
        about.setMinimumWidth(about.fontMetrics().averageCharWidth() * 48)  # 2 lines, not 3
        form.addRow(about)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_CODE_STEPS)
        self.steps.setValue(steps)
        self.steps.setGroupSeparatorShown(True)
        self.steps.setToolTip(
            f"How many gradient-descent steps the script takes, from 1 to {MAX_CODE_STEPS:,}: "
            "the script holds the app's loss at every step to check its own against, so "
            "a longer run would make a very long file")
        form.addRow("Steps from the start", self.steps)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


# A file named after its lesson: the title's whole words while they fit in this many
# characters (six words at most cut "Week 3: a two-layer tanh net" to "…-tanh").
FILE_NAME_CHARS = 48


def _words_up_to(words: list[str], most: int) -> str:
    """`words` joined by "-", as many whole ones from the first as fit in `most`
    characters (the first always, cut to `most`: a title of one long word in a script
    without spaces made a name past a file system's 255 bytes)."""
    kept = [word[:most] for word in words[:1]]
    for word in words[1:]:
        if len("-".join([*kept, word])) > most:
            break
        kept.append(word)
    return "-".join(kept)


def documents_folder() -> str:
    """The user's Documents folder (QStandardPaths), or home where there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


class FileActions(QObject):
    def __init__(self, window: QMainWindow, session: Session):
        super().__init__(window)
        self.window, self.session = window, session

    # --- where dialogs start ----------------------------------------------------
    def suggested(self, name: str) -> str:
        """A dialog's starting path: the folder last used if it is still there, else the
        open lesson file's, else the user's Documents (never the working directory: from
        a source tree the first Save landed among the code); and a file named after the
        lesson ("Two moons: …" → two-moons.json) where `name` starts with "*" (e.g.
        "*.json"), else `name` as it is."""
        folder = str(QSettings().value("files/last_folder", "") or "")
        if not (folder and Path(folder).is_dir()):
            folder = str(Path(self.session.path).parent) if self.session.path is not None \
                else documents_folder()
        if name.startswith("*"):
            words = "".join(c if c.isalnum() else " " for c in self.session.lesson.title.lower())
            name = (_words_up_to(words.split(), FILE_NAME_CHARS) or "lesson") + name[1:]
        return str(Path(folder) / name) if folder else name

    def chose(self, path: str) -> str:
        """Remember the folder of a path chosen in a dialog (empty: cancelled)."""
        if path:
            QSettings().setValue("files/last_folder", str(Path(path).parent))
        return path

    def save_path(self, title: str, name: str, filters: str) -> tuple[str, str]:
        path, chosen = QFileDialog.getSaveFileName(self.window, title, self.suggested(name),
                                                   filters)
        return self.chose(path), chosen

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
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", self.suggested(""),
                                              "Lessons (*.json)")
        if self.chose(path):
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
        return self.unsaved_box().exec()

    def unsaved_box(self) -> QMessageBox:
        """Save, Discard or Cancel, each with its key (Alt+S, Alt+D; Escape cancels): a
        tester found no key for Discard, the platform's wording having none."""
        box = QMessageBox(QMessageBox.Question, "Unsaved changes",
                          f"“{self.session.lesson.title}” has changes that are not saved. "
                          "Save them first?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
                          self.window)
        box.setDefaultButton(QMessageBox.Save)
        box.setEscapeButton(QMessageBox.Cancel)
        box.button(QMessageBox.Save).setText("&Save")
        box.button(QMessageBox.Discard).setText("&Discard")
        return box

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        """File → Save as…: the lesson at its start, also after opening a file saved with
        progress (a fresh copy to hand out); Save with progress… keeps the steps."""
        path, _ = self.save_path("Save lesson at its start", "*.json", "Lessons (*.json)")
        return bool(path) and self.save_to(Path(path), progress=False)

    def save_with_progress(self) -> bool:
        path, _ = self.save_path("Save lesson with progress", "*.json", "Lessons (*.json)")
        return bool(path) and self.save_to(Path(path), progress=True)

    def save_to(self, path, progress: bool | None = None) -> bool:
        try:
            self.session.save(path, progress)
        except LessonError as exc:  # a value the file format cannot hold (not finite)
            self.error("Cannot save", f"Could not save {path}: {exc}. Nothing was written.")
            return False
        except OSError as exc:
            self.error("Cannot save", f"Could not save {path}: {exc.strerror or exc}. "
                                      "Any file there before is unchanged.")
            return False
        return True

    # --- exports -----------------------------------------------------------------
    def export_history(self) -> None:
        path, _ = self.save_path("Export history", "*-history.csv", "CSV (*.csv)")
        if path:
            self.export_history_to(path)

    def export_history_to(self, path: str) -> bool:
        s = self.session
        return self.written(path, lambda: write_text_atomically(
            path, history_csv(s.network.param_names, s.history)), "History")

    def export_worksheet(self) -> None:
        dialog = WorksheetDialog(self.window, self.session.steps_done)
        if dialog.exec() != WorksheetDialog.Accepted:
            return
        path, _ = self.save_path("Export worksheet", "*-worksheet.pdf",
                                 "PDF (*.pdf);;HTML (*.html);;Markdown (*.md)")
        if path:
            self.export_worksheet_to(path, dialog.steps.value(), dialog.answers.isChecked())

    def export_worksheet_to(self, path: str, steps: int, answers: bool) -> bool:
        """Writes the worksheet of the lesson as it stands now; the format from the name."""
        lesson = self.session.current_lesson()
        suffix = Path(path).suffix.lower()

        def write() -> None:
            if suffix == ".pdf":
                write_pdf(worksheet_html(lesson, steps, answers), path)
            elif suffix in (".html", ".htm"):
                write_text_atomically(path, worksheet_html(lesson, steps, answers))
            else:  # Markdown, with its picture of the network beside it
                write_worksheet_markdown(path, lesson, steps, answers)
        return self.written(path, write, "Worksheet")

    def export_code(self, to: str) -> None:
        steps = self.ask_code_steps(to)
        if steps is None:
            return
        # Written first: what cannot be exported is said before a file name is asked for.
        script = self._code(to, steps)
        if script is None:
            return
        path, _ = self.save_path(f"Export as {CODE_NEEDS[to]} script", CODE_FILES[to],
                                 "Python (*.py)")
        if path:
            self.export_code_to(path, to, script=script)

    def code_steps(self) -> int:
        """The steps a script trains unless the user says otherwise: the steps taken so
        far, or a short run (CODE_STEPS) at step 0."""
        return min(self.session.steps_done or CODE_STEPS, MAX_CODE_STEPS)

    def ask_code_steps(self, to: str) -> int | None:
        """The steps the user chose for the script (None: cancelled)."""
        dialog = CodeStepsDialog(CODE_NEEDS[to], self.code_steps(), self.window)
        return dialog.steps.value() if dialog.exec() == QDialog.Accepted else None

    def _code(self, to: str, steps: int) -> tuple[str, int] | None:
        """The script and its number of steps, or None (and the reason said)."""
        QApplication.setOverrideCursor(Qt.WaitCursor)  # 10 000 steps take a second
        try:
            return code_script(self.session.saved_lesson(), steps, to), steps
        except LessonError as exc:
            self.error("Cannot export as code", f"{exc}.")
            return None
        finally:
            QApplication.restoreOverrideCursor()

    def export_code_to(self, path: str, to: str = "numpy", steps: int | None = None,
                       script: tuple[str, int] | None = None) -> bool:
        """A standalone script (numpy, or PyTorch's torch.nn and torch.optim) that trains
        `steps` steps (default: code_steps()) from the lesson's start and checks its
        numbers against the app's."""
        script = script or self._code(to, self.code_steps() if steps is None else steps)
        if script is None:
            return False
        text, steps = script
        return self.written(path, lambda: write_text_atomically(path, text),
                            f"Code for {steps} steps from the start",
                            f"; run it with python (it needs {CODE_NEEDS[to]} only)")

    def picture_sources(self) -> dict[str, tuple[str, Callable[[], Picture]]]:
        """What File → Export picture… can draw: key -> (label, how to make it)."""
        w = self.window
        sources: dict[str, tuple[str, Callable[[], Picture]]] = {
            "diagram": ("Network diagram", lambda: of_scene(w.network_view)),
            "loss": ("Loss plot", lambda: of_widget(w.loss_plot)),
            "data": ("Data and fit plot", lambda: of_widget(w.data_panel.plot)),
        }
        # the lazily made panels once they exist (never drawn before: nothing to show)
        if w.lazy_tangent.panel is not None:
            sources["tangent"] = ("Loss vs parameter plot", lambda: of_widget(w.tangent))
        if w.lazy_landscape.panel is not None:
            sources["landscape"] = ("Landscape plot", lambda: of_widget(w.landscape.plot))
        sources["breakdown"] = ("Derivative breakdown", lambda: of_text(w.breakdown))
        sources["window"] = ("Whole window", lambda: of_widget(w))
        return sources

    def export_picture(self) -> None:
        sources = self.picture_sources()
        dialog = PictureDialog({k: label for k, (label, _) in sources.items()}, self.window)
        if dialog.exec() != PictureDialog.Accepted:
            return
        key, scale = dialog.chosen
        path, chosen_filter = self.save_path("Export picture", f"*-{key}.png",
                                             "PNG image (*.png);;SVG drawing (*.svg)")
        if not path:
            return
        if not Path(path).suffix:  # the format of the filter chosen
            path += ".svg" if "svg" in chosen_filter else ".png"
        self.export_picture_to(key, path, scale)

    def export_picture_to(self, key: str, path: str, scale: int = 1) -> bool:
        """Draw `key` (see picture_sources) as SVG (for a .svg name) or as PNG at `scale`,
        then write it all or nothing; a failure is reported and the old file stays."""
        label, make = self.picture_sources()[key]
        try:
            picture = make()
            if Path(path).suffix.lower() == ".svg":
                data = svg(picture, f"{self.session.lesson.title}: {label.lower()}")
            else:
                data = png(picture, scale)
        except PictureError as exc:
            self.error("Cannot export", f"Could not draw the {label.lower()} for {path}: "
                                        f"{exc}.")
            return False
        return self.written(path, lambda: write_atomically(path, data), label)

    def written(self, path, write: Callable[[], None], what: str, after: str = "") -> bool:
        """Run `write` (atomic: a failure leaves any earlier file as it was) and say
        "`what` written to `path`", or why it could not be."""
        try:
            write()
        except OSError as exc:
            self.error("Cannot export", f"Could not write {path}: {exc.strerror or exc}. "
                                        "Any file there before is unchanged.")
            return False
        self.session.notify(f"{what} written to {path}{after}")
        return True
