"""Grids out: the `soe grid --json` document, CSV (one file per grid plus one of footnotes), XLSX
(one sheet per grid plus a footnotes sheet) and USDM (usdm.py), through the grid export registry
(`GRID_EXPORTS`): `soe grid`, `soe export --what grids` and the grid view list and call these;
adding a format is a writer plus one `register_grid_export` line.

A cell is written as its value ("X" or the printed text) with the footnotes it cites in brackets:
`X [a, b]`. The grid's caption ("Table 5.1-1: Flow chart ...") is a caption row above the XLSX
grid and the USDM timeline's description; the CSV columns stay as they are (the caption is in the
JSON contract). Every text goes out through core/store/safe_text.py: PDF text never becomes a live
formula in a spreadsheet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from soe_desktop import __version__
from soe_desktop.core.errors import SoeError
from soe_desktop.core.grid.model import Grid
from soe_desktop.core.grid.usdm import to_usdm, validation_errors
from soe_desktop.core.model import Document
from soe_desktop.core.store.safe_text import SafeCsvWriter, set_text_cell

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
        SafeCsvWriter(handle).writerows(rows)


def sheet_title(index: int, grid: Grid) -> str:
    """'Grid 1 p12-14' (Excel allows 31 characters and no []:*?/\\)."""
    pages = f"p{grid.pages[0]}-{grid.pages[-1]}" if len(grid.pages) > 1 else f"p{grid.pages[0]}" if grid.pages else ""
    return f"Grid {index} {pages}".strip()[:31]


def write_xlsx(grids: Sequence[Grid], out: Path) -> Path:
    """One sheet per grid (its caption row, when it has one, above the header row; the header row
    frozen, the names column wide) and a Footnotes sheet. Every string is a string cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, grid in enumerate(grids, start=1):
        sheet = workbook.create_sheet(sheet_title(index, grid))
        header = _put_text(sheet, [[grid.caption]]) if grid.caption else 1
        if grid.caption:
            sheet.cell(1, 1).font = Font(bold=True, italic=True)
        _put_text(sheet, grid_table(grid), header)
        for cell in sheet[header]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = f"D{header + 1}"
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 40
    notes = workbook.create_sheet("Footnotes")
    _put_text(notes, footnote_table(grids))
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["D"].width = 100
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return Path(out)


def _put_text(sheet, rows: Sequence[Sequence[str]], first: int = 1) -> int:
    """Write `rows` from sheet row `first` on, each value a string cell (never a formula); returns
    the next free row."""
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            set_text_cell(sheet.cell(number, column), value)
    return first + len(rows)


def write_json(grids: Sequence[Grid], out: Path, document: Document) -> Path:
    """The `soe grid --json` contract, to a file."""
    return _write_text(out, grids_json(document, grids), indent=2)


def write_usdm(grids: Sequence[Grid], out: Path) -> Path:
    """CDISC USDM-shaped JSON, validated against the shipped USDM API schema before anything is written."""
    document = to_usdm(grids, __version__)
    errors = validation_errors(document)
    if errors:  # a bug of ours, never the user's input: write nothing
        raise SoeError(f"the USDM export does not validate ({len(errors)} errors, first: {errors[0]})")
    return _write_text(out, document, indent=1)


def _write_text(out: Path, payload: dict, indent: int) -> Path:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(payload, indent=indent, ensure_ascii=False), encoding="utf-8")
    return Path(out)


@dataclass(frozen=True)
class GridExport:
    name: str
    title: str  # what a file dialog or a button shows
    suffix: str
    write: Callable[[Sequence[Grid], Path, Document], list[Path]]  # returns the files written


GRID_EXPORTS: dict[str, GridExport] = {}


def register_grid_export(export: GridExport) -> GridExport:
    GRID_EXPORTS[export.name] = export
    return export


register_grid_export(GridExport("csv", "CSV", ".csv", lambda grids, out, _document: write_csv(grids, out)))
register_grid_export(GridExport("xlsx", "Excel workbook", ".xlsx", lambda grids, out, _doc: [write_xlsx(grids, out)]))
register_grid_export(GridExport("usdm", "CDISC USDM JSON", ".json", lambda grids, out, _doc: [write_usdm(grids, out)]))
register_grid_export(GridExport("json", "Grid JSON", ".json", lambda grids, out, doc: [write_json(grids, out, doc)]))
