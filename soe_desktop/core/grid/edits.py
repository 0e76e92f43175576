"""Human edits on top of an extracted grid: which row and column an edit names, and applying them.

Edits are gold: the grid is extracted afresh each time (a better extractor may change it) and the
stored edits (`core/store/grid_edits.py`) are applied on top, latest last. An edit names its row and
column by keys computed from the *extracted* grid (section / activity, column label, with '#2' for
repeats), so it does not depend on positional ids like 'c3'. When a re-extraction changes a key
(a name read better, a column added in front), the edit's anchor is used: the printed position of
the row or column (same page, overlapping box), then a close name (rapidfuzz). An edit that finds
nothing is kept in the store and reported as unmatched, never applied to a wrong cell.

Typed text and the grid's values map both ways through `cell_text` / `name_text`: "X^a" is a mark
with footnote ref a, "Vital signs^3" a name citing footnote 3.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Optional, Sequence

from rapidfuzz import fuzz

from soe_desktop.core.grid.header import HeaderPart, describe
from soe_desktop.core.grid.marks import normalise_cell, normalise_name
from soe_desktop.core.grid.model import Column, Grid, Row, Source
from soe_desktop.core.store.grid_edits import GridEdit

NAME_SIMILARITY = 85  # rapidfuzz ratio a renamed row or column must reach to carry an edit over
PART_SEPARATOR = " | "


# ----- text forms --------------------------------------------------------------------------------

def cell_text(value: str, refs: Sequence[str] = ()) -> str:
    """'X' + ['a', 'b'] -> 'X^a,b' (what the grid view shows and a person edits)."""
    return f"{value}^{','.join(refs)}" if value and refs else value


def name_text(name: str, refs: Sequence[str] = ()) -> str:
    return cell_text(name, refs)


def column_text(column: Column) -> str:
    return cell_text(column.label, column.footnote_refs)


# ----- keys and anchors --------------------------------------------------------------------------

def _numbered(bases: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    keys = []
    for base in bases:
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return keys


def row_keys(grid: Grid) -> list[str]:
    return _numbered([f"{row.section} / {row.activity}" if row.section else row.activity for row in grid.rows])


def column_keys(grid: Grid) -> list[str]:
    return _numbered([column.label for column in grid.columns])


def _source_json(source: Optional[Source]) -> dict:
    return {"page": source.page, "bbox": list(source.bbox)} if source else {}


def row_anchor(grid: Grid, index: int) -> dict:
    row = grid.rows[index]
    return {"activity": row.activity, "section": row.section, "index": index, **_source_json(row.source)}


def column_anchor(grid: Grid, index: int) -> dict:
    column = grid.columns[index]
    return {"label": column.label, "index": index, **_source_json(column.sources[0] if column.sources else None)}


@dataclass
class EditTarget:
    """What a new edit names, computed on the extracted grid (never on an already edited one)."""

    target: str
    row_key: str = ""
    column_key: str = ""
    anchor: dict = field(default_factory=dict)


def cell_target(grid: Grid, row: int, column: int) -> EditTarget:
    return EditTarget("cell", row_keys(grid)[row], column_keys(grid)[column],
                      {"row": row_anchor(grid, row), "column": column_anchor(grid, column)})


def activity_target(grid: Grid, row: int) -> EditTarget:
    return EditTarget("activity", row_keys(grid)[row], "", {"row": row_anchor(grid, row)})


def column_target(grid: Grid, column: int) -> EditTarget:
    return EditTarget("column", "", column_keys(grid)[column], {"column": column_anchor(grid, column)})


# ----- finding an edit's row and column again ----------------------------------------------------

def _overlap(a: Sequence[float], b: Sequence[float], low: int, high: int) -> float:
    """Overlap of two boxes along one axis (x: 0, 2; y: 1, 3), as a share of the shorter span."""
    span = min(a[high] - a[low], b[high] - b[low])
    shared = min(a[high], b[high]) - max(a[low], b[low])
    return shared / span if span > 0 and shared > 0 else 0.0


def _find(keys: list[str], key: str, anchor: dict, sources: list[list[Source]], names: list[str],
          name: str, axis: tuple[int, int]) -> Optional[int]:
    """The index an edit names: its key, else the printed position, else a close name."""
    if key in keys:
        return keys.index(key)
    index = anchor.get("index", 0)
    if "page" in anchor:
        scored = [(max((_overlap(anchor["bbox"], s.bbox, *axis) for s in found if s.page == anchor["page"]),
                       default=0.0), -abs(i - index), i) for i, found in enumerate(sources)]
        best = max(scored, default=(0.0, 0, -1))
        if best[0] >= 0.5:
            return best[2]
    similar = [(fuzz.ratio(name.lower(), other.lower()), -abs(i - index), i) for i, other in enumerate(names)]
    best = max(similar, default=(0.0, 0, -1))
    return best[2] if best[0] >= NAME_SIMILARITY else None


def _row_index(grid: Grid, keys: list[str], edit: GridEdit) -> Optional[int]:
    anchor = edit.anchor.get("row", {})
    return _find(keys, edit.row_key, anchor, [[row.source] if row.source else [] for row in grid.rows],
                 [row.activity for row in grid.rows], anchor.get("activity", edit.row_key), (1, 3))


def _column_index(grid: Grid, keys: list[str], edit: GridEdit) -> Optional[int]:
    anchor = edit.anchor.get("column", {})
    return _find(keys, edit.column_key, anchor, [column.sources for column in grid.columns],
                 [column.label for column in grid.columns], anchor.get("label", edit.column_key), (0, 2))


# ----- applying ----------------------------------------------------------------------------------

def _set_cell(row: Row, col_id: str, text: str) -> None:
    cell = normalise_cell(text)
    row.marks.pop(col_id, None)
    row.cell_refs.pop(col_id, None)
    if cell.value:
        row.marks[col_id] = cell.value
        if cell.refs:
            row.cell_refs[col_id] = cell.refs


def _rename_row(row: Row, text: str) -> None:
    name, refs = normalise_name(text, glued_digits=False)  # a person typed it: "FEV1" stays whole
    if name:
        row.activity, row.footnote_refs = name, refs


def _rename_column(column: Column, text: str) -> None:
    parts = [normalise_name(part, glued_digits=False) for part in text.split("|")]
    parts = [(name, refs) for name, refs in parts if name]
    if not parts:
        return
    info = describe([HeaderPart(name, "", 1, refs) for name, refs in parts])
    column.label, column.parts, column.footnote_refs = info.label, info.parts, info.refs
    column.visit, column.day, column.week, column.window = info.visit, info.day, info.week, info.window
    column.period = info.period or (info.parts[0] if column.period and len(info.parts) > 1 else "")


@dataclass
class EditedGrid:
    """An extracted grid with the human edits applied. `extracted` is the grid as read (its keys
    name new edits); `edited_*` say where a person's word counts (the view shades them)."""

    extracted: Grid
    grid: Grid
    edited_cells: dict[tuple[int, str], GridEdit] = field(default_factory=dict)  # (row index, column id)
    edited_rows: dict[int, GridEdit] = field(default_factory=dict)
    edited_columns: dict[str, GridEdit] = field(default_factory=dict)
    unmatched: list[GridEdit] = field(default_factory=list)


def apply_edits(extracted: Grid, edits: Sequence[GridEdit]) -> EditedGrid:
    """A copy of `extracted` with `edits` applied in order (the extracted grid is left as it is)."""
    result = EditedGrid(extracted, copy.deepcopy(extracted))
    rows, columns = row_keys(extracted), column_keys(extracted)
    for edit in edits:
        row = _row_index(extracted, rows, edit) if edit.target in ("cell", "activity") else None
        col = _column_index(extracted, columns, edit) if edit.target in ("cell", "column") else None
        if (edit.target != "column" and row is None) or (edit.target != "activity" and col is None):
            result.unmatched.append(edit)
            continue
        _apply_one(result, edit, row, col)
    return result


def _apply_one(result: EditedGrid, edit: GridEdit, row: Optional[int], col: Optional[int]) -> None:
    grid = result.grid
    if edit.target == "cell":
        col_id = grid.columns[col].id
        _set_cell(grid.rows[row], col_id, edit.value)
        result.edited_cells[(row, col_id)] = edit
    elif edit.target == "activity":
        _rename_row(grid.rows[row], edit.value)
        result.edited_rows[row] = edit
    else:
        _rename_column(grid.columns[col], edit.value)
        result.edited_columns[grid.columns[col].id] = edit

