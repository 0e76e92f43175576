"""A second, independent reading of a grid that checks the first (the cell reading).

The cell reading takes each cell's text from the table finder's cell boxes. This one ignores those
boxes: it bins the page's own characters (pdfium, as the page reading takes them) by the column
x-ranges of the visit headers and the row y-ranges of the activity names, builds the mark matrix
from the bins, and compares it with the cell reading. A cell where the two disagree (a mark in one
and not the other, a mark against a text, two different texts) is flagged `uncertain` on its row.

Why this catches what the first reading misses: a table finder that splits a row into sub-rows, or
shifts a column, puts text into the wrong cell box; the header and activity positions do not move
with it. Both readings share only the header and row positions, so an error in those is not seen.

Errors of the grid's structure (a row cut in two, a column that is no visit) are invisible to it;
structure_check.py flags the cells of rows and columns that look like them.

Sideways grids are binned in the table's own reading frame: the page's one orientation decision
(pdf/orientation.py, as every other reader of the page uses), or where none is given, the turn in
which the page's header boxes run along the rows and the activity boxes down them. Pages read by OCR carry no characters
to bin and are not checked (`Grid.checked_pages` lists the pages that were).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from rapidfuzz import fuzz

from soe_desktop.core.grid.chars import Char, body_size, runs_of
from soe_desktop.core.grid.marks import normalise_cell
from soe_desktop.core.grid.model import MARK, Grid, Row
from soe_desktop.core.grid.structure_check import structure_doubts
from soe_desktop.core.grid.table import to_reading
from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, UPRIGHT

TEXT_MATCH = 80.0  # rapidfuzz partial ratio at which two readings of a text cell are the same text
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class PageChars:
    """A page's characters (displayed, top-left boxes), its displayed size and the page's one
    orientation decision (pdf/orientation.py page_direction; None: judge from the grid's layout)."""

    chars: Sequence[Char]
    size: tuple[float, float]
    direction: Optional[int] = None


@dataclass(frozen=True)
class _Band:
    key: object  # a column id or a row index
    low: float
    high: float


def _order_score(boxes: Sequence[BBox], axis: int) -> int:
    """How many neighbours follow each other along `axis` (0: x, 1: y) of the reading frame."""
    centres = [(box[axis] + box[axis + 2]) / 2 for box in boxes]
    return sum(b > a for a, b in zip(centres, centres[1:]))


def reading_direction(column_boxes: Sequence[BBox], row_boxes: Sequence[BBox], size: tuple[float, float]) -> int:
    """The turn in which the page's visit headers run left to right and its activities top to
    bottom, as the grid keeps them (upright unless a turn fits clearly better)."""
    best, score = UPRIGHT, -1
    for direction in (UPRIGHT, UP_THE_PAGE, DOWN_THE_PAGE):
        columns = [to_reading(box, direction, size) for box in column_boxes]
        rows = [to_reading(box, direction, size) for box in row_boxes]
        fit = _order_score(columns, 0) + _order_score(rows, 1)
        if fit > score:
            best, score = direction, fit
    return best


def _column_boxes(grid: Grid, page: int) -> dict[str, BBox]:
    """Each visit's band on the page: its lowest header box there (its own cell, not a spanning
    period above it; the sources go top to bottom). A page that repeats the header, or prints none,
    keeps no header boxes of its own (stitching matched them to the first page's): there the header
    box where it was printed serves while most of the column's cells on the page lie in its band
    (the same layout), else the box most of those cells share (a merged cell is wider and rarer);
    so does a header box shared by several visits (no rule between them). A column with no band
    on the page is not checked there."""
    lowest = {column.id: [s.bbox for s in column.sources if s.page == page][-1:] for column in grid.columns}
    shared = Counter(box[0] for box in lowest.values() if box)
    own = Counter((c.sources[-1].page, c.sources[-1].bbox) for c in grid.columns if c.sources)
    boxes = {}
    for column in grid.columns:
        cells = [row.cell_sources[column.id].bbox for row in grid.rows
                 if column.id in row.cell_sources and row.cell_sources[column.id].page == page]
        mine = lowest[column.id]
        if mine and shared[mine[0]] == 1:
            boxes[column.id] = mine[0]
        elif mine:  # one header box over several visits (no rule between them): their cells say where
            if cells:
                boxes[column.id] = _most_common(cells)
        elif cells:
            last = column.sources[-1] if column.sources else None
            header = last.bbox if last is not None and own[(last.page, last.bbox)] == 1 else None
            boxes[column.id] = header if header is not None and _in_band(cells, header) else _most_common(cells)
    return boxes


def _in_band(cells: Sequence[BBox], header: BBox) -> bool:
    """Whether most cells' centres lie across the header box's band (x for an upright table, y
    for a sideways one: either axis, as the turn is decided later)."""
    for axis in (0, 1):
        inside = sum(header[axis] <= (b[axis] + b[axis + 2]) / 2 <= header[axis + 2] for b in cells)
        if inside * 2 > len(cells):
            return True
    return False


def _most_common(boxes: Sequence[BBox]) -> BBox:
    """The box most of `boxes` have (to the point), the narrowest of those equally common."""
    counts = Counter((round(b[0]), round(b[1]), round(b[2]), round(b[3])) for b in boxes)
    return max(boxes, key=lambda b: (counts[(round(b[0]), round(b[1]), round(b[2]), round(b[3]))],
                                     -(b[2] - b[0]) * (b[3] - b[1])))


def _row_boxes(grid: Grid, page: int) -> dict[int, BBox]:
    """Each activity's box on the page: its name's cell, or (a row continued from an earlier page)
    the band its cells on this page cover."""
    boxes = {}
    for index, row in enumerate(grid.rows):
        if row.source is not None and row.source.page == page:
            boxes[index] = row.source.bbox
            continue
        mine = [source.bbox for source in row.cell_sources.values() if source.page == page]
        if mine:
            boxes[index] = (min(b[0] for b in mine), min(b[1] for b in mine),
                            max(b[2] for b in mine), max(b[3] for b in mine))
    return boxes


def _bands(boxes: Mapping[object, BBox], axis: int) -> list[_Band]:
    return sorted((_Band(key, box[axis], box[axis + 2]) for key, box in boxes.items()), key=lambda b: b.low)


def _partition(bands: list[_Band]) -> list[_Band]:
    """Visit columns side by side: each band reaches to where the next begins. A header cell can be
    narrower than its column (a split sub-header) or wider (a spanning one kept for want of
    another): the columns' left edges, in order, are what both agree on."""
    parted = []
    for band, after in zip(bands, bands[1:] + [None]):
        high = band.high if after is None else after.low
        parted.append(_Band(band.key, band.low, max(high, band.low)))
    return parted


def _find(bands: Sequence[_Band], lows: Sequence[float], value: float) -> Optional[object]:
    at = bisect.bisect_right(lows, value) - 1
    if at >= 0 and bands[at].low <= value <= bands[at].high:
        return bands[at].key
    return None


def bin_chars(chars: Sequence[Char], columns: Mapping[str, BBox], rows: Mapping[int, BBox],
              direction: int, size: tuple[float, float]) -> dict[tuple[int, str], list[int]]:
    """(row index, column id) -> indexes of the characters whose centre lies in that row band and
    column band (bands and characters in the table's reading frame), in reading order."""
    column_bands = _partition(_bands({key: to_reading(box, direction, size) for key, box in columns.items()}, 0))
    row_bands = _bands({key: to_reading(box, direction, size) for key, box in rows.items()}, 1)
    column_lows, row_lows = [b.low for b in column_bands], [b.low for b in row_bands]
    bins: dict[tuple[int, str], list[int]] = {}
    for index, char in enumerate(chars):
        if char.generated or not char.text.strip():
            continue
        box = to_reading(char.bbox, direction, size)
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        column = _find(column_bands, column_lows, x)
        row = _find(row_bands, row_lows, y) if column is not None else None
        if row is not None:
            bins.setdefault((row, column), []).append(index)
    return bins


def _second_value(chars: Sequence[Char], body: float, direction: int, size: tuple[float, float]) -> str:
    """What the binned characters say: MARK, a text, or "" (nothing, or only footnote refs printed
    small), normalised as a cell is.
    The characters stay in pdfium's reading order (a raised marker would sort before its mark)."""
    if not chars:
        return ""
    runs = runs_of(chars, body, lambda box: to_reading(box, direction, size))
    return normalise_cell(runs).value


def _squeeze(text: str) -> str:
    return _NOT_WORD.sub("", text).casefold()


def agree(first: str, second: str) -> bool:
    """Whether the cell reading's value and the binned reading's value say the same."""
    if not first or not second:
        return not first and not second
    if first == MARK or second == MARK:
        return first == second
    a, b = _squeeze(first), _squeeze(second)
    return a == b or fuzz.partial_ratio(a, b) >= TEXT_MATCH


def _spans(row: Row, column_ids: Sequence[str]) -> list[list[str]]:
    """The row's columns, a merged cell's columns joined: it is printed once, in one of them. A
    merged cell is one cell box over consecutive visits (an "X" centred over two), or consecutive
    visits read with one and the same text ("Continuous" over four)."""
    spans: list[list[str]] = []
    previous, previous_box = None, None
    for col in column_ids:
        value = row.marks.get(col, "")
        source = row.cell_sources.get(col)
        box = source.bbox if source is not None else None
        same_text = value and value != MARK and value == previous
        same_box = value and box is not None and box == previous_box
        if spans and (same_text or same_box):
            spans[-1].append(col)
        else:
            spans.append([col])
        previous, previous_box = value, box
    return spans


def _rows_by_box(grid: Grid, rows: Mapping[int, BBox]) -> dict[tuple[str, BBox], list[int]]:
    """(column id, cell box) -> the rows sharing that cell: a cell merged down several activities
    prints its mark once, between them."""
    sharing: dict[tuple[str, BBox], list[int]] = {}
    for index in rows:
        for col, source in grid.rows[index].cell_sources.items():
            sharing.setdefault((col, source.bbox), []).append(index)
    return sharing


def _check_page(grid: Grid, page: int, text: PageChars, flagged: dict[int, set[str]]) -> bool:
    columns, rows = _column_boxes(grid, page), _row_boxes(grid, page)
    if not columns or not rows:
        return False
    direction = text.direction
    if direction is None:
        direction = reading_direction(list(columns.values()), [rows[k] for k in sorted(rows)], text.size)
    bins = bin_chars(text.chars, columns, rows, direction, text.size)
    body = body_size(text.chars)
    order = [column.id for column in grid.columns if column.id in columns]
    merged = _rows_by_box(grid, rows)
    for index in rows:
        row = grid.rows[index]
        for span in _spans(row, order):
            source = row.cell_sources.get(span[0])
            sharing = merged.get((span[0], source.bbox), [index]) if source is not None else [index]
            binned = sorted({i for r in sharing for col in span for i in bins.get((r, col), [])})
            second = _second_value([text.chars[i] for i in binned], body, direction, text.size)
            if not agree(row.marks.get(span[0], ""), second):
                flagged.setdefault(index, set()).update(span)
    return True


def cross_check(grid: Grid, pages: Mapping[int, PageChars]) -> Grid:
    """Flag the cells of `grid` whose two readings disagree (`Row.uncertain`), on the pages given
    (text-layer pages; OCR pages are left out by the caller). Returns the same grid."""
    flagged: dict[int, set[str]] = {}
    checked = [page for page in grid.pages if page in pages and _check_page(grid, page, pages[page], flagged)]
    for index, columns in structure_doubts(grid).items():  # what binning by the grid's own rows cannot see
        flagged.setdefault(index, set()).update(columns)
    order = {column.id: index for index, column in enumerate(grid.columns)}
    for index, row in enumerate(grid.rows):
        row.uncertain = sorted(flagged.get(index, set()), key=order.__getitem__)
    grid.checked_pages = checked
    return grid
