"""The page's one orientation decision from pdfium's glyph matrices, and the readers that use it."""

from __future__ import annotations

from collections import Counter

import pytest
from pdf_fixtures import Built, Drawn, build, draw_grid, soe_rows
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.orientation import decide, displayed_direction, sideways_note
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, UPRIGHT


@pytest.mark.parametrize(("angle", "rotation", "expected"), [
    (0, 0, UPRIGHT),
    (359.5, 0, UPRIGHT),
    (90, 0, UP_THE_PAGE),
    (270, 0, DOWN_THE_PAGE),
    (90, 90, UPRIGHT),  # drawn turned on a portrait media box that /Rotate 90 shows upright
    (0, 90, DOWN_THE_PAGE),  # upright in user space, shown turned clockwise
    (0, 270, UP_THE_PAGE),
    (180, 0, UPRIGHT),  # upside down: no reader turns it
])
def test_displayed_direction_combines_glyph_angle_and_rotate(angle, rotation, expected):
    assert displayed_direction(angle, rotation) == expected


def test_a_turn_needs_a_majority_of_the_sampled_glyphs():
    assert decide(Counter({UP_THE_PAGE: 30, UPRIGHT: 10})) == UP_THE_PAGE
    assert decide(Counter({UP_THE_PAGE: 10, UPRIGHT: 10})) == UPRIGHT
    assert decide(Counter()) == UPRIGHT


def _down_the_page(drawn: list):
    """A grid drawn turned clockwise inside a portrait page: its text runs down the page."""

    def draw(canvas: Canvas):
        canvas.saveState()
        canvas.translate(0, 792)
        canvas.rotate(-90)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(72, 560, "Table 4 Schedule of Activities (turned)")
        rows = soe_rows()
        draw_grid(canvas, 72, 530, rows, [150] + [70] * (len(rows[0]) - 1))
        canvas.restoreState()
        drawn.append(Drawn(1, (0, 0, 0, 0), rows))

    return draw


def test_pages_carry_the_decision_and_a_note(rotated_in_page_pdf, rotate_attr_pdf, ruled_pdf, tmp_path):
    sideways = read_pages(rotated_in_page_pdf.path)[0]
    assert sideways.direction == UP_THE_PAGE and sideways.rotation == 0
    assert sideways.reading == sideways_note(UP_THE_PAGE) == "sideways: text runs up the page"
    assert sideways.reading_uncertain
    turned_by_rotate = read_pages(rotate_attr_pdf.path)[0]
    assert turned_by_rotate.direction == UPRIGHT and turned_by_rotate.reading == ""
    assert [page.direction for page in read_pages(ruled_pdf.path)] == [UPRIGHT, UPRIGHT]
    drawn: list = []
    down = read_pages(build(tmp_path / "down.pdf", [_down_the_page(drawn)]))[0]
    assert down.direction == DOWN_THE_PAGE and "down the page" in down.reading


def test_every_reader_follows_the_page_decision(tmp_path):
    """Cells come out in display order ("Week 2", not "2 keeW") on text running down the page,
    from the table finders and from the fallback alike."""
    drawn: list = []
    built = Built(build(tmp_path / "down.pdf", [_down_the_page(drawn)]), drawn)
    document, pages = built.opened()
    table = find_candidates(built.path, document, pages, [1])[0]
    assert table.rows == drawn[0].rows
    assert "Caption: Table 4 Schedule of Activities (turned)" in table.context
    document, pages = built.opened()
    block = find_candidates(built.path, document, pages, [], [1])[0]
    assert block.detector == "fallback-text"
    assert any("Week 2" in " ".join(row) for row in block.rows)
    assert not any("keeW" in " ".join(row) for row in block.rows)
