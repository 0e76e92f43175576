"""OCR of pages without a text layer: boxes to rows, the pictured SoE page read back, limits."""

from __future__ import annotations

import pytest

from soe_desktop.core.model import PageText
from soe_desktop.core.pdf import features, ocr
from soe_desktop.core.pdf.ocr import OcrBox, ocr_rows, read_text_less_pages, rows_text
from soe_desktop.core.pdf.pages import read_pages

needs_engine = pytest.mark.skipif(not ocr.ocr_available(), reason="the optional OCR engine is not installed")


def box(text: str, x0: float, top: float, x1: float | None = None, height: float = 10.0) -> OcrBox:
    return OcrBox(text, (x0, top, x1 if x1 is not None else x0 + 8 * len(text), top + height), 0.9)


def test_boxes_on_one_line_become_one_row_left_to_right_and_lines_go_top_down():
    boxes = [box("X", 300, 52), box("Vital signs", 20, 50), box("Day 1", 300, 20), box("Visit", 20, 21),
             box("X", 200, 49), box("Screening", 200, 19)]
    assert ocr_rows(boxes) == [["Visit", "Screening", "Day 1"], ["Vital signs", "X", "X"]]


def test_a_box_half_a_line_lower_starts_a_new_row():
    assert ocr_rows([box("a", 0, 0), box("b", 50, 9)]) == [["a"], ["b"]]
    assert ocr_rows([]) == []


def test_rows_become_text_lines_as_a_text_layer_would_give_them():
    assert rows_text([["Visit", "Day 1"], ["ECG", "X"]]) == "Visit Day 1\nECG X"


def _text_less_page(number: int) -> PageText:
    return PageText(number=number, width=612, height=792, rotation=0, text="", has_text_layer=False)


def test_without_the_engine_nothing_is_read_and_pages_are_left_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    pages = [_text_less_page(1)]
    assert read_text_less_pages(tmp_path / "never_opened.pdf", pages, [1]) == []
    assert pages[0].ocr is False and pages[0].text == ""


def test_pages_with_a_text_layer_and_pages_over_the_limit_are_not_read(tmp_path):
    pages = [PageText(1, 612, 792, 0, "a real text layer " * 10, True), _text_less_page(2)]
    # Nothing to read: the PDF is never opened (it does not exist).
    assert read_text_less_pages(tmp_path / "never_opened.pdf", pages, [1]) == []
    assert read_text_less_pages(tmp_path / "never_opened.pdf", pages, [2], limit=0) == []


def test_only_pages_the_screen_would_open_or_beside_a_table_page_are_read_most_soe_like_first(monkeypatch):
    text_less = {1, 3, 5, 7, 8}
    pages = [PageText(n, 792, 612, 0, "" if n in text_less else "a text layer " * 15, n not in text_less)
             for n in range(1, 9)]
    scores = [0.5, 0.9, 0.01, 0.2, 0.95, 0.0, 0.0, features.FALLBACK_PAGE_THRESHOLD]
    asked = []
    monkeypatch.setattr(ocr, "read_text_less_pages",
                        lambda path, pages, numbers, progress, cancel, limit, sha256: asked.extend(numbers) or [])
    singles = [features.single_page_features(p) for p in pages]
    assert ocr.read_pictured_pages("x.pdf", pages, singles, scores) == []
    # Page 3 scores too low to be opened but sits between two table pages; page 7 is beside none.
    assert asked == [5, 1, 8, 3]


@needs_engine
def test_the_pictured_soe_page_is_read_back_into_words_marks_and_cells(sample_protocol):
    path, truth = sample_protocol
    pages = read_pages(path)
    (number,) = truth.image_only_pages
    progress = []
    assert read_text_less_pages(path, pages, [number, 1], progress.append) == [number]
    page = pages[number - 1]
    assert page.ocr and not page.has_text_layer and page.has_text
    assert "schedule of activities" in page.text.lower() and "Week 4" in page.text
    marks = sum(cell.strip().upper() == "X" for row in page.ocr_rows for cell in row)
    assert marks >= 20  # the grid's X cells, one OCR box each
    assert features.single_page_features(page)["strong"] == 1.0  # the screen now sees an SoE grid
    assert [(p.stage, p.done, p.total) for p in progress] == [("reading", 1, 1)]
    assert not any(p.ocr for p in pages if p.number != number)


@needs_engine
def test_a_captioned_picture_of_a_grid_is_read_too_and_keeps_its_thin_text_layer(tmp_path):
    """A caption in the text layer over a pictured grid (a scanned insert with a typed title)."""
    import random

    from reportlab.pdfgen.canvas import Canvas

    from soe_desktop.core.synthetic import pages as P
    from soe_desktop.core.synthetic.raster import render_table_image
    from soe_desktop.core.synthetic.tables import build_soe_grid, register_fonts

    register_fonts()
    path = tmp_path / "captioned.pdf"
    canvas = Canvas(str(path), pagesize=P.LANDSCAPE, invariant=1)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(40, 590, "1.3 Schedule of Activities")
    spec = build_soe_grid(random.Random(5), "X", visit_count=8).chunks(1)[0]
    P.draw_image_page(canvas, render_table_image(spec, "Table 2"), (P.LANDSCAPE[0], P.LANDSCAPE[1] - 30))
    canvas.showPage()
    canvas.save()
    pages = read_pages(path)
    assert pages[0].has_text_layer and len(pages[0].text.strip()) < features.LOW_TEXT_CHARS
    assert read_text_less_pages(path, pages, [1]) == [1]
    page = pages[0]
    assert page.ocr and page.has_text_layer
    assert "Schedule of Activities" in page.text and "Screening" in page.text  # the caption and the picture
