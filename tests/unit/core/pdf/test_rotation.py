"""Coordinate frames (displayed <-> pdfium user space) and turning rotated grids back."""

from __future__ import annotations

import pytest

from soe_desktop.core.pdf.rotation import (
    DOWN_THE_PAGE,
    UP_THE_PAGE,
    UPRIGHT,
    PageFrame,
    direction_of_matrix,
    orient_grid,
    text_direction,
)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_frame_round_trip(rotation):
    frame = PageFrame(rotation, (10.0, 20.0, 622.0, 812.0))
    box = (50.0, 60.0, 200.0, 120.0)
    assert frame.to_displayed(*frame.to_user(box)) == pytest.approx(box)


def test_displayed_size_swaps_for_quarter_turns():
    assert PageFrame(90, (0, 0, 612, 792)).displayed_size == (792, 612)
    assert PageFrame(180, (0, 0, 612, 792)).displayed_size == (612, 792)


def test_rotate_90_maps_displayed_top_left_to_user_bottom_left():
    """A page turned clockwise for display: its unrotated left edge is the displayed top."""
    frame = PageFrame(90, (0.0, 0.0, 612.0, 792.0))
    assert frame.point_to_user(0.0, 0.0) == (0.0, 0.0)
    assert frame.point_to_user(100.0, 0.0) == (0.0, 100.0)
    assert frame.point_to_user(0.0, 100.0) == (100.0, 0.0)


def test_upright_page_flips_y():
    frame = PageFrame(0, (0.0, 0.0, 612.0, 792.0))
    assert frame.to_user((72.0, 100.0, 172.0, 200.0)) == (72.0, 592.0, 172.0, 692.0)


def test_direction_of_glyph_matrices():
    assert direction_of_matrix((1, 0, 0, 1, 0, 0)) == UPRIGHT
    assert direction_of_matrix((0, 1, -1, 0, 0, 0)) == UP_THE_PAGE
    assert direction_of_matrix((0, -1, 1, 0, 0, 0)) == DOWN_THE_PAGE


def test_text_direction_is_the_majority_of_visible_chars():
    up = {"text": "a", "matrix": (0, 1, -1, 0, 0, 0)}
    flat = {"text": "b", "matrix": (1, 0, 0, 1, 0, 0)}
    blank = {"text": " ", "matrix": (1, 0, 0, 1, 0, 0)}
    assert text_direction([up, up, flat, blank, blank]) == UP_THE_PAGE
    assert text_direction([up, flat]) == UPRIGHT
    assert text_direction([]) == UPRIGHT


def test_orient_grid_up_the_page():
    """Page rows top->bottom hold visual columns last->first; page columns are visual rows."""
    page_grid = [["c1", "d1"], ["c0", "d0"]]  # visual: row c = [c0, c1], row d = [d0, d1]
    assert orient_grid(page_grid, UP_THE_PAGE) == [["c0", "c1"], ["d0", "d1"]]


def test_orient_grid_down_the_page():
    page_grid = [["d0", "c0"], ["d1", "c1"]]
    assert orient_grid(page_grid, DOWN_THE_PAGE) == [["c0", "c1"], ["d0", "d1"]]


def test_orient_grid_upright_is_identity():
    grid = [["a", "b"], ["c", None]]
    assert orient_grid(grid, UPRIGHT) is grid
