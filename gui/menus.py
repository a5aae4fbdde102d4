"""The menu bar and its shortcuts (Qt's standard keys where Qt has one), and the list of
shortcuts that Help shows."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from engine import PRESETS, load_preset
from gui.appearance import THEMES

SHORTCUTS = (
    ("Space", "Take one gradient-descent step"),
    ("R", "Run / Pause"),
    ("Backspace", "Step back one step"),
    ("F", "Show the flow: one step animated on the diagram"),
    ("P", "Step phase: forward, loss, backward, update, one per press"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / Redo any step, run, edit or reset"),
    ("Ctrl+R", "Reset to the lesson's starting values"),
    ("Ctrl+K", "Keep this run to compare (change a setting, Reset, Run again)"),
    ("Ctrl+O", "Open a lesson file"),
    ("Ctrl+S / Ctrl+Shift+S", "Save / Save as"),
    ("Ctrl+P", "Export a worksheet"),
    ("F5", "Presenter mode: a big, simple layout for a projector"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "Bigger / smaller / normal size"),
    ("F6", "Quiz mode"),
    ("F11", "Full screen"),
    ("Escape", "Leave a text field (then Space steps again)"),
    ("Ctrl+Q", "Quit (asks first about unsaved work)"),
)


def menu_action(menu: QMenu, text: str, slot, shortcut=None, tip: str | None = None,
                checkable: bool = False) -> QAction:
    action = menu.addAction(text)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    return action


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, with Ctrl+Shift+Z once (on Linux it is already one of
    them: binding it twice makes Qt call it ambiguous and do nothing)."""
    keys = list(QKeySequence.keyBindings(QKeySequence.Redo))
    extra = QKeySequence("Ctrl+Shift+Z")
    return keys if extra in keys else [*keys, extra]


def build_menus(window) -> None:
    """File, Edit, View and Help for `window` (a MainWindow); sets its
    presenter_action, quiz_action, full_screen_action, lesson_text_action, lock_action
    and unlock_action."""
    files, session, ap = window.files, window.session, window.appearance
    bar = window.menuBar()
    file = bar.addMenu("&File")
    new = file.addMenu("New from preset")
    for name in PRESETS:
        menu_action(new, f"{load_preset(name).title}  ({name})",
                    lambda _=False, n=name: files.open_preset(n))
    menu_action(file, "Open lesson…", files.open_dialog, QKeySequence.Open)
    menu_action(file, "Save", files.save, QKeySequence.Save,
                "Into the open file, as it was saved: with its steps if it held them")
    menu_action(file, "Save as…", files.save_as, QKeySequence.SaveAs,
                "The lesson at its start: its starting values (what Reset returns to) and "
                "settings, without the steps so far (a fresh copy to hand out)")
    menu_action(file, "Save with progress…", files.save_with_progress, None,
                "The lesson and the steps so far: it reopens where it is now")
    file.addSeparator()
    menu_action(file, "Export history as CSV…", files.export_history)
    menu_action(file, "Export picture…", files.export_picture, None,
                "The diagram, a plot, the breakdown or the whole window as PNG (1×, 2× "
                "for a projector…) or SVG, for slides")
    file.setToolTipsVisible(True)  # Save as… and Save with progress… differ: say how
    code = file.addMenu("Export as code")
    code.setToolTipsVisible(True)
    menu_action(code, "NumPy script…", lambda: files.export_code("numpy"), None,
                "A standalone script with its own forward and backward pass (needs numpy "
                "only) that trains the steps you choose from the lesson's start and checks "
                "its numbers against the app's")
    menu_action(code, "PyTorch script…", lambda: files.export_code("pytorch"), None,
                "The same lesson with torch.nn, torch.optim and torch.optim.lr_scheduler "
                "(needs PyTorch only), checking its numbers against the app's")
    menu_action(file, "Export worksheet…", files.export_worksheet, "Ctrl+P",
                "The next steps written out, for students or as the answer key")
    file.addSeparator()
    menu_action(file, "Quit", window.close, QKeySequence.Quit)

    edit = bar.addMenu("&Edit")
    undo = session.undo_stack.createUndoAction(window, "Undo")
    undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.Undo))
    redo = session.undo_stack.createRedoAction(window, "Redo")
    redo.setShortcuts(redo_keys())
    # after the stack's own slot (connected first): the status bar says what moved
    undo.triggered.connect(lambda: session.say_undone())
    redo.triggered.connect(lambda: session.say_undone(redone=True))
    edit.addAction(undo)
    edit.addAction(redo)
    edit.addAction(window.controls.back_action)
    edit.addSeparator()
    # also the Training panel's button, where a tester did not find it (in no menu)
    menu_action(edit, "Keep this run to compare", lambda: session.keep_run(), "Ctrl+K",
                "Keep this run's loss curve and path: change a setting, Reset and Run "
                "again, and both show on the loss plot and the landscape (Ctrl+Z undoes it)")
    edit.addSeparator()
    window.lesson_text_action = menu_action(
        edit, "Lesson title and notes…", window.edit_lesson_text, None,
        "Write the lesson's title and its notes (Markdown); saved with the lesson")
    edit.addSeparator()
    window.lock_action = menu_action(
        edit, "Lock lesson for students…", window.edit_lock, None,
        "Choose the panels students see, the parameters and settings they may change and "
        "whether the lesson opens in quiz mode; saved with the lesson")
    window.unlock_action = menu_action(
        edit, "Unlock lesson…", window.unlock, None,
        "Every panel, parameter and setting back (asks first; Ctrl+Z locks it again)")

    view = bar.addMenu("&View")
    window.presenter_action = menu_action(
        view, "Presenter mode", window.set_presenter, "F5",
        "A big, simple layout for a projector: the diagram, the breakdown and the loss",
        checkable=True)
    zoom_in = menu_action(view, "Zoom in", ap.zoom_in)
    zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
    menu_action(view, "Zoom out", ap.zoom_out, "Ctrl+-")
    menu_action(view, "Normal size", window.normal_size, "Ctrl+0")
    window.quiz_action = menu_action(view, "Quiz mode", session.set_quiz, "F6",
                                     "Hide the numbers; the students work them out",
                                     checkable=True)
    window.full_screen_action = menu_action(view, "Full screen", window.toggle_full_screen,
                                            "F11", checkable=True)
    themes = view.addMenu("Theme")
    group = QActionGroup(window)
    for theme in THEMES:
        action = themes.addAction(theme.capitalize() if theme != "system"
                                  else "Follow the system")
        action.setCheckable(True)
        action.setChecked(theme == ap.theme)
        action.triggered.connect(lambda _=False, t=theme: ap.set_theme(t))
        group.addAction(action)
    menu_action(view, "Reset layout", window.reset_layout, None,
                "Every panel back where it starts, sized for this screen")
    view.addSeparator()
    for dock in window.docks.values():
        view.addAction(dock.toggleViewAction())

    help_menu = bar.addMenu("&Help")
    menu_action(help_menu, "Keyboard shortcuts", window.show_shortcuts, QKeySequence.HelpContents)
