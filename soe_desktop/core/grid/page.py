"""One page's table read as a grid: visit columns with their header, and body rows.

Columns of the slot lattice play three roles: leading *label* columns (the activity name, and
sometimes a category merged down several rows to its left), *visit* columns, and trailing *detail*
columns (notes, protocol section) that hold text but no marks. Body rows are activities or
section rows (a name and no marks, or one cell spanning the visit columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz

from soe_desktop.core.grid.header import HeaderPart, header_rows, header_text, visit_like
from soe_desktop.core.grid.marks import MARK_GLYPHS, Cell, normalise_cell, normalise_name
from soe_desktop.core.grid.model import Source
from soe_desktop.core.grid.table import PageTable, TableCell

_DETAIL_HEADER = re.compile(r"(?i)\b(notes?|comments?|remarks|protocol\s+section|section|reference|details)\b")
HEADER_MATCH = 85.0  # rapidfuzz ratio at which a page's top row repeats an earlier page's header row
_ANNOTATED_MARK = re.compile(rf"^[{''.join(sorted(MARK_GLYPHS))}]\s*[(\[]")
DETAIL_TEXT_CHARS = 25
_ROW_TITLE = re.compile(r"(?i)^\s*(study\s+)?(visits?|weeks?|days?|months?|cycles?|windows?|time\s*points?)\s*:?\s*$")
# A table's title: "Table 5.1-1: Flow chart for ...", "Schedule of Activities", "Study Flowchart".
_CAPTION = re.compile(r"(?i)^\s*((table|figure|exhibit)\s+[a-z]?\d[\w.\-–]*\b|(study\s+)?(schedule\s+of\s+"
                      r"(activities|assessments|events|procedures|visits)|flow\s*-?\s*chart))")
BOLD_NAME = 0.5  # share of a name's characters printed bold at which it is a bold name  # a column whose cells average longer text than this and hold no mark is prose


@dataclass
class PageColumn:
    parts: list[HeaderPart]
    sources: list[Source]


@dataclass
class PageRow:
    name: str
    refs: list[str]
    source: Source
    is_section: bool
    category: str = ""  # a label column left of the name (merged down its rows)
    cells: list[Optional[Cell]] = field(default_factory=list)  # one per visit column
    sources: list[Optional[Source]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class PagePart:
    """What one page adds to a grid."""

    page: int
    bbox: tuple
    columns: list[PageColumn]
    rows: list[PageRow]
    header_rows: int
    detector: str = ""
    header: list[str] = field(default_factory=list)  # the header rows' texts (row_texts)
    caption: str = ""  # the table's title, printed as its top row or as a line above it


def _normalised(slots: Sequence[Sequence[Optional[TableCell]]]) -> list[list[Optional[Cell]]]:
    cache: dict[int, Cell] = {}
    rows = []
    for row in slots:
        out = []
        for cell in row:
            if cell is None:
                out.append(None)
                continue
            if id(cell) not in cache:
                cache[id(cell)] = normalise_cell(cell.runs)
            out.append(cache[id(cell)])
        rows.append(out)
    return rows


def _filled_cols(slots, n_cols: int) -> list[int]:
    """Slot columns in which some cell starts and has text (lattice artefacts drop out)."""
    return [c for c in range(n_cols) if any(row[c] is not None and row[c].c0 == c and row[c].text for row in slots)]


def _label_cols(cells: list[list[Optional[Cell]]], cols: list[int], body_from: int) -> int:
    """How many of the leading filled columns hold names (text, no marks, below the header)."""
    count = 0
    for c in cols:
        body = [row[c] for row in cells[body_from:] if row[c] is not None and row[c].value]
        if count and any(cell.is_mark for cell in body):
            break
        if count and not body:
            break
        if count >= 1 and sum(len(cell.value) for cell in body) / max(len(body), 1) < 4:
            break  # short text cells ("C", "Opt"): a visit column of text marks
        count += 1
        if count == 2:
            break
    return max(count, 1)


def _is_section(slots, cells, r: int, label: list[int], visits: list[int], styled: bool = False) -> bool:
    """One cell spanning into the visit columns, or a name and nothing in the visit columns;
    `styled`: the page prints its section rows bold, so a plain name without marks is an
    activity printed with no mark."""
    name_cell = slots[r][label[-1]] or slots[r][label[0]]
    if name_cell is not None and visits and name_cell.c1 > visits[0]:
        return True
    if any(cells[r][c] is not None and cells[r][c].value for c in visits):
        return False
    return not styled or name_cell is None or name_cell.bold >= BOLD_NAME


def _bold_sections(slots, cells, label: list[int], visits: list[int], n_header: int) -> bool:
    """Whether the page's section rows are told by print: some unmarked names are bold while the
    names of marked rows are mostly not."""
    unmarked, marked = [], []
    for r in range(n_header, len(slots)):
        name_cell = slots[r][label[-1]] or slots[r][label[0]]
        if name_cell is None or name_cell.r0 != r or not name_cell.text:
            continue
        has_mark = any(cells[r][c] is not None and cells[r][c].value for c in visits)
        (marked if has_mark else unmarked).append(name_cell.bold >= BOLD_NAME)
    return any(unmarked) and bool(marked) and sum(marked) / len(marked) < BOLD_NAME


def _annotated_mark(cell: Cell) -> bool:
    """"X (if necessary)", "X (until PD is confirmed)": a mark with a note is a visit's cell."""
    return bool(_ANNOTATED_MARK.match(cell.value))


def _detail_cols(slots, cells, cols: list[int], n_header: int) -> list[int]:
    """Trailing columns of prose or notes: no marks, a notes-like header, or long text under a
    header that does not read as a visit (a visit cell may hold long text: "X (until PD ...)")."""
    details = []
    for c in reversed(cols):
        body = [row[c] for row in cells[n_header:] if row[c] is not None and row[c].value]
        head = " ".join(slots[r][c].text for r in range(n_header) if slots[r][c] is not None)
        own = " ".join(slots[r][c].text for r in range(n_header) if slots[r][c] is not None and slots[r][c].c0 == c)
        # under a header cell spanning from the columns before it (a period over its visits)
        spanned = any(slots[r][c] is not None and slots[r][c].c0 < c for r in range(n_header))
        if any(cell.is_mark or _annotated_mark(cell) for cell in body):
            break
        long_text = body and sum(len(cell.value) for cell in body) / len(body) > DETAIL_TEXT_CHARS
        if not (_DETAIL_HEADER.search(head) or (long_text and not (spanned and visit_like(own)))):
            break
        details.append(c)
    return sorted(details)


def row_texts(slots) -> list[str]:
    """Each slot row's text (the cells starting in it), to recognise a header printed again."""
    return [" ".join(cell.text for c, cell in enumerate(row) if cell is not None and cell.r0 == r and cell.c0 == c
                     and cell.text) for r, row in enumerate(slots)]


def _repeated_header(texts: Sequence[str], known: Sequence[str]) -> int:
    """len(known) when the page starts with the header rows `known` (an earlier page's), else -1."""
    if not known or len(texts) <= len(known):
        return -1
    same = all(fuzz.ratio(" ".join(a.lower().split()), " ".join(b.lower().split())) >= HEADER_MATCH
               for a, b in zip(texts, known))
    return len(known) if same else -1


def read_page(table: PageTable, header_hint: int = -1, known_header: Sequence[str] = ()) -> Optional[PagePart]:
    """The grid of one page's table; `header_hint`: header rows already known (-1: find them);
    `known_header`: the header rows' texts of an earlier page of the table. A continuation page
    that starts with them has that many header rows: rows of text cells only, right under the
    header, are then body rows, not more header (which the first-mark rule would take them for)."""
    caption, table = _title_rows(table)
    slots = table.lattice()
    cells = _normalised(slots)
    cols = _filled_cols(slots, table.n_cols)
    if len(cols) < 2:
        return None
    texts = row_texts(slots)
    if header_hint < 0:
        header_hint = _repeated_header(texts, known_header)
    n_label = _label_cols(cells, cols, 0)
    label, rest = cols[:n_label], cols[n_label:]
    section_rows = {r for r in range(table.n_rows) if _is_section(slots, cells, r, label, rest)}
    n_header = header_hint if header_hint >= 0 else header_rows(cells, cols[n_label - 1] + 1, section_rows)
    n_label = _label_cols(cells, cols, n_header)
    label, rest = cols[:n_label], cols[n_label:]
    details = _detail_cols(slots, cells, rest, n_header)
    visits = [c for c in rest if c not in details]
    titles = _title_cols(slots, cells, visits, n_header)
    visits = visits[len(titles):]
    if not visits:
        return None
    columns = [_column(slots, c, n_header, visits, [*titles, label[0]]) for c in visits]
    styled = _bold_sections(slots, cells, label, visits, n_header)
    rows = []
    for r in range(n_header, table.n_rows):
        row = _row(table.page, slots, cells, r, label, visits, details, n_header, styled)
        if row is None:
            continue
        name_cell = slots[r][label[-1]] or slots[r][label[0]]
        if rows and not row.is_section and name_cell is not None and name_cell.r0 < r and not rows[-1].is_section:
            _merge_into(rows[-1], row)  # one name merged down several slot rows: one activity
            continue
        rows.append(row)
    return PagePart(table.page, table.bbox, columns, rows, n_header, table.detector, texts[:n_header], caption)


def is_caption(text: str) -> bool:
    return bool(_CAPTION.match(text))


def _title_rows(table: PageTable) -> tuple[str, PageTable]:
    """A title printed as the table's top row (one cell across every column, reading as a
    caption) is the table's caption, not a header level: the table without it, and its text."""
    slots = table.lattice()
    cols = _filled_cols(slots, table.n_cols)
    if not cols or table.n_rows < 2:
        return "", table
    cell = slots[0][cols[0]]
    if cell is None or cell.c0 > cols[0] or cell.c1 <= cols[-1] or not is_caption(cell.text):
        return "", table
    top = cell.r1
    kept = [replace(other, r0=other.r0 - top, r1=other.r1 - top) for other in table.cells if other.r0 >= top]
    return cell.text, replace(table, n_rows=table.n_rows - top, cells=kept)


def _merge_into(row: PageRow, more: PageRow) -> None:
    for index, (cell, source) in enumerate(zip(more.cells, more.sources)):
        if cell is not None and row.cells[index] is None:
            row.cells[index], row.sources[index] = cell, source


def _title_cols(slots, cells, visits: list[int], n_header: int) -> list[int]:
    """Leading columns that name the header rows ("VISIT" over "WEEK" beside the visit numbers):
    header text without a digit and nothing in any body row. They title rows; they are no visit."""
    titles = []
    for c in visits[:-1]:
        head = [slots[r][c] for r in range(n_header) if slots[r][c] is not None and slots[r][c].c0 == c]
        body = [row[c] for row in cells[n_header:] if row[c] is not None and (row[c].value or row[c].refs)]
        texts = [cell.text for cell in head if cell.text]
        if body or not texts or any(ch.isdigit() for text in texts for ch in text):
            break
        if len(texts) < 2 and not _ROW_TITLE.match(texts[0]):
            break  # one name ("Screening", "Unscheduled") is a visit without marks on this page
        if any(cell.c1 - cell.c0 > 1 for cell in head):
            break  # a spanning header (a period over its visits) is not a row title
        titles.append(c)
    return titles


def _column(slots, c: int, n_header: int, visits: list[int], title_cols: list[int]) -> PageColumn:
    parts, sources, seen = [], [], set()
    for r in range(n_header):
        cell = slots[r][c]
        if cell is None or id(cell) in seen:
            continue
        seen.add(id(cell))
        text, refs = header_text(cell.runs)
        row_label = ""
        for title in title_cols:  # the row's own name: a row-title column's cell, else the label column's
            row_cell = slots[r][title]
            if row_cell is not None and row_cell is not cell and row_cell.text:
                row_label = row_cell.text
                break
        span = sum(1 for v in visits if cell.c0 <= v < cell.c1)
        parts.append(HeaderPart(text, row_label, span, refs))
        sources.append(Source(0, cell.bbox))
    return PageColumn(parts, sources)


def _row(page: int, slots, cells, r: int, label: list[int], visits: list[int], details: list[int],
         n_header: int, styled: bool = False) -> Optional[PageRow]:
    name_cell = slots[r][label[-1]]
    category_cell = slots[r][label[0]] if len(label) > 1 else None
    if name_cell is None or not name_cell.text:
        name_cell, category_cell = category_cell, None
    if name_cell is None or not name_cell.text:
        return None
    name, refs = normalise_name(name_cell.runs)
    if not name:
        return None
    is_section = _is_section(slots, cells, r, label, visits, styled)
    row = PageRow(name, refs, Source(page, name_cell.bbox), is_section)
    if category_cell is not None and category_cell is not name_cell and category_cell.text:
        row.category = normalise_name(category_cell.runs)[0]
    if is_section:
        return row if name_cell.r0 == r else None
    for c in visits:
        cell, slot = cells[r][c], slots[r][c]
        keep = cell is not None and (cell.value or cell.refs)
        row.cells.append(cell if keep else None)
        row.sources.append(Source(page, slot.bbox) if keep else None)
    for c in details:
        if slots[r][c] is not None and slots[r][c].text:
            head = " ".join(slots[h][c].text for h in range(n_header) if slots[h][c] is not None) or f"column {c}"
            row.details[head] = slots[r][c].text
    return row
