"""How big and in which colours: zoom (Ctrl+= / Ctrl+- / Ctrl+0), presenter mode (F5:
1.6 times the size; the window gives it its own layout), full screen (F11), and the
themes: follow the system, light, dark, or high contrast. Zoom and theme are remembered
between runs (QSettings); presenter mode is not: it is for a projector, and the next start
may be a laptop at home (a presentation app starts outside its presentation too)."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

import resources
from gui.kit.plot_style import set_ink_theme

THEMES = ("system", "light", "dark", "high contrast")
PRESENTER_ZOOM = 1.6  # fonts in presenter mode; its layout gives the diagram more room too
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.6, 4.0, 1.15


def _palette(theme: str) -> QPalette:
    if theme == "light":
        return QApplication.style().standardPalette()
    p = QPalette()
    if theme == "dark":
        base, text, window, highlight = "#1e1e1e", "#e8e8e8", "#2b2b2b", "#3d7bd9"
    else:  # high contrast: pure black and white, yellow selection
        base, text, window, highlight = "#000000", "#ffffff", "#000000", "#ffd400"
    for role, colour in ((QPalette.Window, window), (QPalette.Base, base),
                         (QPalette.AlternateBase, window), (QPalette.Button, window),
                         (QPalette.WindowText, text), (QPalette.Text, text),
                         (QPalette.ButtonText, text), (QPalette.ToolTipBase, base),
                         (QPalette.ToolTipText, text), (QPalette.Highlight, highlight),
                         (QPalette.HighlightedText, "#000000" if theme != "dark" else "#fff"),
                         # Secondary text (the breakdown's column titles) stays readable.
                         (QPalette.PlaceholderText, "#a8a8a8" if theme == "dark" else "#d8d8d8"),
                         (QPalette.Mid, "#888888")):
        p.setColor(role, QColor(colour))
    return p


# Fusion draws field frames and check boxes in a shade of the window colour: on black
# (high contrast) they vanished, on dark grey they were faint. These themes draw them
# in their text colour; sliders' grooves and handles too (the speed and history sliders
# were black on black). Sizes follow the zoom (presenter mode), as the fonts do.
_TICKS = Path(resources.__file__).parent
_FRAMES = """
QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit, QAbstractItemView {{
    border: {line}px solid {frame}; }}
QTableView {{ gridline-color: {grid}; }}
QPushButton {{ border: {line}px solid {frame}; border-radius: 3px;
    padding: {pad_v}px {pad_h}px; background: {button}; }}
QPushButton:pressed, QPushButton:checked {{ background: {accent}; color: {on_accent}; }}
QCheckBox::indicator, QTableView::indicator {{ width: {box}px; height: {box}px;
    border: {line}px solid {frame}; background: {base}; }}
QCheckBox::indicator:checked, QTableView::indicator:checked {{ background: {accent};
    image: url({tick}); }}
QCheckBox::indicator:disabled {{ border-color: {grid}; }}
QHeaderView::section {{ border: 0; border-right: 1px solid {grid};
    border-bottom: 1px solid {grid}; background: {button}; padding: 2px 4px; }}
QTabBar::tab {{ border: 1px solid {grid}; padding: {pad_v}px {pad_h}px; background: {button}; }}
QTabBar::tab:selected {{ border-bottom: {bar}px solid {accent}; background: {base}; }}
QSlider:horizontal {{ min-height: {slider}px; }}
QSlider::groove:horizontal {{ height: {groove}px; border: {line}px solid {frame};
    border-radius: 3px; background: {base}; }}
QSlider::sub-page:horizontal {{ border: {line}px solid {frame}; border-radius: 3px;
    background: {accent}; }}
QSlider::handle:horizontal {{ width: {knob}px; margin: -{overhang}px 0;
    border: {line}px solid {frame}; border-radius: 3px; background: {handle}; }}
QSlider::handle:horizontal:disabled, QSlider::sub-page:horizontal:disabled {{
    background: {grid}; }}
"""
_FRAME_INKS = {
    "dark": dict(frame="#9a9a9a", grid="#555555", button="#3a3a3a", base="#1e1e1e",
                 accent="#3d7bd9", on_accent="#ffffff", tick="tick-white.svg",
                 handle="#d0d0d0"),
    "high contrast": dict(frame="#ffffff", grid="#bbbbbb", button="#000000", base="#000000",
                          accent="#ffd400", on_accent="#000000", tick="tick-black.svg",
                          handle="#ffffff"),
}


def stylesheet(theme: str, scale: float) -> str:
    """The application's style sheet for a theme and zoom."""
    inks = _FRAME_INKS.get(theme)
    if inks is None:  # light: the style's own look
        return ""
    line = max(1, round((2 if theme == "high contrast" else 1) * scale))
    return _FRAMES.format(**{**inks, "tick": (_TICKS / inks["tick"]).as_posix()},
                          line=line, bar=max(2, round(3 * scale)), box=round(14 * scale),
                          pad_v=round(3 * scale), pad_h=round(10 * scale),
                          groove=round(6 * scale), knob=round(14 * scale),
                          overhang=round(5 * scale), slider=round(18 * scale))


class Appearance(QObject):
    changed = Signal()

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.app = app
        self.base_point_size = app.font().pointSizeF()
        settings = QSettings()
        self.zoom = float(settings.value("appearance/zoom", 1.0))
        self.presenter = False  # never restored: see the module's docstring
        self.theme = settings.value("appearance/theme", "system")
        if self.theme not in THEMES:
            self.theme = "system"
        self.apply()

    # --- what is in force --------------------------------------------------------
    @property
    def scale(self) -> float:
        return self.zoom * (PRESENTER_ZOOM if self.presenter else 1.0)

    def effective_theme(self) -> str:
        if self.theme != "system":
            return self.theme
        scheme = QGuiApplication.styleHints().colorScheme()
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"

    def plot_colours(self) -> tuple[str, str]:
        """(background, foreground) for the plots."""
        return {"light": ("w", "#222"), "dark": ("#1e1e1e", "#e8e8e8"),
                "high contrast": ("k", "w")}[self.effective_theme()]

    # --- changes -----------------------------------------------------------------
    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def zoom_reset(self) -> None:
        """Normal size: zoom 1 and presenter mode off."""
        self.presenter = False
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.apply()

    def set_presenter(self, on: bool) -> None:
        self.presenter = on
        self.apply()

    def set_theme(self, theme: str) -> None:
        if theme in THEMES:
            self.theme = theme
            self.apply()

    def apply(self) -> None:
        # Check boxes as big as the text (the style's own metric stays at 13 px).
        self.app.style().indicator_scale = self.scale
        font = self.app.font()
        font.setPointSizeF(self.base_point_size * self.scale)
        self.app.setFont(font)
        # Platform themes give dock titles a font of their own, which the line above leaves
        # alone: in presenter mode they stayed small on a projector.
        self.app.setFont(font, "QDockWidgetTitle")
        theme = self.effective_theme()
        self.app.setPalette(_palette(theme))
        # After the font: a style sheet set first, then a font, left the text small. The
        # light theme has none (its ""-to-sheet switch lost the font the same way).
        sheet = stylesheet(theme, self.scale)
        if self.app.styleSheet() != sheet:
            self.app.setStyleSheet(sheet)
        set_ink_theme(theme)
        background, foreground = self.plot_colours()
        pg.setConfigOptions(background=background, foreground=foreground)
        settings = QSettings()
        settings.setValue("appearance/zoom", self.zoom)
        settings.setValue("appearance/theme", self.theme)
        self.changed.emit()
