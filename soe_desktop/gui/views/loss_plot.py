"""The live training-loss curve, painted with QPainter.

Why not a matplotlib canvas: one Agg redraw of even a small figure took 25-80 ms on the GUI
thread of a loaded 2-core machine, holding Python's GIL the whole time, and was the longest
stall of a training run (docs/BENCHMARKS.md). Two polylines and a few labels painted by Qt cost
well under a millisecond. Repaints are still coalesced (at most one every REDRAW_MS).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

REDRAW_MS = 250
RAW_COLOUR = QColor("#9bb8e6")
SMOOTH_COLOUR = QColor("#2266cc")
GRID_COLOUR = QColor(0, 0, 0, 30)
MARGINS = (52, 12, 14, 34)  # left, top, right, bottom in pixels: room for tick labels and titles
Y_TICKS = 4


def smoothed(values: list[float], weight: float = 0.8) -> list[float]:
    """Exponential moving average (TensorBoard-style), debiased so the first points are not pulled to 0."""
    result, average = [], 0.0
    for index, value in enumerate(values, start=1):
        average = weight * average + (1 - weight) * value
        result.append(average / (1 - weight**index))
    return result


def axis_range(values: list[float]) -> tuple[float, float]:
    """Low/high of the y axis: the data with 5 % headroom, never a zero-height range, never
    below zero for non-negative data (a loss)."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or max(abs(high) * 0.05, 0.05)
    floor = 0.0 if low >= 0 else low - pad
    return max(low - pad, floor), high + pad


def integer_ticks(last: int, count: int = 5) -> list[int]:
    """Up to `count` evenly spaced whole steps from 0 to `last`."""
    if last <= 0:
        return [0]
    stride = max(1, math.ceil(last / (count - 1)))
    return list(range(0, last + 1, stride))


class LossPlot(QWidget):
    """Loss per step, raw and smoothed; `add_point` as progress arrives, `clear` for a new run."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(160)
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self.redraw)

    def sizeHint(self) -> QSize:
        return QSize(500, 260)

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
        self.update()  # Qt coalesces this into one paint event

    # ----- painting --------------------------------------------------------------------------
    def plot_area(self) -> QRectF:
        left, top, right, bottom = MARGINS
        return QRectF(left, top, max(1.0, self.width() - left - right), max(1.0, self.height() - top - bottom))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        painter.setFont(QFont("Sans", 8))
        area = self.plot_area()
        low, high = axis_range(self.losses)
        last = max(self.steps, default=0)
        self._paint_axes(painter, area, low, high, last)
        if self.steps:
            to_point = self._mapper(area, low, high, max(last, 1))
            self._paint_line(painter, [to_point(s, v) for s, v in zip(self.steps, self.losses)], RAW_COLOUR, 1.0)
            curve = smoothed(self.losses)
            self._paint_line(painter, [to_point(s, v) for s, v in zip(self.steps, curve)], SMOOTH_COLOUR, 2.0)
        self._paint_legend(painter, area)
        painter.end()

    @staticmethod
    def _mapper(area: QRectF, low: float, high: float, last: int):
        def to_point(step: int, value: float) -> QPointF:
            x = area.left() + area.width() * step / last
            y = area.bottom() - area.height() * (value - low) / (high - low)
            return QPointF(x, y)

        return to_point

    def _paint_axes(self, painter: QPainter, area: QRectF, low: float, high: float, last: int) -> None:
        text_pen = QPen(QColor(60, 60, 60))
        for index in range(Y_TICKS + 1):
            value = low + (high - low) * index / Y_TICKS
            y = area.bottom() - area.height() * index / Y_TICKS
            painter.setPen(QPen(GRID_COLOUR))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text_pen)
            painter.drawText(QRectF(0, y - 8, area.left() - 4, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:.3g}")
        for step in integer_ticks(last):
            x = area.left() + area.width() * step / max(last, 1)
            painter.setPen(text_pen)
            painter.drawText(QRectF(x - 20, area.bottom() + 2, 40, 14), Qt.AlignmentFlag.AlignHCenter, str(step))
        painter.setPen(QPen(QColor(120, 120, 120)))
        painter.drawRect(area)
        painter.setPen(text_pen)
        painter.drawText(QRectF(area.left(), area.bottom() + 16, area.width(), 16), Qt.AlignmentFlag.AlignHCenter,
                         "step")
        painter.save()
        painter.translate(10, area.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-60, -8, 120, 16), Qt.AlignmentFlag.AlignCenter, "training loss")
        painter.restore()

    @staticmethod
    def _paint_line(painter: QPainter, points: list[QPointF], colour: QColor, width: float) -> None:
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if len(points) == 1:
            painter.drawEllipse(points[0], 2.0, 2.0)

    @staticmethod
    def _paint_legend(painter: QPainter, area: QRectF) -> None:
        x, y = area.right() - 110, area.top() + 6
        for offset, (colour, width, name) in enumerate(((RAW_COLOUR, 1.0, "per batch"),
                                                         (SMOOTH_COLOUR, 2.0, "smoothed"))):
            line_y = y + 8 + offset * 14
            painter.setPen(QPen(colour, width))
            painter.drawLine(QPointF(x, line_y), QPointF(x + 22, line_y))
            painter.setPen(QPen(QColor(60, 60, 60)))
            painter.drawText(QRectF(x + 28, line_y - 7, 80, 14), Qt.AlignmentFlag.AlignVCenter, name)
