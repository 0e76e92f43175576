"""Stitch the pages of one table into one grid.

Each continuation page repeats (or omits) the visit header. Its columns are aligned with the
grid's by label, in order (rapidfuzz ratio, so "Week 4" and "Week 4 " or a header with a footnote
marker still meet); a page without a header takes the columns in position. A label not seen yet
adds a column after the last one matched (after all of them when the page matches none), so
columns keep page order. A page that adds visits continues the table sideways (the same
activities, later visits): a row whose name is already a row that was not read over those
columns joins that row, so one activity is one row with the union of its marks.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from rapidfuzz import fuzz

from soe_desktop.core.grid.header import describe
from soe_desktop.core.grid.model import Column, Grid, Row, Section, Source
from soe_desktop.core.grid.page import PageColumn, PagePart, PageRow

LABEL_MATCH = 90.0  # rapidfuzz ratio (0-100) at which two column labels are the same visit
# A row continued over new columns may be named a little differently (an OCR misread, a marker
# kept): the other conditions (no mark in the page's columns yet) already make it the same row.
CONTINUED_MATCH = 85.0
SAME_HEADER = 70.0  # mean ratio, column by column, at which a page repeats the grid's header
# A section name wrapped over two ruled rows ("Safety Assessments /" + "Laboratory Analyses").
_WRAPPED = re.compile(r"(?i)([/,&+:-]|\b(and|or|of|for|the|with|to))$")
_NUMBERS = re.compile(r"\d+")
_CONTINUED = re.compile(r"(?i)\s*[(\[]?\s*(cont(inued|'d|\.|d)?)\s*[)\]]?\s*$")


def clean_name(name: str) -> str:
    """"Safety assessments (continued)" -> "Safety assessments"."""
    return _CONTINUED.sub("", name).strip() or name


def _same_numbers(a: str, b: str) -> bool:
    """Labels of two different visits often differ only in a number ("Week 2 | Day 15" and
    "Week 4 | Day 29" are 90 % alike): the same visit prints the same numbers."""
    return _NUMBERS.findall(a) == _NUMBERS.findall(b)


def _key(label: str) -> str:
    return " ".join(label.lower().split())


class _Builder:
    def __init__(self) -> None:
        self.grid = Grid(pages=[])
        self.keys: list[str] = []
        self.section = ""
        self.after_section = False  # the last row added was a section row
        self.covered: dict[int, set[int]] = {}  # id(row) -> ids of the columns its pages had
        self.cursor = -1  # index of the row last added or continued

    def _new_column(self, column: PageColumn, page: int, at: int) -> Column:
        info = describe(column.parts)
        built = Column(id="", label=info.label, parts=info.parts, period=info.period, visit=info.visit,
                       day=info.day, week=info.week, window=info.window, footnote_refs=info.refs,
                       sources=[Source(page, source.bbox) for source in column.sources])
        self.grid.columns.insert(at, built)
        self.keys.insert(at, _key(info.label))
        return built

    def align(self, part: PagePart) -> list[Column]:
        """The grid column of each of the page's columns, adding new ones where needed."""
        if not self.grid.columns:
            return [self._new_column(column, part.page, len(self.grid.columns)) for column in part.columns]
        if part.header_rows == 0 or not any(column.parts for column in part.columns):
            if len(part.columns) <= len(self.grid.columns):
                return self.grid.columns[:len(part.columns)]
        keys = [_key(describe(column.parts).label) for column in part.columns]
        numbers_agree = sum(map(_same_numbers, keys, self.keys)) * 2 >= len(keys)
        if (len(keys) == len(self.keys) and numbers_agree
                and sum(map(fuzz.ratio, keys, self.keys)) / len(keys) >= SAME_HEADER):
            return list(self.grid.columns)  # the header repeated (an OCR misread or a marker aside)
        matched: list[Optional[Column]] = []
        last = -1
        for key in keys:
            best, score = None, 0.0
            for index in range(last + 1, len(self.keys)):
                ratio = fuzz.ratio(key, self.keys[index]) if _same_numbers(key, self.keys[index]) else 0.0
                if ratio > score:
                    best, score = index, ratio
                if ratio == 100:
                    break
            if best is not None and score >= LABEL_MATCH:
                last = best
                matched.append(self.grid.columns[best])
            else:
                matched.append(None)
        # A new column goes right after the grid column of the page column before it; new columns
        # before any matched one go before the first match, and a page matching nothing (a page
        # that continues the table to the right) adds its columns after the grid's: page order.
        first = next((column for column in matched if column is not None), None)
        at = self.grid.columns.index(first) if first is not None else len(self.grid.columns)
        mapped: list[Column] = []
        for column, hit in zip(part.columns, matched):
            if hit is None:
                hit = self._new_column(column, part.page, at)
            at = self.grid.columns.index(hit) + 1
            mapped.append(hit)
        return mapped

    def add(self, part: PagePart) -> None:
        columns = self.align(part)
        page_columns = {id(column) for column in columns}
        self.grid.pages.append(part.page)
        for page_row in part.rows:
            continued = self._continued_row(clean_name(page_row.name), page_columns)
            if continued is not None:  # the same activity, continued over new visits
                self.after_section = False
                self.section = continued.section
                self._fill(continued, page_row, columns)
                self.covered[id(continued)] |= page_columns
                continue
            if page_row.is_section:
                self._section(page_row)
                continue
            self.after_section = False
            self._row(page_row, columns, page_columns)

    def _section(self, page_row: PageRow) -> None:
        name = clean_name(page_row.name)
        previous = self.grid.sections[-1] if self.grid.sections else None
        if self.after_section and previous is not None and (_WRAPPED.search(previous.name) or name[:1].islower()):
            previous.name = f"{previous.name} {name}"
            previous.footnote_refs = list(dict.fromkeys(previous.footnote_refs + page_row.refs))
            self.section = previous.name
            return
        self.after_section = True
        self.section = name
        if not any(section.name == name for section in self.grid.sections):
            self.grid.sections.append(Section(name, page_row.refs, page_row.source))

    def _continued_row(self, name: str, page_columns: set[int]) -> Optional[Row]:
        """The row this page's row continues: a page that adds visits to the table (its columns not
        all read for that row yet) repeats the activity names; the row of the same name with no
        mark in the page's columns is the same activity. Rows after the last one continued are
        preferred, so a name printed twice (two sections) pairs in order."""
        keys = {str(key) for key in page_columns}  # cells are keyed by str(id(column)) until finish
        found = [index for index, row in enumerate(self.grid.rows)
                 if not page_columns <= self.covered[id(row)] and keys.isdisjoint(row.marks)
                 and fuzz.ratio(row.activity.lower(), name.lower()) >= CONTINUED_MATCH]
        if not found:
            return None
        index = next((i for i in found if i > self.cursor), found[0])
        self.cursor = index
        return self.grid.rows[index]

    def _row(self, page_row: PageRow, columns: Sequence[Column], page_columns: set[int]) -> None:
        name = clean_name(page_row.name)
        section = clean_name(page_row.category) if page_row.category else self.section
        if page_row.category and not any(s.name == section for s in self.grid.sections):
            self.grid.sections.append(Section(section))
        row = Row(activity=name, section=section, footnote_refs=list(page_row.refs), source=page_row.source)
        self.grid.rows.append(row)
        self.covered[id(row)] = set(page_columns)
        self.cursor = len(self.grid.rows) - 1
        self._fill(row, page_row, columns)

    def _fill(self, row: Row, page_row: PageRow, columns: Sequence[Column]) -> None:
        row.footnote_refs = list(dict.fromkeys(row.footnote_refs + page_row.refs))
        for column, cell, source in zip(columns, page_row.cells, page_row.sources):
            if cell is None:
                continue
            if cell.value:
                row.marks[column.id or str(id(column))] = cell.value
            if cell.refs:
                row.cell_refs[column.id or str(id(column))] = list(cell.refs)
            if source is not None:
                row.cell_sources[column.id or str(id(column))] = source
        row.details.update(page_row.details)

    def finish(self, footnotes: dict[str, str]) -> Grid:
        """Number the columns c1.. in their final order and re-key the cells to those ids."""
        ids = {str(id(column)): f"c{index}" for index, column in enumerate(self.grid.columns, start=1)}
        for index, column in enumerate(self.grid.columns, start=1):
            column.id = f"c{index}"
        order = {column.id: index for index, column in enumerate(self.grid.columns)}
        for row in self.grid.rows:
            for attr in ("marks", "cell_refs", "cell_sources"):
                mapping = {ids.get(key, key): value for key, value in getattr(row, attr).items()}
                setattr(row, attr, dict(sorted(mapping.items(), key=lambda item: order[item[0]])))
        self.grid.footnotes = footnotes
        return self.grid


def stitch(parts: Sequence[PagePart], footnotes: dict[str, str]) -> Grid:
    builder = _Builder()
    for part in parts:
        builder.add(part)
    grid = builder.finish(footnotes)
    # The first page's title ("Table 5.1-1: ... (continued)" on the later ones).
    grid.caption = next((clean_name(part.caption) for part in parts if part.caption), "")
    return grid
