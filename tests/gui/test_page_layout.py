"""Page rectangles and the page-point <-> scene mapping at each quarter turn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, QSizeF

from soe_desktop.gui.views.page_layout import PAGE_GAP, PageLayout

PORTRAIT, LANDSCAPE = QSizeF(612, 792), QSizeF(792, 612)
BOX = (100.0, 200.0, 300.0, 300.0)  # x0, top, x1, bottom on a portrait page


def _layout(rotation: int) -> PageLayout:
    layout = PageLayout()
    layout.set_rotation(rotation)
    layout.add(PORTRAIT)
    layout.add(LANDSCAPE)
    return layout


@pytest.mark.parametrize("rotation,expected", [
    (0, QRectF(100, 200, 200, 100)),
    (90, QRectF(792 - 300, 100, 100, 200)),  # the page's top edge is now its right side
    (180, QRectF(612 - 300, 792 - 300, 200, 100)),
    (270, QRectF(200, 612 - 300, 100, 200)),  # the page's top edge is now its left side
])
def test_a_box_turns_with_its_page(rotation, expected):
    layout = _layout(rotation)
    assert layout.scene_rect(1, BOX) == expected
    assert layout.page_point(expected.center()) == (1, pytest.approx(200), pytest.approx(250))


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_pages_are_stacked_one_below_the_other_at_every_rotation(rotation):
    first, second = _layout(rotation).rects
    assert first.left() == second.left() == 0.0
    assert second.top() == pytest.approx(first.bottom() + PAGE_GAP)
    turned = rotation in (90, 270)
    assert first.width() == (792 if turned else 612) and second.width() == (612 if turned else 792)


def test_turning_lays_out_again_and_the_second_page_keeps_its_place():
    layout = _layout(0)
    layout.set_rotation(90)
    assert layout.rotation == 90 and len(layout) == 2
    second = layout.rects[1]
    assert second.top() == pytest.approx(612 + PAGE_GAP) and second.size() == PORTRAIT
    assert layout.scene_rect(2, (0, 0, 10, 10)) == QRectF(612 - 10, second.top(), 10, 10)
    assert layout.max_width() == 792 and layout.max_height() == 792


def test_a_point_between_pages_is_on_no_page_and_only_quarter_turns_are_allowed():
    layout = _layout(90)
    assert layout.page_point(QPointF(10, layout.rects[0].bottom() + PAGE_GAP / 2)) is None
    with pytest.raises(ValueError):
        layout.set_rotation(45)
    assert layout.set_rotation(450) is None and layout.rotation == 90


def test_an_empty_layout_assumes_a_letter_page_turned():
    layout = PageLayout()
    assert (layout.max_width(), layout.max_height(), layout.bottom()) == (612, 792, 0.0)
    layout.set_rotation(270)
    assert (layout.max_width(), layout.max_height()) == (792, 612)
