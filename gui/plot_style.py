"""One look for every pyqtgraph plot: light background (readable on a projector) and
axis fonts that follow the application's font size."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

pg.setConfigOptions(background="w", foreground="#222", antialias=True)


def style_plot(plot: pg.PlotWidget) -> None:
    font = QApplication.font()
    size = font.pointSizeF()
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.setTextPen("#222")
        axis.label.setFont(font)
        axis.enableAutoSIPrefix(False)  # "(x0.001)" on an axis only confuses a class
    plot.getPlotItem().titleLabel.opts["size"] = f"{size:.0f}pt"
    plot.showGrid(x=True, y=True, alpha=0.2)
