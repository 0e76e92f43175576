"""End to end on the hostile synthetic protocol (its file name starts like a formula too): every CSV
and XLSX the `soe` commands write (grid, labels, label history, SoE pages, audit) holds no live
formula, and the honest text cell "-8" is written as printed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from soe_desktop.cli import main
from soe_desktop.core.store import Store
from soe_desktop.core.store.grid_edits import GridEdit
from soe_desktop.core.store.safe_text import FORMULA_STARTS, is_numeric_text
from soe_desktop.core.synthetic.hostile import HONEST_CELL, HOSTILE_CELL, HOSTILE_TEXTS, write_hostile_pdf

FILE_NAME = "=1+1 hostile protocol.pdf"  # a file name is data too


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(pdf, db): the hostile protocol, ingested into a fresh library."""
    folder = tmp_path_factory.mktemp("hostile")
    pdf, db = folder / FILE_NAME, folder / "soe.db"
    write_hostile_pdf(pdf)
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(pdf), "-q", "--no-ocr"])
    assert result.exit_code == 0, result.output
    return pdf, db


def _soe(db: Path, *args: str):
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _file_cells(*paths: Path) -> list[str]:
    return [cell for path in paths for cell in _csv_cells(path.read_text(encoding="utf-8"))]


def _live(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would evaluate: a formula character first, not a number or window."""
    return [cell for cell in cells if cell and cell[0] in FORMULA_STARTS | {"\t", "\r"} and not is_numeric_text(cell)]


def _xlsx_cells(path: Path) -> list:
    return [cell for sheet in load_workbook(path) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _formulas(path: Path) -> list[str]:
    return [f"{cell.parent.title}!{cell.coordinate}={cell.value}" for cell in _xlsx_cells(path) if cell.data_type == "f"]


def test_soe_grid_csv_and_xlsx(library, tmp_path):
    pdf, db = library
    _soe(db, "grid", str(pdf), "-q", "--no-ocr", "--csv", str(tmp_path / "g.csv"), "--xlsx", str(tmp_path / "g.xlsx"))
    cells = _file_cells(tmp_path / "g.csv", tmp_path / "g_footnotes.csv")
    assert not _live(cells)
    assert all(any(cell.startswith("'" + text) for cell in cells) for text in HOSTILE_TEXTS)
    assert HONEST_CELL in cells
    assert not _formulas(tmp_path / "g.xlsx")
    values = [cell.value for cell in _xlsx_cells(tmp_path / "g.xlsx")]
    assert HOSTILE_CELL in values and HONEST_CELL in values


def test_soe_export_grids_from_the_library(library, tmp_path):
    pdf, db = library
    _soe(db, "export", "--what", "grids", "--document", str(pdf), "--out", str(tmp_path / "lib.xlsx"))
    assert not _formulas(tmp_path / "lib.xlsx")
    _soe(db, "export", "--what", "grids", "--document", str(pdf), "--out", str(tmp_path / "lib.csv"))
    assert not _live(_file_cells(tmp_path / "lib.csv")) and HONEST_CELL in _file_cells(tmp_path / "lib.csv")


@pytest.mark.parametrize("what", ["labels", "label-history", "soe-pages"])
def test_soe_export_labels_history_and_pages(library, tmp_path, what):
    _pdf, db = library
    _soe(db, "export", "--what", what, "--out", str(tmp_path / "l.csv"))
    cells = _file_cells(tmp_path / "l.csv")
    assert not _live(cells) and "'" + FILE_NAME in cells
    _soe(db, "export", "--what", what, "--out", str(tmp_path / "l.xlsx"))
    assert not _formulas(tmp_path / "l.xlsx")
    assert FILE_NAME in [cell.value for cell in _xlsx_cells(tmp_path / "l.xlsx")]


def test_soe_audit_csv_of_a_grid_edit_on_hostile_text(library):
    _pdf, db = library
    with Store(db) as store:
        (document,) = store.documents()
        store.add_grid_edit(GridEdit(document["sha256"], "g1", "cell", row_key="-1+1", column_key="=2+3 | ET",
                                     value="@SUM(A1)", previous=HOSTILE_CELL, source="human:alice"))
    cells = _csv_cells(_soe(db, "audit", "--csv").stdout)
    assert not _live(cells)
    assert {"'" + HOSTILE_CELL, "'@SUM(A1)"} <= set(cells)
