"""Grids read back from synthetic PDFs equal the grid the generator drew."""

import pytest
from rapidfuzz import fuzz

from grid_helpers import by_label, candidates_of, truth_by_label  # same folder
from soe_desktop.core.grid import extract_grid
from soe_desktop.core.grid.ocr_page import ocr_available
from soe_desktop.core.synthetic.grids import MARK_STYLES, GridOptions, write_grid_pdf

EVERY_STYLE = tuple(MARK_STYLES)


def _extract(tmp_path, seed, options):
    path = tmp_path / "grid.pdf"
    truth = write_grid_pdf(path, seed, options)
    return extract_grid(path, candidates_of(path)), truth


def _assert_same(grid, truth):
    assert [column.label for column in grid.columns] == truth.columns
    assert [row.activity for row in grid.rows] == [row.activity for row in truth.rows]
    assert by_label(grid) == truth_by_label(truth)
    assert {ref: grid.footnotes.get(ref) for ref in truth.footnotes} == truth.footnotes


def test_three_pages_with_repeated_headers_every_mark_style(tmp_path):
    grid, truth = _extract(tmp_path, 1, GridOptions(pages=3, mark_styles=EVERY_STYLE))
    assert grid.pages == [1, 2, 3]
    assert len(grid.columns) == 8  # the header repeated on pages 2 and 3 adds no column
    _assert_same(grid, truth)


def test_footnote_refs_on_names_and_cells_are_linked(tmp_path):
    grid, truth = _extract(tmp_path, 2, GridOptions(mark_styles=("X", "x_superscript", "x_small_ref", "x_glued_ref")))
    cited = {ref for row in grid.rows for ref in row.footnote_refs}
    cited |= {ref for row in grid.rows for refs in row.cell_refs.values() for ref in refs}
    assert {"1", "a", "b"} <= cited
    assert cited <= set(grid.footnotes)  # every cited marker has its footnote text
    _assert_same(grid, truth)


def test_merged_header_cells_and_parsed_visits(tmp_path):
    grid, truth = _extract(tmp_path, 3, GridOptions(visit_count=10))
    _assert_same(grid, truth)
    treatment = [column for column in grid.columns if column.period == "Treatment Period"]
    assert len(treatment) == 7  # the spanning period cell labels every column it spans
    week4 = next(column for column in grid.columns if column.visit == "Week 4")
    assert (week4.label, week4.day, week4.window) == ("Treatment Period | Week 4 | Day 29 | ±3", "29", "±3")


def test_cells_merged_across_visits_are_marked_in_each(tmp_path):
    grid, truth = _extract(tmp_path, 4, GridOptions(merged_cells=True))
    merged = [row for row in grid.rows if "Continuous" in row.marks.values()]
    assert merged and sum(value == "Continuous" for value in merged[0].marks.values()) >= 3
    assert any(value == "Optional" for row in grid.rows for value in row.marks.values())  # a text cell
    _assert_same(grid, truth)


@pytest.mark.parametrize("layout", ["rotate90", "sideways"])
def test_rotated_grids_read_in_display_order(tmp_path, layout):
    grid, truth = _extract(tmp_path, 5, GridOptions(layout=layout, mark_styles=("X", "check", "x_small_ref")))
    _assert_same(grid, truth)


def test_cells_keep_their_page_and_box(tmp_path):
    grid, _ = _extract(tmp_path, 6, GridOptions())
    row = grid.rows[0]
    column = next(iter(row.marks))
    source = row.cell_sources[column]
    assert source.page == 1 and source.bbox[2] > source.bbox[0] and row.source.bbox[0] < source.bbox[0]


@pytest.mark.skipif(not ocr_available(), reason="the optional OCR engine is not installed")
def test_pictured_grid_through_ocr(tmp_path):
    path = tmp_path / "pictured.pdf"
    truth = write_grid_pdf(path, 7, GridOptions(pictured=True, merged_cells=False, mark_styles=("X",)))
    grid = extract_grid(path, candidates_of(path, pages={1}))  # one page: OCR is slow on a shared CPU
    assert grid.ocr_pages == [1]
    expected = [row for row in truth.rows if row.page == 1]
    # OCR misreads a letter here and there: names and labels are matched fuzzily, marks exactly.
    assert len(grid.columns) == len(truth.columns)
    assert all(fuzz.ratio(c.label.split(" | ")[0], t.split(" | ")[0]) >= 80 for c, t in zip(grid.columns, truth.columns))
    got = {row.activity: row for row in grid.rows}
    matched, found, drawn, hits = 0, 0, 0, 0
    for row in expected:
        name = max(got, key=lambda candidate: fuzz.ratio(candidate, row.activity))
        if fuzz.ratio(name, row.activity) < 85:
            continue
        matched += 1
        marked = {grid.columns.index(grid.column(col)) for col, value in got[name].marks.items() if value == "X"}
        wanted = {truth.columns.index(label) for label in row.marks}
        found, drawn, hits = found + len(marked), drawn + len(wanted), hits + len(marked & wanted)
    assert matched >= 0.9 * len(expected)
    assert hits >= 0.95 * drawn and hits >= 0.95 * found  # cell-mark recall and precision


def test_continuation_pages_that_add_columns_join_the_same_rows(tmp_path):
    """The visits printed in two blocks (pages 1-3, then pages 4-6 with later visits and the
    names repeated): columns in page order, one row per activity with the union of its marks."""
    grid, truth = _extract(tmp_path, 6, GridOptions(pages=3, column_pages=2, visit_count=10))
    assert grid.pages == [1, 2, 3, 4, 5, 6]
    _assert_same(grid, truth)
    assert len({row.activity for row in grid.rows}) == len(grid.rows)


def test_subscripts_stay_in_names_and_raised_markers_are_refs(tmp_path):
    grid, truth = _extract(tmp_path, 7, GridOptions(subscript_names=True))
    subscripted = [row for row in grid.rows if row.activity.endswith("SpO2")]
    assert subscripted and all("2" not in row.footnote_refs for row in subscripted)
    _assert_same(grid, truth)
