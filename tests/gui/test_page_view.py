"""Overlays sit exactly on the PDF coordinates they came from, at any zoom or rotation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from soe_desktop.gui.views.page_view import OverlayBox, PdfPageView


@pytest.fixture(scope="module")
def two_page_pdf(tmp_path_factory):
    """Portrait page 1, landscape page 2, each with one ruled box at a known place."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path_factory.mktemp("pdf") / "two_pages.pdf"
    canvas = Canvas(str(path), pagesize=letter)
    canvas.rect(100, letter[1] - 300, 200, 100)  # reportlab: bottom-left origin
    canvas.showPage()
    canvas.setPageSize(landscape(letter))
    canvas.rect(50, landscape(letter)[1] - 150, 300, 100)
    canvas.showPage()
    canvas.save()
    return path


def _view(qtbot, path) -> PdfPageView:
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    assert view.load(str(path))
    return view


def test_boxes_are_placed_in_pdf_points_on_their_page(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.set_overlays([OverlayBox("a", 1, (100, 200, 300, 300), "a", "soe", 0.9),
                       OverlayBox("b", 2, (50, 50, 350, 150), "b", "not_soe", 0.6)])
    items = view.overlay_items()
    page2 = view.page_rect(2)
    assert view.page_count == 2
    assert page2.width() > page2.height()  # landscape page kept as displayed
    assert items["a"].rect().topLeft() == view.page_rect(1).topLeft() + QPointF(100, 200)
    assert items["b"].rect().topLeft() == page2.topLeft() + QPointF(50, 50)
    assert items["b"].rect().size().toTuple() == (300.0, 100.0)


def test_zoom_and_rotation_keep_boxes_on_the_rendered_page(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.set_overlays([OverlayBox("a", 1, (100, 200, 300, 300), "a", "soe", 0.9)])
    before = view.mapFromScene(QPointF(100, 200))
    view.set_zoom(view.zoom * 2)
    view.rotate_clockwise()
    box = view.overlay_items()["a"]
    # The item never moves in scene (= PDF) coordinates; only the view transform changes.
    assert box.rect().topLeft() == QPointF(100, 200)
    assert view.transform().m12() != 0  # rotated
    assert view.mapFromScene(QPointF(100, 200)) != before


def test_rendering_is_lazy_and_follows_the_zoom(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.go_to_page(1)
    qtbot.waitUntil(lambda: 1 in view._pixmaps)
    first = view._pixmaps[1].pixmap().width()
    view.set_zoom(view.zoom * 2)
    qtbot.waitUntil(lambda: view._pixmaps[1].pixmap().width() > first * 1.5)


def test_selecting_a_candidate_highlights_its_whole_group(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.set_overlays([OverlayBox("a", 1, (100, 200, 300, 300), "g", "soe", 0.9),
                       OverlayBox("b", 2, (50, 50, 350, 150), "g", "soe", 0.9),
                       OverlayBox("c", 2, (50, 300, 350, 400), "c", "unlabelled", None)])
    view.select_candidate("b")
    widths = {cid: item.pen().widthF() for cid, item in view.overlay_items().items()}
    assert widths["a"] == widths["b"] > widths["c"]
    assert len(view._group_items) == 1  # one bracket joins the two-page group


def test_pages_without_a_text_layer_are_tagged_and_say_when_ocr_read_them(qtbot, two_page_pdf):
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    view = _view(qtbot, two_page_pdf)
    view.flag_image_only([1, 2, 9], read_by_ocr=[2])  # page 9 does not exist: ignored
    tags = {item.text(): item for item in view.scene().items() if isinstance(item, QGraphicsSimpleTextItem)}
    assert set(tags) == {"image only – no text layer", "image only – read by OCR"}
    assert view.page_rect(1).contains(tags["image only – no text layer"].pos())
    assert view.page_rect(2).contains(tags["image only – read by OCR"].pos())


def test_unreadable_pages_are_tagged_with_the_reason(qtbot, two_page_pdf):
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    view = _view(qtbot, two_page_pdf)
    view.flag_unreadable({2: "the table finders failed (pdfplumber: PdfminerException)", 7: "gone"})
    (tag,) = [item for item in view.scene().items() if isinstance(item, QGraphicsSimpleTextItem)]
    assert tag.text() == "unreadable – skipped" and "pdfplumber" in tag.toolTip()
    assert view.page_rect(2).contains(tag.pos())


def test_a_pdf_loaded_before_the_view_has_its_size_opens_at_fit_width(qtbot, two_page_pdf):
    view = PdfPageView()  # as on first run: the sample is loaded before the window is shown
    qtbot.addWidget(view)
    view.resize(1200, 900)
    assert view.load(str(two_page_pdf))
    view.show()
    view.resize(500, 600)
    qtbot.waitExposed(view)
    view.set_overlays([OverlayBox("b", 2, (450, 50, 780, 150), "b", "soe", 0.9)])
    view.select_candidate("b")  # a box at the right edge of the wide page must not scroll sideways
    bar = view.horizontalScrollBar()
    assert bar.maximum() == bar.minimum() == bar.value()
    widest = view.page_rect(2)
    left, right = view.mapFromScene(widest.topLeft()).x(), view.mapFromScene(widest.topRight()).x()
    assert 0 <= left and right <= view.viewport().width()
    assert right - left > 0.85 * view.viewport().width()  # fills the width, not merely small


def test_the_users_zoom_is_kept_when_the_window_is_resized(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.zoom_in()
    zoom = view.zoom
    view.resize(500, 600)
    assert view.zoom == zoom
    view.fit_width()
    view.resize(700, 600)
    assert view.zoom != zoom and view.horizontalScrollBar().maximum() == 0
