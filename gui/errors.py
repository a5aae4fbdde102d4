"""The last line of defence: an exception that escapes any slot is logged to the data
folder and shown in a dialog with its details, and the app keeps running."""

from __future__ import annotations

import sys
import time
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from gui.autosave import data_folder


def log_path():
    return data_folder() / "errors.log"


def report_exception(exc_type, exc, tb) -> str:
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    try:
        with open(log_path(), "a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{details}\n")
    except OSError:
        pass  # a read-only data folder must not turn one error into two
    parent = QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Warning, "Something went wrong",
                      f"Backprop Lab hit an unexpected error: {exc_type.__name__}: {exc}\n\n"
                      "Your lesson is still open and was autosaved; you can carry on. "
                      f"The details are logged in {log_path()}.", QMessageBox.Ok, parent)
    box.setDetailedText(details)
    copy = QPushButton("Copy details")
    box.addButton(copy, QMessageBox.ActionRole)
    copy.clicked.disconnect()  # keep the box open after copying
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()  # not exec(): the event loop, Run and autosave carry on
    return details


def install() -> None:
    sys.excepthook = report_exception
