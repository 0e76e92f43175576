"""JSON, CSV, XLSX and USDM exports of a synthetic grid."""

import copy
import csv

import pytest
from openpyxl import load_workbook

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid import extract_grid
from soe_desktop.core.grid.export import grid_table, grids_json, write_csv, write_xlsx
from soe_desktop.core.grid.usdm import to_usdm, validation_errors
from soe_desktop.core.model import Document
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "grid.pdf"
    write_grid_pdf(path, 11, GridOptions(mark_styles=("X", "x_small_ref", "check")))
    return extract_grid(path, candidates_of(path))


def test_json_contract_keys(grid):
    data = grids_json(Document("a.pdf", "0" * 64, 3), [grid])
    assert data["document"] == {"path": "a.pdf", "sha256": "0" * 64, "pages": 3}
    first = data["grids"][0]
    assert first["pages"] == [1, 2, 3]
    assert first["columns"][0]["id"] == "c1" and "label" in first["columns"][0]
    row = first["rows"][0]
    assert set(row) >= {"activity", "section", "footnote_refs", "marks", "cell_refs"}
    assert first["footnotes"]


def test_csv_one_file_per_grid_and_footnotes(grid, tmp_path):
    paths = write_csv([grid, grid], tmp_path / "out.csv")
    assert [path.name for path in paths] == ["out.csv", "out_2.csv", "out_footnotes.csv"]
    rows = list(csv.reader(open(paths[0], encoding="utf-8")))
    assert rows == grid_table(grid)
    assert rows[0][3:] == [column.label for column in grid.columns]
    assert any("X [a]" in cell for row in rows for cell in row)  # a mark with its footnote ref
    notes = list(csv.reader(open(paths[-1], encoding="utf-8")))
    assert len(notes) == 1 + 2 * len(grid.footnotes)


def test_xlsx_sheet_per_grid_and_footnotes(grid, tmp_path):
    workbook = load_workbook(write_xlsx([grid], tmp_path / "out.xlsx"))
    assert workbook.sheetnames == ["Grid 1 p1-3", "Footnotes"]
    sheet = workbook["Grid 1 p1-3"]
    header = 2 if grid.caption else 1  # a caption row above the header row when the grid has one
    assert grid.caption == "" or sheet.cell(1, 1).value == grid.caption
    assert sheet.cell(header, 4).value == grid.columns[0].label
    assert sheet.cell(header + 1, 2).value == grid.rows[0].activity
    assert workbook["Footnotes"].max_row == 1 + len(grid.footnotes)


def test_usdm_validates_and_links_marks(grid):
    document = to_usdm([grid], "test")
    assert validation_errors(document) == []
    design = document["studyDesign"]
    timeline = design["scheduleTimelines"][0]
    assert timeline["mainTimeline"] and len(timeline["instances"]) == len(grid.columns)
    names = {activity["id"]: activity["name"] for activity in design["activities"]}
    first = timeline["instances"][0]
    marked = {row.activity for row in grid.rows if row.marks.get("c1") == "X"}
    assert {names[i] for i in first["activityIds"]} == marked
    parents = [a for a in design["activities"] if a.get("childIds")]
    assert {a["name"] for a in parents} == {s.name for s in grid.sections}
    assert len(design["notes"]) == len(grid.footnotes)


def test_usdm_validation_fails_on_a_broken_document(grid):
    document = copy.deepcopy(to_usdm([grid]))
    del document["studyDesign"]["encounters"][0]["type"]
    document["studyDesign"]["activities"][0]["instanceType"] = "Encounter"
    errors = validation_errors(document)
    assert any(error.startswith("studyDesign/activities/0/instanceType") for error in errors)
    assert any(error.startswith("studyDesign/encounters/0:") and "'type'" in error for error in errors)
