"""How a control shows that a locked lesson keeps it from students: disabled (a setting)
or read-only (a parameter's field, which must still select its parameter), its tooltip
saying who locked it and how to lift it; back as it was when the lesson is unlocked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit, QWidget

LOCKED_TIP = ("Locked by the teacher for this lesson (Edit → Unlock lesson… lifts the "
              "lock)")
_OWN_TIP = "ownToolTip"  # the tooltip a control had before a lock changed it


def show_locked(widget: QWidget, locked: bool, read_only: bool = False,
                tip: str | None = None) -> None:
    """Lock or unlock `widget` as a control of a locked lesson (see the module); `tip`,
    if given, is its whole tooltip while locked."""
    own = widget.property(_OWN_TIP)
    if own is None:
        own = widget.toolTip()
        widget.setProperty(_OWN_TIP, own)
    if read_only and isinstance(widget, QLineEdit):
        widget.setReadOnly(locked)
        # No box to type in, a value to read: no frame, and the panel's own background
        # (transparent, so it is right in every theme).
        widget.setFrame(not locked)
        palette = QPalette()  # sets nothing: every colour from the theme
        if locked:
            palette.setColor(QPalette.Base, Qt.transparent)
        widget.setPalette(palette)
    else:
        widget.setEnabled(not locked)
    if not locked:
        tip = own
    elif tip is None:
        tip = f"{own}\n\n{LOCKED_TIP}" if own else LOCKED_TIP
    if widget.toolTip() != tip:
        widget.setToolTip(tip)

