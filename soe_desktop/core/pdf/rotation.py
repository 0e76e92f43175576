"""Coordinate frames and rotated text.

Why: three libraries, three spaces. pdfplumber and camelot report geometry on the page as
displayed (after /Rotate; checked on /Rotate 90 pages: top-left and bottom-left origin
respectively), while pypdfium2 reads text in the unrotated user space of the page. Candidates
store displayed, top-left boxes (docs/CONCEPTS.md, Candidate), so every pdfium call goes through `PageFrame`.

Grids drawn turned by 90 degrees inside an upright page are a second, separate problem: their
text runs up or down the page, pdfplumber extracts it reversed, and the table's visual rows are
the page's columns. The page's one decision on the turn is orientation.py's `page_direction`
(stored on PageText.direction); `text_direction` is the same vote over pdfplumber's characters, for
callers without a page decision. `orient_grid` turns the cell matrix back so rows are procedures again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence, TypeVar

from soe_desktop.core.model import BBox

Cell = TypeVar("Cell")

UPRIGHT, UP_THE_PAGE, DOWN_THE_PAGE = 0, 90, 270


@dataclass(frozen=True)
class PageFrame:
    """The page's /Rotate and MediaBox (user space, as pdfium reads it)."""

    rotation: int
    mediabox: tuple[float, float, float, float]  # left, bottom, right, top

    @property
    def displayed_size(self) -> tuple[float, float]:
        left, bottom, right, top = self.mediabox
        width, height = right - left, top - bottom
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def point_to_user(self, x: float, top: float) -> tuple[float, float]:
        """Displayed top-left point -> user-space point (inverse of pdfminer's rotation CTM)."""
        left, bottom, right, upper = self.mediabox
        if self.rotation == 90:
            return left + top, bottom + x
        if self.rotation == 180:
            return right - x, bottom + top
        if self.rotation == 270:
            return right - top, upper - x
        return left + x, upper - top

    def point_to_displayed(self, ux: float, uy: float) -> tuple[float, float]:
        left, bottom, right, upper = self.mediabox
        if self.rotation == 90:
            return uy - bottom, ux - left
        if self.rotation == 180:
            return right - ux, uy - bottom
        if self.rotation == 270:
            return upper - uy, right - ux
        return ux - left, upper - uy

    def to_user(self, bbox: BBox) -> tuple[float, float, float, float]:
        """Displayed (x0, top, x1, bottom) -> pdfium's (left, bottom, right, top)."""
        xs, ys = zip(self.point_to_user(bbox[0], bbox[1]), self.point_to_user(bbox[2], bbox[3]))
        return min(xs), min(ys), max(xs), max(ys)

    def to_displayed(self, left: float, bottom: float, right: float, top: float) -> BBox:
        """pdfium's user-space box -> displayed (x0, top, x1, bottom)."""
        xs, tops = zip(self.point_to_displayed(left, bottom), self.point_to_displayed(right, top))
        return min(xs), min(tops), max(xs), max(tops)


def frame_of(pdfium_page) -> PageFrame:
    return PageFrame(int(pdfium_page.get_rotation()) % 360, tuple(pdfium_page.get_mediabox()))


def direction_of_matrix(matrix: Sequence[float]) -> int:
    """0 for upright glyphs, 90 when text runs up the page, 270 when it runs down."""
    b, c = matrix[1], matrix[2]
    if b > 0 and c < 0:
        return UP_THE_PAGE
    if b < 0 and c > 0:
        return DOWN_THE_PAGE
    return UPRIGHT


def text_direction(chars: Iterable[dict]) -> int:
    """Majority direction of pdfplumber chars (their `matrix` is already in displayed space)."""
    votes = Counter(direction_of_matrix(char["matrix"]) for char in chars if char.get("text", "").strip())
    if not votes:
        return UPRIGHT
    direction, count = votes.most_common(1)[0]
    return direction if count * 2 > sum(votes.values()) else UPRIGHT


def orient_grid(grid: list[list[Cell]], direction: int) -> list[list[Cell]]:
    """Turn a page-oriented cell matrix into the table's own reading orientation.

    Text running up the page: the table's first row is the page's leftmost column and its
    columns go from the page bottom to the top. Running down: first row is the rightmost
    column, columns go top to bottom.
    """
    if direction == UPRIGHT or not grid:
        return grid
    n_cols = max(len(row) for row in grid)
    padded = [list(row) + [None] * (n_cols - len(row)) for row in grid]
    page_rows = range(len(padded))
    if direction == UP_THE_PAGE:
        return [[padded[i][j] for i in reversed(page_rows)] for j in range(n_cols)]
    return [[padded[i][j] for i in page_rows] for j in reversed(range(n_cols))]
