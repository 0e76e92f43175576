"""A table whose body is blacked out is a redacted grid (header kept, no marks), not a failure."""

import pytest

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid.extract import read_table
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf
from soe_desktop.core.synthetic.redacted import write_redacted_pdf


@pytest.mark.parametrize("as_image", [False, True], ids=["filled-rectangle", "black-image"])
def test_a_blacked_out_body_gives_a_redacted_grid_with_its_header(tmp_path, as_image):
    path = tmp_path / "redacted.pdf"
    header = write_redacted_pdf(path, seed=3, as_image=as_image)
    reading = read_table(path, candidates_of(path))
    assert reading.failure is None  # redacted, not failed
    grid = reading.grid
    assert grid.redacted and grid.to_json()["redacted"] is True
    assert len(grid.columns) == len(header) - 1  # the visits are kept
    assert all(not row.marks for row in grid.rows)  # no invented marks
    assert grid.suspect == ""


def test_a_plain_grid_is_not_redacted(tmp_path):
    path = tmp_path / "grid.pdf"
    write_grid_pdf(path, 4, GridOptions(pages=1))
    assert read_table(path, candidates_of(path)).grid.redacted is False
