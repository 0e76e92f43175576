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


def _filled_page(path, color) -> None:
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path), pagesize=(612, 792))
    drawing.setFillColor(color)
    drawing.rect(100, 100, 300, 400, fill=1, stroke=0)  # displayed: x 100-400, top 292-692
    drawing.save()


@pytest.mark.parametrize("ink, blacked_out", [("pale spot tint", False), ("black", True)])
def test_a_box_the_vectors_call_dark_counts_only_if_it_is_drawn_dark(tmp_path, ink, blacked_out):
    """A Separation colour's tint 0.05 is a pale fill, though its one value reads like grey 0.05."""
    import pdfplumber
    from reportlab.lib.colors import CMYKColorSep, black

    from soe_desktop.core.pdf.ingest import open_pdfium
    from soe_desktop.core.pdf.redaction import confirmed_dark_share, drawn_dark_share

    path = tmp_path / "filled.pdf"
    _filled_page(path, CMYKColorSep(0, 0, 0, 1, spotName="PaleGrey", density=0.05) if ink != "black" else black)
    body = (100, 292, 400, 692)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert dark_fill_share(page.rects, page.images, body) == pytest.approx(1.0)  # both read as dark
        document = open_pdfium(path)
        try:
            drawn = drawn_dark_share(document[0], body)
            assert (drawn > 0.9) is blacked_out
            assert is_redacted(page.rects, page.images, body, document[0]) is blacked_out
            assert confirmed_dark_share(page.rects, page.images, body, document[0]) == pytest.approx(
                1.0 if blacked_out else drawn)
        finally:
            document.close()
