"""Grid exports of the hostile synthetic protocol: PDF text never becomes a live formula (CSV, XLSX),
honest numbers such as the text cell "-8" are written as printed, and a caption goes where the
contract says (an XLSX caption row, the USDM timeline's description, not a CSV column)."""

from __future__ import annotations

import csv
import dataclasses

import pytest
from openpyxl import load_workbook

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid import extract_grid
from soe_desktop.core.grid.export import grid_table, write_csv, write_xlsx
from soe_desktop.core.grid.usdm import to_usdm, validation_errors
from soe_desktop.core.store.safe_text import FORMULA_STARTS, is_numeric_text
from soe_desktop.core.synthetic.hostile import CAPTION, HONEST_CELL, HOSTILE_TEXTS, write_hostile_pdf


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    truth = write_hostile_pdf(path)
    return extract_grid(path, candidates_of(path)), truth


def _live(value: str) -> bool:
    """Would a spreadsheet evaluate this CSV cell? (the quote in front says: text)"""
    return bool(value) and value[0] in FORMULA_STARTS | {"\t", "\r"} and not is_numeric_text(value)


def _starts(cells, prefix: str = "") -> bool:
    """Every hostile text starts some cell (after `prefix`)."""
    return all(any(cell.startswith(prefix + text) for cell in cells) for text in HOSTILE_TEXTS)


def test_the_extractor_reads_the_hostile_text_back(hostile):
    grid, truth = hostile
    printed = [cell for row in grid_table(grid) for cell in row] + list(grid.footnotes.values())
    assert _starts(printed)  # else the tests below prove nothing
    assert [column.label for column in grid.columns] == truth.columns


def test_csv_has_no_live_formula_and_keeps_honest_numbers(hostile, tmp_path):
    grid, _ = hostile
    paths = write_csv([grid], tmp_path / "grid.csv")
    cells = [cell for path in paths for row in csv.reader(open(path, encoding="utf-8")) for cell in row]
    assert not [cell for cell in cells if _live(cell)]
    assert _starts(cells, "'")
    assert HONEST_CELL in cells and "'" + HONEST_CELL not in cells


def test_xlsx_has_no_formula_cell_and_keeps_the_text(hostile, tmp_path):
    grid, _ = hostile
    workbook = load_workbook(write_xlsx([grid], tmp_path / "grid.xlsx"))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert _starts(values) and HONEST_CELL in values  # as printed, no quote added
    assert all(cell.quotePrefix for cell in cells if cell.value.startswith(HOSTILE_TEXTS))
    assert not [cell for cell in cells if cell.value == HONEST_CELL and cell.quotePrefix]


def test_caption_is_an_xlsx_caption_row_above_the_header(hostile, tmp_path):
    grid, _ = hostile
    captioned = dataclasses.replace(grid, caption=CAPTION)
    sheet = load_workbook(write_xlsx([captioned], tmp_path / "c.xlsx")).worksheets[0]
    assert sheet.cell(1, 1).value == CAPTION and sheet.cell(1, 2).value is None
    assert [cell.value for cell in sheet[2]] == grid_table(grid)[0]
    assert sheet.freeze_panes == "D3"
    plain = load_workbook(write_xlsx([dataclasses.replace(grid, caption="")], tmp_path / "p.xlsx")).worksheets[0]
    assert [cell.value for cell in plain[1]] == grid_table(grid)[0] and plain.freeze_panes == "D2"


def test_caption_leaves_the_csv_columns_as_they_are(hostile, tmp_path):
    grid, _ = hostile
    (path, _notes) = write_csv([dataclasses.replace(grid, caption=CAPTION)], tmp_path / "c.csv")
    rows = list(csv.reader(open(path, encoding="utf-8")))
    assert rows[0][:3] == ["Section", "Activity", "Footnote refs"] and len(rows) == 1 + len(grid.rows)
    assert CAPTION not in {cell for row in rows for cell in row}


def test_caption_is_the_usdm_timeline_description(hostile):
    grid, _ = hostile
    captioned = to_usdm([dataclasses.replace(grid, caption=CAPTION), dataclasses.replace(grid, caption="")])
    assert validation_errors(captioned) == []
    first, second = captioned["studyDesign"]["scheduleTimelines"]
    assert first["description"] == CAPTION and second["description"] is None


def test_a_formula_looking_caption_is_text_too(hostile, tmp_path):
    grid, _ = hostile
    hostile_caption = dataclasses.replace(grid, caption="=1+1 Table 5.1-1")
    sheet = load_workbook(write_xlsx([hostile_caption], tmp_path / "h.xlsx")).worksheets[0]
    assert (sheet.cell(1, 1).value, sheet.cell(1, 1).data_type) == ("=1+1 Table 5.1-1", "s")
