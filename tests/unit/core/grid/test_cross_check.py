"""The second reading: right grids are not flagged, wrong cells are, in both reading frames."""

import copy

import pypdfium2
import pytest

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid import MARK, extract_grid
from soe_desktop.core.grid.chars import page_chars
from soe_desktop.core.grid.cross_check import PageChars, agree, cross_check
from soe_desktop.core.pdf.rotation import frame_of
from soe_desktop.core.synthetic.grids import MARK_STYLES, GridOptions, write_grid_pdf


def _pages(path, numbers):
    document = pypdfium2.PdfDocument(str(path))
    try:
        pages = {}
        for number in numbers:
            page = document[number - 1]
            frame = frame_of(page)
            pages[number] = PageChars(page_chars(page.get_textpage(), frame), frame.displayed_size)
        return pages
    finally:
        document.close()


def _read(tmp_path, seed, options):
    path = tmp_path / "grid.pdf"
    write_grid_pdf(path, seed, options)
    return path, extract_grid(path, candidates_of(path))


@pytest.mark.parametrize("options", [
    GridOptions(pages=3, mark_styles=tuple(MARK_STYLES)),
    GridOptions(merged_cells=True, visit_count=10),
    GridOptions(layout="sideways", mark_styles=("X", "check", "x_small_ref")),
    GridOptions(layout="rotate90"),
    GridOptions(pages=3, column_pages=2, visit_count=10),
], ids=["every-mark-style", "merged-cells", "sideways", "rotate90", "column-blocks"])
def test_a_right_grid_is_not_flagged(tmp_path, options):
    _, grid = _read(tmp_path, 11, options)
    assert grid.checked_pages == grid.pages  # every text page was read twice
    assert grid.uncertain_share == 0.0
    assert all(row.uncertain == [] for row in grid.rows)


@pytest.mark.parametrize("layout", ["upright", "sideways"])
def test_wrong_cells_of_the_cell_reading_are_flagged(tmp_path, layout):
    path, read = _read(tmp_path, 12, GridOptions(layout=layout, merged_cells=False, text_cells=False))
    wrong = copy.deepcopy(read)
    marked = next(row for row in wrong.rows if len(row.marks) >= 2)
    dropped = next(iter(marked.marks))
    del marked.marks[dropped]  # a mark the cell reading lost
    empty_row = next(row for row in wrong.rows if len(row.marks) < len(wrong.columns) and row is not marked)
    invented = next(column.id for column in wrong.columns if column.id not in empty_row.marks)
    empty_row.marks[invented] = MARK  # a mark it read where none is printed
    cross_check(wrong, _pages(path, wrong.pages))
    assert dropped in marked.uncertain and invented in empty_row.uncertain
    flagged = sum(len(row.uncertain) for row in wrong.rows)
    assert flagged == 2  # and nothing else
    assert wrong.uncertain_share == pytest.approx(2 / (len(wrong.rows) * len(wrong.columns)))


def test_a_text_read_as_a_mark_is_flagged(tmp_path):
    path, read = _read(tmp_path, 13, GridOptions(merged_cells=False))
    wrong = copy.deepcopy(read)
    row = next(row for row in wrong.rows if "Optional" in row.marks.values())
    column = next(col for col, value in row.marks.items() if value == "Optional")
    row.marks[column] = MARK
    cross_check(wrong, _pages(path, wrong.pages))
    assert row.uncertain == [column]


def test_pages_without_characters_are_not_checked(tmp_path):
    path, read = _read(tmp_path, 14, GridOptions(pages=3))
    cross_check(read, _pages(path, [1, 3]))  # page 2 as an OCR page: no characters to bin
    assert read.checked_pages == [1, 3]


def test_agreement_of_values():
    assert agree(MARK, MARK) and agree("", "") and agree("Day 1 only", "Day 1  only")
    assert not agree(MARK, "") and not agree("", MARK) and not agree(MARK, "Optional")
    assert not agree("Optional", "Continuous")


def test_the_contract_carries_the_flags(tmp_path):
    _, grid = _read(tmp_path, 15, GridOptions(pages=1))
    data = grid.to_json()
    assert data["uncertain_share"] == 0.0 and data["checked_pages"] == [1]
    assert all(row["uncertain"] == [] for row in data["rows"])
