"""The extracted SoE grid: columns (visits), rows (activities, grouped by section), marks, footnotes.

Plain dataclasses, so the CLI, the exports, the benchmark and the GUI share one shape. Every cell
keeps where it was printed (`Source`: page and displayed top-left box in PDF points, as candidates
do), so a viewer can highlight it on the page. `Grid.to_json()` is the `soe grid --json` contract:
keys may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from soe_desktop.core.model import BBox

MARK = "X"  # every printed mark (X, x, ✓, •, ▲, circles, ...) is stored as this


@dataclass(frozen=True)
class Source:
    """Where a piece of the grid was printed: 1-based page and displayed, top-left box."""

    page: int
    bbox: BBox

    def to_json(self) -> dict:
        return {"page": self.page, "bbox": [round(v, 1) for v in self.bbox]}


@dataclass
class Column:
    """One visit column. `parts` are its header cells top to bottom (spanning cells repeated in
    every column they span); `label` joins them with " | "."""

    id: str
    label: str
    parts: list[str] = field(default_factory=list)
    period: str = ""  # the top spanning header (e.g. "Treatment Period"), when there is one
    visit: str = ""  # "V3", "Screening", "Follow-up", ... when printed
    day: str = ""  # "29", "-28 to -1", ... when printed
    week: str = ""
    window: str = ""  # "±3", "+/- 2 days", ...
    footnote_refs: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def to_json(self) -> dict:
        data = {"id": self.id, "label": self.label, "parts": self.parts}
        for key in ("period", "visit", "day", "week", "window"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["footnote_refs"] = self.footnote_refs
        data["sources"] = [source.to_json() for source in self.sources]
        return data


@dataclass
class Row:
    """One activity (procedure) row: its marks per column id and the footnotes it cites.

    `marks[col]` is MARK or the cell's text (a text cell: "Day 1 only", "C", "(X)"); columns
    without a mark are absent. `cell_refs[col]`: footnote refs printed in that cell ("X^a").
    """

    activity: str
    section: str = ""
    footnote_refs: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)
    cell_refs: dict[str, list[str]] = field(default_factory=dict)
    source: Optional[Source] = None  # the activity name's cell
    cell_sources: dict[str, Source] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)  # text of non-visit columns (e.g. "Notes")
    # Column ids where the second reading (the page's characters binned by the header's column
    # x-ranges and the row's y-range, cross_check.py) disagrees with the cell reading.
    uncertain: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "activity": self.activity,
            "section": self.section,
            "footnote_refs": self.footnote_refs,
            "marks": self.marks,
            "cell_refs": self.cell_refs,
            "details": self.details,
            "source": self.source.to_json() if self.source else None,
            "cell_sources": {col: source.to_json() for col, source in self.cell_sources.items()},
            "uncertain": self.uncertain,
        }


@dataclass
class Section:
    """A group of rows ("Safety assessments"): a row with a name and no marks, or a spanning cell."""

    name: str
    footnote_refs: list[str] = field(default_factory=list)
    source: Optional[Source] = None

    def to_json(self) -> dict:
        return {"name": self.name, "footnote_refs": self.footnote_refs,
                "source": self.source.to_json() if self.source else None}


@dataclass
class Grid:
    """One SoE table, stitched over its pages (1-based, in display order)."""

    pages: list[int]
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    group: str = ""  # the candidate group it was built from
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (no text layer)
    caption: str = ""  # the table's title line printed above it ("Table 5.1-1: Flow chart ..."), not a header level
    redacted: bool = False  # the body is blacked out: the header is kept, no marks are invented
    suspect: str = ""  # why the grid does not look like a schedule (sanity.py); "" when it does
    unreadable_pages: list[int] = field(default_factory=list)  # table pages whose reading failed
    checked_pages: list[int] = field(default_factory=list)  # pages the second reading covered (not OCR)

    @property
    def uncertain_share(self) -> float:
        """Share of the grid's cells (activities x visits) the two readings disagree on."""
        cells = len(self.rows) * len(self.columns)
        return sum(len(row.uncertain) for row in self.rows) / cells if cells else 0.0

    def column(self, col_id: str) -> Column:
        return next(column for column in self.columns if column.id == col_id)

    def marked_cells(self) -> set[tuple[str, str]]:
        """(activity, column label) of every cell with a mark or text."""
        labels = {column.id: column.label for column in self.columns}
        return {(row.activity, labels[col]) for row in self.rows for col in row.marks}

    def to_json(self) -> dict:
        return {
            "pages": self.pages,
            "group": self.group,
            "columns": [column.to_json() for column in self.columns],
            "rows": [row.to_json() for row in self.rows],
            "sections": [section.to_json() for section in self.sections],
            "footnotes": self.footnotes,
            "ocr_pages": self.ocr_pages,
            "caption": self.caption,
            "redacted": self.redacted,
            "suspect": self.suspect,
            "unreadable_pages": self.unreadable_pages,
            "checked_pages": self.checked_pages,
            "uncertain_share": round(self.uncertain_share, 4),
        }


@dataclass
class GridFailure:
    """An SoE table that gave no grid, and why: the grid JSON says so instead of dropping it."""

    pages: list[int]
    reason: str
    group: str = ""

    def to_json(self) -> dict:
        return {"pages": self.pages, "group": self.group, "reason": self.reason}
