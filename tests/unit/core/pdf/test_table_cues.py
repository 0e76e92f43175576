"""Table-level cues: marks (not multiplications), numbers, empty cells, visit headers."""

from __future__ import annotations

import pytest

from soe_desktop.core.pdf.table_cues import is_mark, is_numeric, table_cues


@pytest.mark.parametrize("cell", ["X", "x", "Xa", "X1", "X¹", "X (b)", "X X", "•", "✓", "✔", "▲", "●", "Xa,b"])
def test_marks(cell):
    assert is_mark(cell)


@pytest.mark.parametrize("cell", ["", "3 X ULN", "Xylose", "Xray", "Day 1", "Screening", "2 x 10^9/L"])
def test_not_marks(cell):
    assert not is_mark(cell)


def test_numeric():
    assert is_numeric("12") and is_numeric("-7") and is_numeric("±3") and is_numeric("1.5 mg")
    assert not is_numeric("Week 2")


def test_schedule_grid_cues():
    rows = [
        ["Procedure", "Screening", "Day 1", "Week 4", "EOT"],
        ["Informed consent", "X", "", "", ""],
        ["Vital signs", "X", "X¹", "X", "X"],
        ["Hematology", "X", "", "X", ""],
    ]
    cues = table_cues(rows)
    assert cues["n_rows"] == 4 and cues["n_cols"] == 5
    assert cues["mark_cell_share"] == pytest.approx(7 / 15, abs=1e-3)  # 7 marks among 15 filled cells
    assert cues["empty_cell_share"] == pytest.approx(5 / 20)
    assert cues["header_visit_tokens"] >= 4
    assert cues["first_col_wordy_share"] == 1.0


def test_lab_table_cues_differ_from_schedule():
    rows = [["Parameter", "Low", "High"], ["ALT", "3 X ULN", "5 X ULN"], ["Platelets", "100", "450"]]
    cues = table_cues(rows)
    assert cues["mark_cell_share"] == 0.0
    assert cues["numeric_cell_share"] > 0.2
    assert cues["header_visit_tokens"] == 0


def test_empty_rows_give_zero_cues():
    assert table_cues([])["n_rows"] == 0 and table_cues([])["mark_cell_share"] == 0.0


def test_visit_words_in_long_body_cells_are_not_header_tokens():
    rows = [
        ["Risk", "Rationale", "Mitigation"],
        ["CRS", "Expected after the first dose", "Participants stay in hospital from C1D1 to C1D5 (see Day 1 and Week 2 visits)"],
    ]
    assert table_cues(rows)["header_visit_tokens"] == 0
