"""Human edits on top of an extracted grid: keys, text forms and finding the cell again after the
extractor changed the rows or columns around it."""

from __future__ import annotations

import copy

import pytest

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid import MARK, Column, Row, Source, extract_grid
from soe_desktop.core.grid.edits import (activity_target, apply_edits, cell_target, cell_text, column_keys,
                                         column_target, row_keys)
from soe_desktop.core.store.grid_edits import GridEdit
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = tmp_path_factory.mktemp("edits") / "grid.pdf"
    write_grid_pdf(path, 5, GridOptions(pages=2, visit_count=6))
    return extract_grid(path, candidates_of(path))


def edit_of(target, value: str) -> GridEdit:
    return GridEdit("d" * 64, "g", target.target, target.row_key, target.column_key, value, "", target.anchor,
                    "human:ana")


def empty_cell(grid) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(grid.rows) for c, col in enumerate(grid.columns) if col.id not in row.marks)


def test_keys_are_unique_and_name_rows_by_section_and_activity(grid):
    keys = row_keys(grid)
    assert len(set(keys)) == len(keys) == len(grid.rows)
    first = grid.rows[0]
    assert keys[0] == (f"{first.section} / {first.activity}" if first.section else first.activity)
    assert column_keys(grid)[0] == grid.columns[0].label


def test_cell_text_round_trips_marks_and_refs():
    assert cell_text(MARK, ["a", "b"]) == "X^a,b" and cell_text("", ["a"]) == "" and cell_text("Optional") == "Optional"


def test_cell_name_and_header_edits_apply_to_a_copy(grid):
    row, col = empty_cell(grid)
    edits = [edit_of(cell_target(grid, row, col), "x^b"), edit_of(activity_target(grid, 1), "Vital signs (supine)^3"),
             edit_of(column_target(grid, 2), "Treatment | Week 9 | Day 57 | ±2")]
    result = apply_edits(grid, edits)
    col_id = grid.columns[col].id
    assert result.grid.rows[row].marks[col_id] == MARK and result.grid.rows[row].cell_refs[col_id] == ["b"]
    assert (result.grid.rows[1].activity, result.grid.rows[1].footnote_refs) == ("Vital signs (supine)", ["3"])
    column = result.grid.columns[2]
    assert column.label == "Treatment | Week 9 | Day 57 | ±2" and column.day == "57" and column.week == "9"
    assert col_id not in grid.rows[row].marks  # the extracted grid is left as read
    assert set(result.edited_cells) == {(row, col_id)} and set(result.edited_rows) == {1}
    assert set(result.edited_columns) == {grid.columns[2].id} and result.unmatched == []


def test_clearing_a_cell_and_the_latest_edit_wins(grid):
    row = next(r for r, item in enumerate(grid.rows) if item.marks)
    col = next(c for c, column in enumerate(grid.columns) if column.id in grid.rows[row].marks)
    target = cell_target(grid, row, col)
    result = apply_edits(grid, [edit_of(target, "Optional"), edit_of(target, "")])
    assert grid.columns[col].id not in result.grid.rows[row].marks


def reread(grid):
    """What a different extractor might return: a new row and a new column in front, and the
    edited row's name read better (its key changes; its printed position does not)."""
    changed = copy.deepcopy(grid)
    page = grid.rows[0].source.page
    changed.rows.insert(0, Row("Pre-screening call", grid.rows[0].section, source=Source(page, (36.0, 60.0, 200.0, 70.0))))
    changed.columns.insert(0, Column("c0", "Pre-screening", ["Pre-screening"], sources=[Source(page, (150.0, 96.0, 208.0, 172.0))]))
    changed.rows[3].activity = changed.rows[3].activity.upper() + " (read again)"
    return changed


def test_an_edit_finds_its_row_by_position_and_its_column_by_label_after_a_reread(grid):
    row, col = 2, 3
    edit = edit_of(cell_target(grid, row, col), "Day 1 only")
    rename = edit_of(activity_target(grid, row), "Renamed by a person")
    changed = reread(grid)
    result = apply_edits(changed, [edit, rename])
    assert result.unmatched == []
    moved = result.grid.rows[row + 1]  # one row was added in front
    assert moved.marks[grid.columns[col].id] == "Day 1 only" and moved.activity == "Renamed by a person"
    assert result.grid.columns[col + 1].id == grid.columns[col].id  # same column, one place further


def test_an_edit_whose_row_is_gone_is_reported_not_applied_elsewhere(grid):
    edit = edit_of(cell_target(grid, 0, 0), "X")
    gone = copy.deepcopy(grid)
    gone.rows.pop(0)
    result = apply_edits(gone, [edit])
    assert result.unmatched == [edit] and result.grid.to_json() == gone.to_json()
