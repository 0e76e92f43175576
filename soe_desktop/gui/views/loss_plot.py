"""A small matplotlib canvas for the live training-loss curve.

Drawing a figure costs ~25 ms on the GUI thread (2-core machine), so points are collected as they
come and the curve is redrawn at most every REDRAW_MS, by updating the two lines' data (no axes
rebuild, no tight_layout).
"""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PySide6.QtCore import QTimer, Slot

REDRAW_MS = 750


def smoothed(values: list[float], weight: float = 0.8) -> list[float]:
    """Exponential moving average (TensorBoard-style), debiased so the first points are not pulled to 0."""
    result, average = [], 0.0
    for index, value in enumerate(values, start=1):
        average = weight * average + (1 - weight) * value
        result.append(average / (1 - weight**index))
    return result


class LossPlot(FigureCanvasQTAgg):
    """Loss per step, raw and smoothed."""

    def __init__(self, parent=None) -> None:
        self.figure = Figure(figsize=(5, 2.6))
        super().__init__(self.figure)
        self.setParent(parent)
        self.axes = self.figure.add_subplot(111)
        # Fixed margins: tight_layout would re-measure every text on each redraw (~15 ms more per draw).
        self.figure.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.16)
        self.axes.set_xlabel("step")
        self.axes.set_ylabel("training loss")
        self.axes.grid(alpha=0.3)
        self.axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        (self.raw_line,) = self.axes.plot([], [], color="#9bb8e6", linewidth=1.0, label="per batch")
        (self.smooth_line,) = self.axes.plot([], [], color="#2266cc", linewidth=2.0, label="smoothed")
        self.axes.legend(fontsize=8, loc="upper right")
        self.steps: list[int] = []
        self.losses: list[float] = []
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self.redraw()

    def clear(self) -> None:
        self.steps.clear()
        self.losses.clear()
        self.redraw()

    def add_point(self, step: int, loss: float) -> None:
        self.steps.append(step)
        self.losses.append(loss)
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def redraw(self) -> None:
        self.raw_line.set_data(self.steps, self.losses)
        self.smooth_line.set_data(self.steps, smoothed(self.losses))
        self.axes.relim()
        self.axes.autoscale_view()
        self.draw_idle()
