"""Doubts about the grid's structure, which binning by the grid's own rows and columns cannot see.

The second reading (cross_check.py) shares the header and activity positions with the cell
reading, so a row split in two or a column that is no visit looks right to it. Two signs of those
errors are visible in the grid itself, and their cells are flagged `uncertain` too:
- a row that continues the name above it: a name wrapped over two lines that the table finder
  cut into two rows (a rule drawn between the lines, white rules between filled cells). Its name
  starts as no name does ("(9.4)", "treatment (9)", "6)") or the cell above it is thinner than a
  one-line row of the page (a cell cut out of a taller one), and the line above has no marks (it was
  taken for a section or an empty row);
- a column that holds no mark, only worded texts that differ from row to row ("Section 8.1",
  "Section 10.1.1"): a cross-reference or notes column read as a visit;
- a visit read twice: a column whose label is another's without its top level ("V1 | -1" beside
  "Screening | V1 | -1"), marked in the very rows of the other or in none of them (one visit's
  cells read as two columns, or a page that lost the period row): its marks belong to the other;
- a page whose text layer is fragmentary (a scan's hidden text with its words split into letters:
  "A d verse e ve nt"): nothing read from it can be trusted, so every cell of its rows is flagged.
"""

from __future__ import annotations

import re
from typing import Optional

from soe_desktop.core.grid.model import MARK, Grid, Row
from soe_desktop.core.model import BBox

# A name that starts with a lower-case word ("treatment (9)": not "eGFR", "hCG"), a bracket, a
# punctuation mark or a list number's close ("6)").
_CONTINUES = re.compile(r"^([a-z]+\b(?![A-Z])|[(\[.,;:)\]]|\d+\))")
THIN_SHARE = 0.75  # a name cell under this share of a one-line row's height was cut from a taller one
MIN_TEXT_CELLS = 3
DISTINCT_SHARE = 0.6  # of a column's text cells, this share different from each other: references
# ...and most of them worded ("Section 10.1.1", "Attachment 2"): time-point codes ("P, 1, 2h",
# "24h") also differ from row to row, and are marks.
MIN_REFERENCE_LENGTH = 10
_WORD = re.compile(r"[A-Za-z]{4,}")
_LETTERS = re.compile(r"[A-Za-z]+")
MIN_NAME_WORDS = 10  # words in a page's activity names before their spelling is judged
FRAGMENT_SHARE = 0.5  # of those words, this share one or two letters long: words split into letters


def _centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _axis(boxes: list[BBox]) -> int:
    """The axis the page's rows follow each other along (1: down the page, 0: across a sideways one)."""
    if len(boxes) < 2:
        return 1
    spread = [max(_centre(b)[a] for b in boxes) - min(_centre(b)[a] for b in boxes) for a in (0, 1)]
    return 0 if spread[0] > spread[1] else 1


def _lines(grid: Grid, page: int) -> list[tuple[float, float, Optional[Row]]]:
    """The page's name cells (rows and section rows) as (position along the rows, extent along
    them, row or None for a section), in order."""
    named: list[tuple[BBox, Optional[Row]]] = [(row.source.bbox, row) for row in grid.rows
                                               if row.source is not None and row.source.page == page]
    named += [(section.source.bbox, None) for section in grid.sections
              if section.source is not None and section.source.page == page]
    axis = _axis([box for box, _ in named])
    return sorted(((_centre(box)[axis], box[axis + 2] - box[axis], row) for box, row in named),
                  key=lambda item: item[0])


def _line_height(lines: list[tuple[float, float, Optional[Row]]]) -> float:
    """A one-line row's height on the page: the lower quartile of the marked rows' cells (many
    rows wrap over several lines; a page's shortest rows hold one)."""
    extents = sorted(extent for _, extent, row in lines if row is not None and row.marks)
    return extents[len(extents) // 4] if extents else 0.0


def continued_rows(grid: Grid) -> list[int]:
    """Indexes of rows that look like the second line of the name above them."""
    index = {id(row): i for i, row in enumerate(grid.rows)}
    found: set[int] = set()
    for page in grid.pages:
        lines = _lines(grid, page)
        usual = _line_height(lines)
        for (_, extent, above), (_, _, row) in zip(lines, lines[1:]):
            if row is None:
                continue
            if above is not None and above.marks:
                continue  # the line above is an activity of its own
            if extent < THIN_SHARE * usual or _CONTINUES.match(row.activity):
                found.add(index[id(row)])
        if lines and lines[0][2] is not None and _CONTINUES.match(lines[0][2].activity):
            found.add(index[id(lines[0][2])])  # continues the last name of the page before
    return sorted(found)


def reference_columns(grid: Grid) -> list[str]:
    """Ids of columns with no mark whose texts mostly differ from row to row and are worded."""
    found = []
    for column in grid.columns:
        values = [row.marks[column.id] for row in grid.rows if column.id in row.marks]
        texts = [value for value in values if value != MARK]
        if len(values) != len(texts) or len(texts) < MIN_TEXT_CELLS:
            continue
        worded = sum(bool(_WORD.search(text)) and len(text) >= MIN_REFERENCE_LENGTH for text in texts)
        if len(set(texts)) >= DISTINCT_SHARE * len(texts) and worded * 2 > len(texts):
            found.append(column.id)
    return found


def fragmentary_pages(grid: Grid) -> list[int]:
    """Pages whose activity names are mostly one- or two-letter pieces of words."""
    found = []
    for page in grid.pages:
        words = [word for row in grid.rows if row.source is not None and row.source.page == page
                 for word in _LETTERS.findall(row.activity)]
        if len(words) >= MIN_NAME_WORDS and sum(len(word) <= 2 for word in words) > FRAGMENT_SHARE * len(words):
            found.append(page)
    return found


def duplicate_columns(grid: Grid) -> list[str]:
    """Ids of columns that repeat another's visit without its top header level."""
    marked = {column.id: {i for i, row in enumerate(grid.rows) if column.id in row.marks} for column in grid.columns}
    found = []
    for short in grid.columns:
        for full in grid.columns:
            same_or_apart = marked[short.id] == marked[full.id] or marked[short.id].isdisjoint(marked[full.id])
            if full is not short and short.label and full.label.endswith(" | " + short.label) and same_or_apart:
                found.append(short.id)
                break
    return found


def structure_doubts(grid: Grid) -> dict[int, set[str]]:
    """Row index -> column ids to flag: every marked cell of a continued row, every cell of a
    reference column or of a visit read twice, every cell of a row on a fragmentary page."""
    doubts: dict[int, set[str]] = {}
    fragmentary = set(fragmentary_pages(grid))
    for index, row in enumerate(grid.rows):
        if row.source is not None and row.source.page in fragmentary:
            doubts.setdefault(index, set()).update(column.id for column in grid.columns)
    for index in continued_rows(grid):
        if grid.rows[index].marks:
            doubts.setdefault(index, set()).update(grid.rows[index].marks)
    for col in reference_columns(grid) + duplicate_columns(grid):
        for index, row in enumerate(grid.rows):
            if col in row.marks:
                doubts.setdefault(index, set()).add(col)
    return doubts
