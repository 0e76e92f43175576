"""Grids out: the `soe grid --json` document, CSV (one file per grid plus one of footnotes) and XLSX
(one sheet per grid plus a footnotes sheet). USDM is in usdm.py.

A cell is written as its value ("X" or the printed text) with the footnotes it cites in brackets:
`X [a, b]`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

from soe_desktop.core.grid.model import Grid
from soe_desktop.core.model import Document

HEAD = ["Section", "Activity", "Footnote refs"]


def grids_json(document: Document, grids: Sequence[Grid]) -> dict:
    """The stable contract: keys may be added, never renamed."""
    return {
        "document": {"path": document.path, "sha256": document.sha256, "pages": document.page_count},
        "grids": [grid.to_json() for grid in grids],
    }


def _cell(value: str, refs: Sequence[str]) -> str:
    return f"{value} [{', '.join(refs)}]".strip() if refs else value


def grid_table(grid: Grid) -> list[list[str]]:
    """The grid as rows of strings: one header row of column labels, then one row per activity."""
    table = [HEAD + [column.label for column in grid.columns]]
    for row in grid.rows:
        cells = [_cell(row.marks.get(column.id, ""), row.cell_refs.get(column.id, [])) for column in grid.columns]
        table.append([row.section, row.activity, ", ".join(row.footnote_refs)] + cells)
    return table


def footnote_table(grids: Sequence[Grid]) -> list[list[str]]:
    table = [["Grid", "Pages", "Ref", "Footnote"]]
    for index, grid in enumerate(grids, start=1):
        pages = ", ".join(map(str, grid.pages))
        table += [[str(index), pages, ref, text] for ref, text in grid.footnotes.items()]
    return table


def csv_paths(out: Path, count: int) -> tuple[list[Path], Path]:
    """OUT for the first grid, OUT_2.csv.. for the others, OUT_footnotes.csv for the footnotes."""
    out = Path(out)
    stem, suffix = out.with_suffix(""), out.suffix or ".csv"
    grids = [out if index == 1 else Path(f"{stem}_{index}{suffix}") for index in range(1, count + 1)]
    return grids, Path(f"{stem}_footnotes{suffix}")


def write_csv(grids: Sequence[Grid], out: Path) -> list[Path]:
    """Write the CSV files; returns their paths (grids first, footnotes last)."""
    paths, notes = csv_paths(out, len(grids))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    for grid, path in zip(grids, paths):
        _write_rows(path, grid_table(grid))
    _write_rows(notes, footnote_table(grids))
    return [*paths, notes]


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def sheet_title(index: int, grid: Grid) -> str:
    """'Grid 1 p12-14' (Excel allows 31 characters and no []:*?/\\)."""
    pages = f"p{grid.pages[0]}-{grid.pages[-1]}" if len(grid.pages) > 1 else f"p{grid.pages[0]}" if grid.pages else ""
    return f"Grid {index} {pages}".strip()[:31]


def write_xlsx(grids: Sequence[Grid], out: Path) -> Path:
    """One sheet per grid (header row frozen, names column wide) and a Footnotes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, grid in enumerate(grids, start=1):
        sheet = workbook.create_sheet(sheet_title(index, grid))
        for row in grid_table(grid):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "D2"
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 40
    notes = workbook.create_sheet("Footnotes")
    for row in footnote_table(grids):
        notes.append(row)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["D"].width = 100
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return Path(out)
