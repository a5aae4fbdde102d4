"""Loss against step: the current run's curves updated with setData, the current point marked.

The loss over every training sample is the main curve. With a validation split, the
loss over the samples held out is a second curve; with batches, each update's own
batch loss is a faint one behind (noisy: one batch is not the data set). Runs kept to
compare are dashed, each in its colour, their validation loss (if they had a split)
dotted in the same colour. A legend names the curves, the current run's always by its
settings ("current run (SGD lr 0.1)"): a student sees what made the curve without a run
kept beside it, and a rate changed along the run shows there ("SGD lr 0.1 → 0.3")."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from engine.training import even_rows
from engine.validation import kept_loss_name, training_loss_name
from gui.kit.plot_style import (
    RUN_COLOURS,
    Marker,
    fitted_anew,
    inked,
    keep_in_view,
    marker_room,
    readable_axes,
    set_curve,
    set_labels,
    style_plot,
)
from gui.kit.throttle import LiveRefresh
from gui.session import Session

MAX_POINTS = 4000
BATCH_ALPHA = 90  # of 255: the batch loss is the background to the whole data's curve
LEGEND_MARGIN = 10  # pixels between the legend and the plot's edges
OWN_LEGEND_SHARE = 0.25  # of the plot's area: past it the current run's own legend is left out
# Where the legend may go, in turn: (x, y) of the corner, 0 left or top, 1 right or bottom.
# A falling loss leaves the top right free, a rising one the bottom right.
LEGEND_CORNERS = ((1, 0), (1, 1), (0, 0), (0, 1))


class Legend(pg.LegendItem):
    """pyqtgraph's legend, which the plot puts in the corner the curves leave free until
    someone drags it: from then on it stays where they put it."""

    moved_by_hand = False

    def mouseDragEvent(self, ev):  # noqa: N802 (Qt's name)
        super().mouseDragEvent(ev)
        self.moved_by_hand = True


def segments_in(x: np.ndarray, y: np.ndarray, left: float, right: float, bottom: float,
                top: float) -> int:
    """How many of the line segments joining the points (x ascending) pass through the
    rectangle: each clipped to its x-range, then its y-span tested (a steep segment
    between two points outside crosses it all the same). NaN rows join nothing."""
    if len(x) == 1:
        return int(left <= x[0] <= right and bottom <= y[0] <= top)
    xa, xb, ya, yb = x[:-1], x[1:], y[:-1], y[1:]
    lo, hi = np.maximum(xa, left), np.minimum(xb, right)
    with np.errstate(all="ignore"):  # a segment of no width, NaN rows
        slope = np.where(xb > xa, (yb - ya) / (xb - xa), 0.0)
        y_lo, y_hi = ya + (lo - xa) * slope, ya + (hi - xa) * slope
        crossing = (lo <= hi) & (np.maximum(y_lo, y_hi) >= bottom) \
            & (np.minimum(y_lo, y_hi) <= top)
    return int(np.count_nonzero(crossing))


class LossPlot(pg.PlotWidget):
    def __init__(self, session: Session):
        super().__init__(axisItems=readable_axes())
        self.setObjectName("lossPlot")
        self.session = session
        self.setToolTip("The loss after each step. With a validation split, the loss of the "
                        "held-out samples too (dotted; before a split was set, the loss is "
                        "over all samples, as the legend says); with batches, each batch's "
                        "own loss (faint). Kept runs are dashed in their colours, their "
                        "validation loss dotted. Right-click for options; the Log scale "
                        "box shows small losses better.")
        style_plot(self)
        # Each update's batch loss, faint and under the others.
        self.batch_curve = self.plot(pen=pg.mkPen(width=1), antialias=True)
        self.batch_curve.setZValue(-1)
        self.curve = inked(self.plot(pen=pg.mkPen(width=2), antialias=True), "line")
        # Dotted: dashes are the kept runs'.
        self.val_curve = inked(self.plot(pen=pg.mkPen(width=2, style=Qt.DotLine),
                                         antialias=True), "fit")
        # Long runs: draw only what is in view, and at most a few points per pixel.
        for item in (self.curve, self.val_curve, self.batch_curve):
            item.setClipToView(True)
            item.setDownsampling(auto=True, method="peak")
        self._faint_batch_pen()
        # The legend's sample of the batch loss: the curve's own faint hairline was
        # almost nothing on the legend's card. Same grey, solid and as wide as the others.
        self.batch_sample = pg.PlotDataItem(pen=pg.mkPen(QColor(128, 128, 128), width=2))
        self.disableAutoRange()
        self.current = Marker(self, 13, "mark")
        # Runs kept to compare: dashed, each in its colour, named in the legend; their
        # validation loss dotted in the same colour (dotted is validation, as this run's).
        self.legend: Legend | None = None
        self.legend_entries: tuple = ()
        self.legend_corner = LEGEND_CORNERS[0]  # where Legend(offset=...) puts it
        self.kept_curves = [self.plot(pen=pg.mkPen(colour, width=2, style=Qt.DashLine),
                                      antialias=True) for colour in RUN_COLOURS]
        self.kept_val_curves = [self.plot(pen=pg.mkPen(colour, width=2, style=Qt.DotLine),
                                          antialias=True) for colour in RUN_COLOURS]
        session.runsChanged.connect(self._show_kept)
        session.lessonChanged.connect(self._show_kept)
        self.plotItem.ctrl.logYCheck.toggled.connect(self.refresh)  # also from its menu
        self.live = LiveRefresh(self, self.refresh)
        # The markers' margin is in pixels: a resized plot needs it again in data units.
        self.getViewBox().sigResized.connect(self.live.request)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self._show_kept()  # a lesson file's runs, there from the start
        self.live.now()

    def _faint_batch_pen(self) -> None:
        # Grey, not the line's own blue: over thousands of noisy steps the batch loss is
        # a band, and in the same hue it swallowed the training curve drawn inside it.
        colour = QColor(128, 128, 128, BATCH_ALPHA)  # reads on white and on black
        self.batch_curve.setPen(pg.mkPen(colour, width=1))

    def _show_kept(self) -> None:
        runs = self.session.kept_runs
        for k, (item, val_item) in enumerate(zip(self.kept_curves, self.kept_val_curves,
                                                 strict=True)):
            run = runs[k] if k < len(runs) and runs[k].visible else None
            if run is not None:
                set_curve(item, run.steps, run.loss)
            else:
                item.setData([], [])
            if run is not None and run.val_loss is not None:
                set_curve(val_item, run.steps, run.val_loss)
            else:
                val_item.setData([], [])
        self.live.request()

    def _legend(self, entries: tuple) -> None:
        """A legend of (curve, name) entries, rebuilt only when they change."""
        size = f"{QApplication.font().pointSizeF():.1f}pt"  # presenter mode's too
        background = pg.getConfigOption("background")  # the theme's
        if (entries, size, background) == self.legend_entries:
            return
        self.legend_entries = (entries, size, background)
        # One legend, emptied and filled again: pyqtgraph's addLegend hands back the
        # plot's first legend even after it was taken off the scene.
        if self.legend is None:
            self.legend = Legend(offset=(-LEGEND_MARGIN, LEGEND_MARGIN))
            self.legend.setParentItem(self.getViewBox())
            self.plotItem.legend = self.legend  # as addLegend would
        self.legend.opts["labelTextSize"] = size
        # On a mostly opaque card of the plot's own background: with kept runs the
        # names sat over the curves and a curve crossed out "SGD lr 1 (validation)".
        card = pg.mkColor(background)
        card.setAlpha(225)
        self.legend.setBrush(card)
        self.legend.setPen(pg.mkPen(pg.getConfigOption("foreground"), width=0.5))
        self.legend.clear()
        for item, name in entries:
            self.legend.addItem(item, name)

    def set_log(self, on: bool) -> None:
        self.setLogMode(y=on)
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        set_labels(self, "step", s.loss_symbol)
        # A wide network keeps more losses than rows.
        steps, loss, val_loss, batch_loss = s.history.loss_trails
        pick = even_rows(len(loss), MAX_POINTS) if len(loss) > MAX_POINTS else slice(None)
        # A long run: an even sample (always with the newest step) is all a plot a few
        # thousand pixels wide can show, and costs a frame nothing.
        set_curve(self.curve, steps[pick], loss[pick])
        shown = [(self.curve, "")]  # named below, once it is known what it sits beside
        in_view = [loss]
        for item, values, name in ((self.val_curve, val_loss, "validation"),
                                   (self.batch_curve, batch_loss, "batch")):
            if np.isfinite(values).any():
                set_curve(item, steps[pick], values[pick])
                shown.append((self.batch_sample if item is self.batch_curve else item, name))
            elif item.xData is not None and len(item.xData):
                item.setData([], [])
        # Which run this is, as a kept run's name says it (alone, a student did not know
        # what the curve was); and "training", "all samples", or both where a split was
        # set mid-run, beside its validation or batch loss.
        over = training_loss_name(steps, val_loss) if len(shown) > 1 else None
        run = f"current run ({s.current_run_description()})"
        shown[0] = (self.curve, run if over is None else f"{run}: {over}")
        if np.isfinite(val_loss).any():
            in_view.append(val_loss)  # the batch loss may leave the view: it is context
        self.current.place(float(steps[-1]), float(loss[-1]))
        runs = [r for r in s.kept_runs if r.visible]
        for k, r in enumerate(s.kept_runs):
            if r.visible:
                # a split set (or cleared) partway through is told as for this run; "kept"
                # as the current one is "current" (a tester read "SGD lr 0.1" beside
                # "current run (SGD lr 0.1)" and did not know which curve was which)
                name = kept_loss_name(r.name, r.steps, r.val_loss)
                shown.append((self.kept_curves[k], f"kept: {name}"))
                if r.val_loss is not None:
                    shown.append((self.kept_val_curves[k], f"kept: {r.name} (validation)"))
        self._legend(tuple(shown))
        values = np.concatenate([*in_view, *(r.loss for r in runs),
                                 *(r.val_loss for r in runs if r.val_loss is not None)])
        values = values[np.isfinite(values)]
        last = max([int(steps[-1]), *(int(r.steps[-1]) for r in runs)])
        self._fit_range(values, last + 1)
        self._place_legend()

    def _fit_range(self, loss: np.ndarray, n: int) -> None:
        """Ranges set here, not by auto-range (which repaints twice), and changed only in
        jumps: the x axis doubles as the steps grow, and a shorter run after a Reset
        gets the axis a fresh plot would give it (up to 4x too wide, it kept a 290-step
        comparison in the left third of 0-1000)."""
        view_hi = self.getViewBox().viewRange()[0][1]
        fits = max(10, 2 ** int(np.ceil(np.log2(max(n, 2)))))  # the next power of two
        if fitted_anew(self, "x") or n <= 10 or n - 1 > view_hi or view_hi > 1.5 * fits:
            # room for step 0's marker left of 0 (a narrow plot's 2 % hid half of it)
            pad = max(0.02 * fits, marker_room(self, "x", fits))
            self.setXRange(-pad, fits + pad, padding=0)
        if self.plotItem.ctrl.logYCheck.isChecked():
            positive = loss[loss > 0]
            if len(positive):
                keep_in_view(self, "y", np.log10(positive.min()), np.log10(positive.max()))
        elif n and len(loss):
            keep_in_view(self, "y", min(float(loss.min()), 0.0), float(loss.max()))

    def _place_legend(self) -> None:
        """The legend in the corner that hides the newest step least, then the fewest
        segments of the curves (the batch loss's band aside: it is context), the one it
        is in kept on a tie: on a rising loss the top right corner hid the newest steps."""
        legend = self.legend
        if legend is None:
            return
        view = self.getViewBox()
        # The current run's own names (its settings; "all samples" beside "batch") are a
        # help, not a need: where they would cover much of the plot (presenter mode's
        # large words at 1280x800 made sgd-line's 394x80 px of a 470x151 plot, over the
        # newest step in every corner) they are left out. Beside a kept run they stay.
        kept = (*self.kept_curves, *self.kept_val_curves)
        own = not any(item in kept for item, _ in self.legend_entries[0])
        share = legend.width() * legend.height() / max(1.0, view.width() * view.height())
        legend.setVisible(not (own and share > OWN_LEGEND_SHARE))
        if legend.moved_by_hand or not legend.isVisible():
            return
        (x0, x1), (y0, y1) = view.viewRange()
        per_x, per_y = view.viewPixelSize()
        width = (legend.width() + LEGEND_MARGIN) * per_x
        height = (legend.height() + LEGEND_MARGIN) * per_y
        curves = [item.getData() for item in (self.curve, self.val_curve, *self.kept_curves,
                                              *self.kept_val_curves)]
        curves = [(x, y) for x, y in curves if x is not None and len(x)]
        steps, losses = self.curve.getData()  # the marker's point, as drawn (log scale too)
        newest = None if steps is None or not len(steps) else (steps[-1:], losses[-1:])

        def covered(corner: tuple[int, int]) -> float:
            left = x1 - width if corner[0] else x0
            top = y1 if corner[1] == 0 else y0 + height
            # the newest step (the marker) above all: where every corner hides some of
            # a crowded plot, at least not what the window is about
            hidden = 0 if newest is None else segments_in(*newest, left, left + width,
                                                          top - height, top)
            return hidden * 1e6 + sum(segments_in(x, y, left, left + width, top - height, top)
                                      for x, y in curves)

        best = min((self.legend_corner, *LEGEND_CORNERS), key=covered)  # first on a tie
        if best != self.legend_corner:
            self.legend_corner = best
            offset = tuple(-LEGEND_MARGIN if side else LEGEND_MARGIN for side in best)
            legend.anchor(itemPos=best, parentPos=best, offset=offset)

    def point_count(self) -> int:
        return len(self.curve.xData) if self.curve.xData is not None else 0
