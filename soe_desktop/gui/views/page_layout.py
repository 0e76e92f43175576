"""Where each page of one document sits in the page view's scene, turned by the document's rotation.

Scene units are PDF points. Each page is placed as it is displayed: a portrait page turned a
quarter is a landscape rectangle in the scene, and pages are always stacked one below the other,
whatever the rotation. A candidate's bbox (top-left origin, page as the PDF displays it) reaches the
scene through its page's transform, and a click comes back the same way, so boxes and clicks stay
exact at every zoom and rotation. Turning the whole view instead (the old way) put the stacked
pages side by side on screen and left fit-to-width measuring the unturned pages.

Only QtCore/QtGui value types: no widget, no scene, so it is cheap to test on its own.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QTransform

PAGE_GAP = 14.0  # points between stacked pages
ROTATIONS = (0, 90, 180, 270)  # clockwise, as the user turns the pages
DEFAULT_SIZE = QSizeF(612.0, 792.0)  # US letter: the width and height assumed before any page is laid out


class PageLayout:
    """The stacked page rectangles of one document at one rotation."""

    def __init__(self) -> None:
        self._sizes: list[QSizeF] = []  # page sizes as the PDF displays them (before our rotation)
        self.rects: list[QRectF] = []  # the pages in the scene, turned
        self._rotation = 0

    @property
    def rotation(self) -> int:
        """Degrees clockwise the pages are turned (0, 90, 180 or 270)."""
        return self._rotation

    def set_rotation(self, degrees: int) -> None:
        """Turn every page (laid out or still to come) and stack them again."""
        degrees %= 360
        if degrees not in ROTATIONS:
            raise ValueError(f"pages turn by quarter turns, not {degrees}°")
        self._rotation = degrees
        sizes, self.rects = self._sizes, []
        self._sizes = []
        for size in sizes:
            self.add(size)

    def add(self, size: QSizeF) -> QRectF:
        """Place the next page below the others; returns its rectangle in the scene."""
        top = self.rects[-1].bottom() + PAGE_GAP if self.rects else 0.0
        width, height = self._turned(size)
        rect = QRectF(0.0, top, width, height)
        self._sizes.append(QSizeF(size))
        self.rects.append(rect)
        return rect

    def clear(self) -> None:
        self._sizes.clear()
        self.rects.clear()

    def __len__(self) -> int:
        return len(self.rects)

    def _turned(self, size: QSizeF) -> tuple[float, float]:
        if self._rotation in (90, 270):
            return size.height(), size.width()
        return size.width(), size.height()

    # ----- page points <-> scene -----------------------------------------------------------
    def transform(self, page: int) -> QTransform:
        """Page points (1-based page) to scene units: turn about the page's corner, then move the
        turned page into its place in the stack."""
        size, rect = self._sizes[page - 1], self.rects[page - 1]
        width, height = size.width(), size.height()
        corner = {0: (0.0, 0.0), 90: (height, 0.0), 180: (width, height), 270: (0.0, width)}[self._rotation]
        return QTransform.fromTranslate(rect.left() + corner[0], rect.top() + corner[1]).rotate(self._rotation)

    def scene_rect(self, page: int, bbox: tuple[float, float, float, float]) -> QRectF:
        """A box in page points (x0, top, x1, bottom) as a scene rectangle (at least 1 pt a side)."""
        x0, top, x1, bottom = bbox
        box = QRectF(x0, top, max(x1 - x0, 1.0), max(bottom - top, 1.0))
        return self.transform(page).mapRect(box)

    def page_point(self, scene_point: QPointF) -> tuple[int, float, float] | None:
        """(1-based page, x, y in page points) under a scene point; None between pages."""
        for number, rect in enumerate(self.rects, start=1):
            if rect.contains(scene_point):
                inverse, _invertible = self.transform(number).inverted()
                point = inverse.map(scene_point)
                return number, point.x(), point.y()
        return None

    # ----- extents ---------------------------------------------------------------------------
    def max_width(self) -> float:
        """The widest page as displayed (turned)."""
        return max((rect.width() for rect in self.rects), default=self._turned(DEFAULT_SIZE)[0])

    def max_height(self) -> float:
        """The tallest page as displayed (turned)."""
        return max((rect.height() for rect in self.rects), default=self._turned(DEFAULT_SIZE)[1])

    def bottom(self) -> float:
        """Where the next page would start (0 when none is laid out)."""
        return self.rects[-1].bottom() + PAGE_GAP if self.rects else 0.0
