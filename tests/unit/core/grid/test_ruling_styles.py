"""Ruling styles a default table finder misreads, read back equal to the grid the generator drew:
text lines on white filled rectangles, a grid without outer vertical rules, a shaded header
column with turned text, and a grid drawn sideways on upright pages under a caption."""

import pytest

from grid_helpers import by_label, candidates_of, truth_by_label  # same folder
from soe_desktop.core.evaluation.grid_metrics import score_grid
from soe_desktop.core.grid import extract_grid
from soe_desktop.core.synthetic.grids import TURNED_TEXT, GridOptions, write_grid_pdf

FLOW_CHART = "Table 5.1-1: Flow chart for the main study"


def _extract(tmp_path, seed, options):
    path = tmp_path / "grid.pdf"
    truth = write_grid_pdf(path, seed, options)
    return extract_grid(path, candidates_of(path)), truth


def _truth_json(truth) -> dict:
    """The truth in the `soe grid --json` shape the metric reads (column ids are positions)."""
    ids = {label: f"t{index}" for index, label in enumerate(truth.columns)}
    return {"columns": [{"id": ids[label], "label": label} for label in truth.columns],
            "rows": [{"activity": row.activity, "footnote_refs": row.footnote_refs,
                      "marks": {ids[label]: value for label, value in row.marks.items()},
                      "cell_refs": {ids[label]: refs for label, refs in row.cell_refs.items()}}
                     for row in truth.rows]}


def _assert_read_back(grid, truth):
    assert score_grid(grid.to_json(), _truth_json(truth)).scores.cell_f1 == 1.0
    assert [column.label for column in grid.columns] == truth.columns
    assert [row.activity for row in grid.rows] == [row.activity for row in truth.rows]
    assert by_label(grid) == truth_by_label(truth)
    assert grid.caption == truth.caption


def test_text_lines_on_white_rectangles_are_not_rules(tmp_path):
    """Each text line sits on its own white rectangle, whose edges a default finder takes as
    rules (splitting every row into sub-rows)."""
    grid, truth = _extract(tmp_path, 11, GridOptions(white_fills=True, pages=2))
    assert grid.pages == [1, 2]
    _assert_read_back(grid, truth)


def test_grid_without_outer_vertical_rules_keeps_its_first_and_last_columns(tmp_path):
    grid, truth = _extract(tmp_path, 12, GridOptions(outer_rules=False, pages=2))
    assert len(grid.columns) == 8
    _assert_read_back(grid, truth)


def test_shaded_header_column_with_turned_text_is_a_visit(tmp_path):
    grid, truth = _extract(tmp_path, 13, GridOptions(turned_header=True, pages=2))
    turned = [column for column in grid.columns if TURNED_TEXT in column.label]
    assert [column.label for column in turned] == [f"Treatment Period | {TURNED_TEXT}"]
    _assert_read_back(grid, truth)


def test_every_misread_style_at_once(tmp_path):
    options = GridOptions(white_fills=True, outer_rules=False, turned_header=True, pages=2)
    grid, truth = _extract(tmp_path, 14, options)
    _assert_read_back(grid, truth)


@pytest.mark.parametrize("caption_row", [True, False], ids=["title-row", "line-above"])
def test_sideways_grid_over_pages_keeps_its_caption_out_of_the_labels(tmp_path, caption_row):
    options = GridOptions(layout="sideways", pages=2, caption=FLOW_CHART, caption_row=caption_row)
    grid, truth = _extract(tmp_path, 15, options)
    assert grid.pages == [1, 2]
    assert len(grid.columns) == 8  # the header repeated on page 2 adds no column
    assert not any("Flow chart" in column.label for column in grid.columns)
    _assert_read_back(grid, truth)


def test_upright_caption_row_goes_to_the_caption(tmp_path):
    grid, truth = _extract(tmp_path, 16, GridOptions(caption=FLOW_CHART, caption_row=True, pages=2))
    _assert_read_back(grid, truth)


@pytest.mark.parametrize("options", [
    GridOptions(layout="sideways", outer_rules=False, white_fills=True, pages=2),
    GridOptions(layout="sideways", turned_header=True, pages=2),
], ids=["open-sided-white-fills", "turned-header"])
def test_sideways_grids_in_the_misread_styles(tmp_path, options):
    """Drawn sideways, the rules a grid leaves out are horizontal on the page."""
    grid, truth = _extract(tmp_path, 17, options)
    _assert_read_back(grid, truth)
