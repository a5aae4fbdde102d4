"""Edit → Lesson title and notes…: a teacher writes the lesson's title and its notes
(Markdown, shown in the Lesson notes dock) with a live preview. The change goes through
the Session (undoable); a refused one keeps the dialog open with everything typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
)

from gui.session import Session


class LessonTextDialog(QDialog):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Lesson title and notes")
        self.setObjectName("lessonTextDialog")
        self.title = QLineEdit(session.lesson.title)
        self.title.setObjectName("lessonTitle")
        self.notes = QPlainTextEdit(session.lesson.description)
        self.notes.setObjectName("lessonNotesText")
        self.notes.setPlaceholderText("Notes in Markdown: # headings, *emphasis*, lists, "
                                      "links; maths as the articles write it, e.g. "
                                      "dSSR/db3 = −2 × (Observed − Predicted)")
        self.preview = QTextBrowser()
        self.preview.setObjectName("lessonNotesPreview")
        self.preview.setOpenExternalLinks(True)
        self.notes.textChanged.connect(self._preview)
        self._preview()
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.notes)
        split.addWidget(self.preview)
        form = QFormLayout()
        form.addRow("Title:", self.title)
        self.problem = QLabel()
        self.problem.setObjectName("lessonTextProblem")
        self.problem.setStyleSheet("color: #c62828; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Notes (Markdown; the preview on the right is how the "
                                "Lesson notes panel shows them):"))
        layout.addWidget(split, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def _preview(self) -> None:
        self.preview.setMarkdown(self.notes.toPlainText() or "*This lesson has no notes.*")

    def accept(self) -> None:
        """Applied through the Session; a refusal is shown here and the dialog stays open,
        so nothing typed is lost."""
        refusal = refusal_of(self.session, lambda: self.session.set_lesson_text(
            self.title.text(), self.notes.toPlainText()))
        if refusal is None:
            super().accept()
        else:
            self.problem.setText(refusal)
            self.problem.show()


def refusal_of(session: Session, command) -> str | None:
    """Run a Session command from a dialog: None if it worked, else the refusal it said
    (for the dialog to show while it stays open with everything typed)."""
    said: list[str] = []
    session.refused.connect(said.append)
    try:
        ok = command()
    finally:
        session.refused.disconnect(said.append)
    return None if ok else (said[-1] if said else "Refused.")
