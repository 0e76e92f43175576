"""Blacked-out regions: the dark share of a box over pdfplumber's rect and image dicts."""

import pytest

from soe_desktop.core.pdf.redaction import dark_fill_share, is_redacted, luminance


def _rect(x0, top, x1, bottom, color, fill=True):
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom, "non_stroking_color": color, "fill": fill}


def test_luminance_of_each_colour_space():
    assert luminance((0,)) == 0 and luminance((1, 1, 1)) == pytest.approx(1)
    assert luminance((0, 0, 0, 1)) == 0 and luminance((0, 0, 0, 0)) == pytest.approx(1)
    assert luminance(None) is None and luminance("P1") is None


def test_dark_share_counts_overlaps_once_and_ignores_light_or_unfilled_boxes():
    box = (0, 0, 100, 100)
    half = _rect(0, 0, 100, 50, (0,))
    assert dark_fill_share([half, half], [], box) == pytest.approx(0.5)
    assert dark_fill_share([_rect(0, 0, 100, 100, (0.9, 0.9, 0.9))], [], box) == 0.0  # a light shade
    assert dark_fill_share([_rect(0, 0, 100, 100, (0,), fill=False)], [], box) == 0.0  # an outline
    assert dark_fill_share([_rect(200, 200, 300, 300, (0,))], [], box) == 0.0  # elsewhere on the page
    assert is_redacted([_rect(0, 10, 100, 100, (0.1,))], [], box)
