"""The grid a synthetic SoE table draws, as the grid extractor should read it back.

Computed from the table's own data (header rows, body rows, spans, footnotes), not from the PDF:
a column's label is its header cells top to bottom, a spanning header cell repeated in every
column it spans, consecutive repeats dropped, joined with " | ". Markup the drawer understands:
"^a" is a footnote marker printed small and raised; Unicode superscripts are markers too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Sequence

MARK = "X"
SUPERSCRIPT_DIGITS = {"\u00b9": "1", "\u00b2": "2", "\u00b3": "3"}
# What every drawn mark style reads as (the glyphs the generator prints, see grids.MARK_STYLES).
MARK_TEXTS = {"X", "x", "\u2713", "\u2022", "\u25cf", "\u25cb", "\u25b2"}
_CARET = re.compile(r"\^([A-Za-z0-9,]+)")
_GLUED_LETTER_MARK = re.compile(r"^X([a-z])$")


@dataclass
class TruthRow:
    activity: str
    section: str
    page: int = 0  # set by the writer that knows how the body was split over pages
    footnote_refs: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # column label -> "X" or text
    cell_refs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class GridTruth:
    pages: list[int]
    columns: list[str]  # flattened labels, left to right
    rows: list[TruthRow]
    footnotes: dict[str, str]  # the footnotes printed with the grid that its cells cite
    rotated: bool = False
    pictured_pages: list[int] = field(default_factory=list)
    caption: str = ""  # the table's title as printed on its first page (a line above it or its top row)

    def marked_cells(self) -> set[tuple[str, str]]:
        return {(row.activity, label) for row in self.rows for label in row.marks}

    def as_dict(self) -> dict:
        return asdict(self)


def split_markup(text: str) -> tuple[str, list[str]]:
    """Printed text without its footnote markers, and the markers."""
    text = re.sub(r"_\{([^}]*)\}", r"\1", text.replace("\n", " "))  # a subscript is part of the text
    refs = [ref for match in _CARET.finditer(text) for ref in match.group(1).split(",")]
    text = _CARET.sub("", text)
    while text and text[-1] in SUPERSCRIPT_DIGITS:
        refs.insert(0, SUPERSCRIPT_DIGITS[text[-1]])
        text = text[:-1]
    return " ".join(text.split()), refs


def cell_truth(text: str) -> tuple[str, list[str]]:
    """("X" or the text, refs) of one visit cell."""
    value, refs = split_markup(text)
    if match := _GLUED_LETTER_MARK.match(value):
        return MARK, refs + [match.group(1)]
    return (MARK if value in MARK_TEXTS else value), refs


def column_labels(header: Sequence[Sequence[str]], spans: dict[int, list[tuple[int, int]]]) -> list[str]:
    """Labels of columns 1.. of `header` rows; `spans[row]`: (first, last) columns a cell spans."""
    labels = []
    for col in range(1, len(header[0])):
        parts: list[str] = []
        for index, row in enumerate(header):
            text = row[col]
            for first, last in spans.get(index, []):
                if first <= col <= last:
                    text = row[first]
            text = split_markup(text)[0]
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        labels.append(" | ".join(parts))
    return labels


def header_spans(header: Sequence[Sequence[str]]) -> dict[int, list[tuple[int, int]]]:
    """The first header row's period cells span the empty cells to their right, as the drawer
    merges them (tables._header_spans)."""
    row, spans, col = header[0], [], 1
    while col < len(row):
        end = col
        while end + 1 < len(row) and row[end + 1] == "" and row[col] != "":
            end += 1
        if end > col:
            spans.append((col, end))
        col = end + 1
    return {0: spans}


def grid_truth(header: Sequence[Sequence[str]], header_spans: dict[int, list[tuple[int, int]]],
               body: Sequence[Sequence[str]], category_rows: Sequence[int],
               body_spans: dict[int, list[tuple[int, int]]], footnotes: dict[str, str],
               pages: list[int], glued: dict[int, str] | None = None) -> GridTruth:
    """The grid of a table: body rows in `category_rows` are sections; `body_spans[row]` lists the
    (first, last) visit columns one merged cell covers (its text counts in each); `glued[row]`: a
    marker printed in plain text at the end of that row's name ("Vital signs3")."""
    glued = glued or {}
    labels = column_labels(header, header_spans)
    rows: list[TruthRow] = []
    section = ""
    for index, line in enumerate(body):
        if index in category_rows:
            section = split_markup(line[0])[0]
            continue
        printed = line[0]
        marker = glued.get(index, "")
        if marker and printed.endswith(marker):
            printed = printed[:-len(marker)]
        name, refs = split_markup(printed)
        row = TruthRow(name, section, footnote_refs=refs + ([marker] if marker else []))
        for col in range(1, len(line)):
            text = line[col]
            for first, last in body_spans.get(index, []):
                if first <= col <= last:
                    text = line[first]
            value, cell_refs = cell_truth(text)
            if value:
                row.marks[labels[col - 1]] = value
            if cell_refs:
                row.cell_refs[labels[col - 1]] = cell_refs
        rows.append(row)
    cited = {ref for row in rows for ref in row.footnote_refs}
    cited |= {ref for row in rows for refs in row.cell_refs.values() for ref in refs}
    return GridTruth(pages, labels, rows, {ref: text for ref, text in footnotes.items() if ref in cited})
