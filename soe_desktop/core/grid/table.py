"""One page's table as spanning cells on a slot lattice, in the table's reading orientation.

The geometry comes from the detectors the project already uses: pdfplumber's ruled cells (a merged
cell is one box over several slots) and, where pdfplumber finds nothing, camelot lattice (its cells
without an inner edge are merged back). Slots are the distinct cell edges; a grid drawn sideways is
laid out in reading coordinates first (rotation.py's directions), while every cell keeps its
displayed box for highlighting. Text comes from pdfium characters (chars.py) so small-printed
footnote markers stay known.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from soe_desktop.core.grid.chars import Char, body_size, bold_share, runs_of
from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, UPRIGHT

EDGE_TOLERANCE = 2.0  # points: cell edges closer than this are one ruling


@dataclass
class TableCell:
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    bbox: BBox  # displayed, top-left
    runs: list[tuple[str, bool]] = field(default_factory=list)
    bold: float = 0.0  # share of its visible characters printed bold

    @property
    def text(self) -> str:
        return " ".join("".join(text for text, _ in self.runs).split())


@dataclass
class PageTable:
    """A table on one page: cells on an n_rows x n_cols slot lattice (reading orientation)."""

    page: int
    bbox: BBox
    n_rows: int
    n_cols: int
    cells: list[TableCell]
    direction: int = UPRIGHT
    detector: str = "pdfplumber"

    def lattice(self) -> list[list[Optional[TableCell]]]:
        """slots[r][c] -> the cell covering it (None for a slot no cell covers)."""
        slots: list[list[Optional[TableCell]]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.r0, cell.r1):
                for c in range(cell.c0, cell.c1):
                    slots[r][c] = cell
        return slots


def to_reading(box: BBox, direction: int, size: tuple[float, float]) -> BBox:
    """Displayed box -> box in the table's reading orientation (x along a row, y down the rows)."""
    x0, top, x1, bottom = box
    width, height = size
    if direction == UP_THE_PAGE:  # text runs up: rows go left to right, columns bottom to top
        return height - bottom, x0, height - top, x1
    if direction == DOWN_THE_PAGE:  # text runs down: rows go right to left, columns top to bottom
        return top, width - x1, bottom, width - x0
    return box


def _edges(values: Iterable[float]) -> list[float]:
    """Distinct rulings: sorted values, those within EDGE_TOLERANCE of the previous merged."""
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > EDGE_TOLERANCE:
            merged.append(value)
    return merged


def _nearest(edges: Sequence[float], value: float) -> int:
    index = bisect.bisect_left(edges, value)
    candidates = [i for i in (index - 1, index) if 0 <= i < len(edges)]
    return min(candidates, key=lambda i: abs(edges[i] - value))


def _slot(edges: Sequence[float], value: float) -> int:
    """Index of the slot between two rulings that holds `value` (-1 outside)."""
    index = bisect.bisect_right(edges, value) - 1
    return index if 0 <= index < len(edges) - 1 else -1


def build_table(page: int, boxes: Sequence[BBox], chars: Sequence[Char], direction: int,
                size: tuple[float, float], detector: str) -> Optional[PageTable]:
    """Cells from displayed cell boxes, with the characters whose centres fall inside them."""
    reading = [to_reading(box, direction, size) for box in boxes]
    xs = _edges(v for box in reading for v in (box[0], box[2]))
    ys = _edges(v for box in reading for v in (box[1], box[3]))
    if len(xs) < 3 or len(ys) < 3:
        return None
    cells: list[TableCell] = []
    for box, read in zip(boxes, reading):
        c0, c1 = _nearest(xs, read[0]), _nearest(xs, read[2])
        r0, r1 = _nearest(ys, read[1]), _nearest(ys, read[3])
        if c1 > c0 and r1 > r0:
            cells.append(TableCell(r0, r1, c0, c1, tuple(box)))
    table_box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    table = PageTable(page, table_box, len(ys) - 1, len(xs) - 1, cells, direction, detector)
    _fill(table, chars, xs, ys, size)
    return table


def _fill(table: PageTable, chars: Sequence[Char], xs: list[float], ys: list[float], size) -> None:
    """Give each cell its characters (in pdfium's order); generated spaces follow their neighbour."""
    slots = table.lattice()
    inside: dict[int, list[Char]] = {}
    previous: Optional[int] = None
    members: list[Char] = []
    for char in chars:
        if char.generated:
            if previous is not None:
                inside[previous].append(char)
            continue
        x, y = char.centre
        rx, ry, _, _ = to_reading((x, y, x, y), table.direction, size)
        r, c = _slot(ys, ry), _slot(xs, rx)
        cell = slots[r][c] if r >= 0 and c >= 0 else None
        previous = id(cell) if cell is not None else None
        if cell is not None:
            inside.setdefault(id(cell), []).append(char)
            members.append(char)
    body = body_size(members)
    reading = lambda box: to_reading(box, table.direction, size)  # noqa: E731
    for cell in table.cells:
        cell.runs = runs_of(inside.get(id(cell), []), body, reading)
        cell.bold = bold_share(inside.get(id(cell), []))


def plumber_boxes(table) -> list[BBox]:
    """pdfplumber Table -> its cell boxes (a merged cell is one box)."""
    return [tuple(float(v) for v in cell) for cell in table.cells]


def camelot_boxes(table, page_height: float) -> list[BBox]:
    """camelot lattice Table -> merged cell boxes (displayed, top-left). camelot splits every
    slot into a cell and marks which edges are ruled; slots with no ruling between them are one
    printed cell, so they are joined with a union-find over the missing edges."""
    grid = table.cells
    parent = {(r, c): (r, c) for r in range(len(grid)) for c in range(len(grid[r]))}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if c + 1 < len(row) and not cell.right:
                parent[find((r, c))] = find((r, c + 1))
            if r + 1 < len(grid) and c < len(grid[r + 1]) and not cell.bottom:
                parent[find((r, c))] = find((r + 1, c))
    merged: dict[tuple[int, int], list[float]] = {}
    for (r, c) in parent:
        cell = grid[r][c]
        box = [cell.x1, page_height - cell.y2, cell.x2, page_height - cell.y1]
        root = find((r, c))
        if root in merged:
            old = merged[root]
            merged[root] = [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])]
        else:
            merged[root] = box
    return [tuple(float(v) for v in box) for box in merged.values()]
