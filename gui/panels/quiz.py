"""Quiz mode: the breakdown hides its numbers; the student types every factor, the
slope, the step size and the new value; Check marks each right or wrong and names the
wrong factors; when all are right the step is taken. Reveal fills in the answers not
yet right (the student sees which they missed, and what they had typed), and Check then
takes the step. A running score, per lesson."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from engine.quiz import check, questions, quiz_chain, typed_number
from gui.kit.focus import KEEPS_FOCUS
from gui.kit.maths_text import formula_html, partials_html
from gui.kit.throttle import LiveRefresh
from gui.session import Session

RIGHT, WRONG = "background: #c8f7c5;", "background: #ffc9c9;"
REVEALED = "background: #fff1b8;"  # an answer given, not found: neither right nor wrong


class QuizPanel(QWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("quizPanel")
        self.session = session
        self.active = session.quiz_active  # a locked lesson may open in quiz mode
        self.right = self.answered = 0  # answers right first time, answers given
        self.fields: dict[str, QLineEdit] = {}
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.score = QLabel()
        self.score.setObjectName("quizScore")
        # On two lines when narrow: on one, it set the whole right column's least width
        # (388 px), and a restored window took the room from the Parameters.
        self.score.setWordWrap(True)
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setObjectName("quizTolerance")
        self.tolerance.setRange(0.01, 50)
        self.tolerance.setValue(1.0)
        self.tolerance.setSuffix(" %")
        self.tolerance.setToolTip("How close an answer must be (relative). Answers within "
                                  "0.0005 always count, so rounding to 3 decimals is fine.")
        top.addWidget(self.score, 1)
        top.addWidget(QLabel("tolerance"))
        top.addWidget(self.tolerance)
        lay.addLayout(top)
        self.question_label = QLabel()
        self.question_label.setWordWrap(True)
        lay.addWidget(self.question_label)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        lay.addWidget(self.scroll, 1)
        self.feedback = QLabel()
        self.feedback.setTextFormat(Qt.RichText)  # the questions' names are rich text
        self.feedback.setObjectName("quizFeedback")
        self.feedback.setWordWrap(True)
        lay.addWidget(self.feedback)
        buttons = QHBoxLayout()
        self.check_button = QPushButton("Check")
        self.check_button.setObjectName("quizCheck")
        self.check_button.setToolTip("Mark every answer; when all are right, take the step")
        self.check_button.clicked.connect(self.check)
        self.reveal_button = QPushButton("Reveal answers")
        self.reveal_button.setObjectName("quizReveal")
        self.reveal_button.setToolTip("Fill in the answers not yet right (yellow; the "
                                      "tooltip keeps what you typed); Check then takes "
                                      "the step")
        self.reveal_button.clicked.connect(self.reveal)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.reveal_button)
        lay.addLayout(buttons)
        session.lessonOpened.connect(self._new_score)  # another lesson, another score
        # A new parameter, lesson, step or edit asks anew, once the panel is on screen:
        # tabbed away it asked at every choice of parameter (~40 ms on a 1-64-64-1 lesson).
        self.live = LiveRefresh(self, self._state_changed)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self.live.request)
        session.lessonChanged.connect(self._lesson_changed)
        session.quizChanged.connect(self._quiz_changed)
        self.asked_about = None
        self.new_question()

    def _state(self):
        s = self.session
        return (s.selected, s.steps_done, s.network.params.tobytes(), s.learning_rate)

    def _state_changed(self) -> None:
        """A step, edit or undo from elsewhere makes the question stale: ask anew."""
        if self._state() != self.asked_about:
            self.new_question()

    def _lesson_changed(self) -> None:
        """Another network (an activation changed keeps the values): a question anew."""
        self.asked_about = None
        self.live.request()

    def _new_score(self) -> None:
        self.right = self.answered = 0

    def _quiz_changed(self, on: bool) -> None:
        self.active = on
        self.new_question()

    def new_question(self, *_) -> None:
        s = self.session
        name = s.selected
        b = s.breakdown(name)
        update = s.update(name)
        self.qs = questions(b, update)
        self.asked_about = self._state()
        chain, routes = quiz_chain(b)
        more = f" + ({routes - 1} more routes like it)" if routes > 1 else ""
        self.question_label.setText(
            f"<b>Step {s.steps_done + 1}, parameter {name}</b> "
            f"(learning rate {fmt(update.learning_rate)}, {name} = {fmt(update.value)})"
            f"<br>{partials_html(b.symbol)} = Σ " + " · ".join(f"({formula_html(f.formula)})"
                                                 for f in chain) + more)
        body = QWidget()
        grid = QGridLayout(body)
        self.fields = {}
        for row, q in enumerate(self.qs):
            field = QLineEdit()
            field.setObjectName(f"quiz_{q.key}")
            field.setPlaceholderText("your answer")
            field.returnPressed.connect(self.check)
            field.setProperty(KEEPS_FOCUS, True)  # Enter checks; the answers go on
            label = QLabel(partials_html(q.label))
            label.setTextFormat(Qt.RichText)  # (rich text, tags in it or not)
            # A long question wraps: momentum's "step size by momentum's rule, update 1
            # (momentum = 0.9, …)" on one line pushed every answer box past the panel's
            # edge at 1366x768 (a tester), and squeezed them to 25 px scrolled to.
            label.setWordWrap(True)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("−0.0000000") + 16)
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            self.fields[q.key] = field
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.scroll.setWidget(body)
        self.first_tries: dict[str, bool] = {}  # each question's first answer: right?
        self.revealed: set[str] = set()  # the answers Reveal filled in
        self.feedback.setText("")
        self.feedback.setStyleSheet("")
        self._show_score()

    def check(self) -> bool:
        typed = {k: f.text() for k, f in self.fields.items()}
        marks = check(self.qs, typed, self.tolerance.value() / 100)
        for key, ok in marks.items():
            given = bool(typed[key].strip())
            if key not in self.revealed:
                # an empty field is not wrong yet: no red for what was not answered
                self.fields[key].setStyleSheet(RIGHT if ok else WRONG if given else "")
            if given and key not in self.first_tries:
                self.first_tries[key] = ok  # the score counts each answer once
        wrong = [q for q in self.qs if not marks[q.key]]
        if not wrong:
            done = "with the revealed answers" if self.revealed else \
                f"All {len(self.qs)} answers are right"
            self._step(f"{'✔ Correct! ' if not self.revealed else ''}{done}. Step "
                       f"{self.session.steps_done + 1} is taken; here is the next one.",
                       "" if self.revealed else RIGHT)
            return True
        empty = [q for q in wrong if not typed[q.key].strip()]
        unreadable = [q for q in wrong if typed[q.key].strip()
                      and typed_number(typed[q.key]) is None]
        off = [q for q in wrong if q not in empty and q not in unreadable]
        if off or unreadable:
            parts = [f"{len(off)} not right yet: {_some(off)}"] if off else []
            if unreadable:
                parts.append(f"not a number: {_some(unreadable)}")
            if empty:
                parts.append(f"{len(empty)} still empty")
            self.feedback.setStyleSheet(WRONG)
            self.feedback.setText(f"✘ {'; '.join(parts)}. Fix them and Check again, or "
                                  "Reveal answers.")
        else:
            self.feedback.setStyleSheet("")
            self.feedback.setText(f"{len(empty)} of {len(self.qs)} still empty. Type them "
                                  "and Check, or Reveal answers.")
        self._show_score()
        return False

    def reveal(self) -> None:
        """The answers not yet right go into their fields; what was typed stays in the
        tooltip. An answer revealed counts as answered, not right."""
        typed = {k: f.text() for k, f in self.fields.items()}
        marks = check(self.qs, typed, self.tolerance.value() / 100)
        for q in self.qs:
            if marks[q.key]:
                continue
            field = self.fields[q.key]
            mine = typed[q.key].strip()
            field.setToolTip(f"You typed {mine!r}" if mine else "You left it empty")
            field.setText(fmt(q.answer))
            field.setStyleSheet(REVEALED)
            self.first_tries.setdefault(q.key, False)
            self.revealed.add(q.key)
        self.feedback.setStyleSheet(REVEALED)
        self.feedback.setText(f"Revealed {len(self.revealed)} answers (yellow; hover for "
                              "what you typed). Check takes the step.")
        self._show_score()

    def _step(self, feedback: str, style: str) -> None:
        self.right += sum(self.first_tries.values())
        self.answered += len(self.first_tries)
        self.session.step()
        self.new_question()
        self.feedback.setStyleSheet(style)
        self.feedback.setText(feedback)

    def _show_score(self) -> None:
        right = self.right + sum(self.first_tries.values())
        answered = self.answered + len(self.first_tries)
        self.score.setText(f"Score: {right} of {answered} answers right first time")


def _some(qs: list) -> str:
    """The first few questions' labels, and how many more."""
    names = ", ".join(partials_html(q.label) for q in qs[:3])
    return names + (f" and {len(qs) - 3} more" if len(qs) > 3 else "")
