"""Cell geometry: shading rectangles are not rules, and outer verticals a grid leaves out are
implied at the ends of its horizontal rules (on synthetic PDFs drawn with reportlab)."""

import pdfplumber
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.grid.geometry import best, is_shading, outer_lines, plumber_geometry, ruled_page


def _rect(width, height, fill=True, colour=(1.0,), stroke=False, stroking=(0.0,)):
    return {"object_type": "rect", "width": width, "height": height, "fill": fill,
            "non_stroking_color": colour, "stroke": stroke, "stroking_color": stroking}


def test_white_and_light_fills_are_shading_thin_or_dark_rectangles_are_rules():
    assert is_shading(_rect(80, 9))  # a white box behind a line of text
    assert is_shading(_rect(80, 40, colour=(0.85, 0.85, 0.85)))  # a light grey header cell
    assert is_shading(_rect(80, 40, colour=(0.0, 0.0, 0.0, 0.1)))  # CMYK, 10 % black
    assert not is_shading(_rect(80, 0.5, colour=(0.0,)))  # a rule drawn as a thin filled rectangle
    assert not is_shading(_rect(0.8, 60, colour=(1.0,)))  # thin, even when white
    assert not is_shading(_rect(80, 40, colour=(0.2, 0.3, 0.6)))  # a dark fill is a printed band
    assert not is_shading(_rect(80, 40, stroke=True))  # a cell box outlined in black
    assert not is_shading(_rect(80, 40, colour="pattern"))  # an unknown colour: kept
    assert not is_shading({"object_type": "line", "width": 80, "height": 0})


def _grid_pdf(path, outer: bool, white_boxes: bool):
    """A 3 x 4 ruled grid (x 100..400, y from the top 100..190) with a text in every cell."""
    canvas = Canvas(str(path), pagesize=(500, 400))
    xs, tops = [100, 200, 300, 400], [100, 130, 160, 190]
    ys = [400 - top for top in tops]
    if white_boxes:  # one white box per text line, from rule to rule, two lines a cell
        canvas.setFillColorRGB(1, 1, 1)
        for x0, x1 in zip(xs, xs[1:]):
            for y0 in ys[1:]:
                for offset in (4, 16):
                    canvas.rect(x0, y0 + offset, x1 - x0, 10, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for y in ys:
        canvas.line(xs[0], y, xs[-1], y)
    for x in (xs if outer else xs[1:-1]):
        canvas.line(x, ys[0], x, ys[-1])
    for r, (y0, y1) in enumerate(zip(ys, ys[1:])):
        for c, (x0, x1) in enumerate(zip(xs, xs[1:])):
            canvas.drawString(x0 + 5, y1 + 10, f"r{r} c{c}")
    canvas.save()


def test_outer_lines_fall_at_the_ends_of_the_rules(tmp_path):
    path = tmp_path / "open.pdf"
    _grid_pdf(path, outer=False, white_boxes=False)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        vertical, horizontal = outer_lines(page, (150.0, 110.0, 350.0, 180.0))  # the candidate: a piece of it
        assert [(line["x0"], line["top"], line["bottom"]) for line in vertical] == [(100, 100, 190), (400, 100, 190)]
        # the inner verticals' ends: on the top and bottom rules that are printed
        assert [(line["top"], line["x0"], line["x1"]) for line in horizontal] == [(100, 200, 300), (190, 200, 300)]
        boxes = plumber_geometry(page, (150.0, 110.0, 350.0, 180.0), "pdfplumber")
    assert len(boxes) == 9 and min(box[0] for box in boxes) == 100 and max(box[2] for box in boxes) == 400


def test_white_boxes_do_not_split_rows(tmp_path):
    path = tmp_path / "boxes.pdf"
    _grid_pdf(path, outer=True, white_boxes=True)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert len(page.find_tables()[0].rows) > 3  # the default finder takes the boxes as rules
        assert len(ruled_page(page).rects) == 0
        boxes = plumber_geometry(page, (100.0, 100.0, 400.0, 190.0), "pdfplumber")
    assert len(boxes) == 9


class _Table:
    def __init__(self, bbox):
        self.bbox = bbox


def test_best_takes_a_table_that_holds_the_candidate_whole():
    whole, other = _Table((0, 0, 100, 100)), _Table((0, 200, 100, 300))
    assert best([whole, other], (10, 10, 30, 30), lambda t: t.bbox) is whole  # IoU 0.04, inside it
    assert best([other], (10, 10, 30, 30), lambda t: t.bbox) is None


def test_a_table_drawn_by_its_fills_alone_keeps_them_as_edges(tmp_path):
    """No rule at all, only light cells side by side: without the fills there is no table, so the
    fills are its edges after all."""
    path = tmp_path / "fills.pdf"
    canvas = Canvas(str(path), pagesize=(500, 400))
    for r in range(3):
        for c in range(3):
            canvas.setFillColorRGB(0.9, 0.9, 0.9) if (r + c) % 2 else canvas.setFillColorRGB(0.8, 0.85, 0.95)
            canvas.rect(100 + 100 * c, 300 - 30 * r - 30, 100, 30, stroke=0, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            canvas.drawString(105 + 100 * c, 300 - 30 * r - 20, f"r{r} c{c}")
    canvas.save()
    with pdfplumber.open(path) as pdf:
        boxes = plumber_geometry(pdf.pages[0], (100.0, 100.0, 400.0, 190.0), "pdfplumber")
    assert boxes is not None and len(boxes) == 9
