"""Overlays sit exactly on the PDF coordinates they came from, at any zoom or rotation; a rotation
belongs to its document, and fitting uses the turned page size."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QAction

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


@pytest.fixture(scope="module")
def portrait_pdf(tmp_path_factory):
    """Three letter-size portrait pages."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path_factory.mktemp("pdf") / "portrait.pdf"
    canvas = Canvas(str(path), pagesize=letter)
    for number in range(1, 4):
        canvas.drawString(72, 720, f"page {number}")
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


def _dark_near(view, page: int, scene_point: QPointF, reach: int = 3) -> bool:
    """Is a ruled line drawn within `reach` pixels of a scene point, on the page image rendered?"""
    item = view._pixmaps[page]
    image = item.pixmap().toImage()
    centre = item.mapFromScene(scene_point).toPoint()
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            x, y = centre.x() + dx, centre.y() + dy
            if 0 <= x < image.width() and 0 <= y < image.height():
                colour = image.pixelColor(x, y)
                if colour.alpha() > 200 and colour.lightness() < 110:
                    return True
    return False


def test_zoom_and_rotation_keep_boxes_on_the_rendered_page(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    box = OverlayBox("a", 1, (100, 200, 300, 300), "a", "soe", 0.9)  # exactly the ruled box on page 1
    view.set_overlays([box])
    view.set_zoom(view.zoom * 2)
    view.rotate_clockwise()
    rect = view.overlay_items()["a"].rect()
    # A quarter turn clockwise: the page's left edge is now its top, its top edge its right side.
    assert rect == QRectF(792 - 300, 100, 100, 200)
    assert view.page_point(rect.center()) == (1, pytest.approx(200), pytest.approx(250))
    view.select_candidate("a")
    qtbot.waitUntil(lambda: 1 in view._pixmaps)
    corners = (rect.topLeft(), rect.topRight(), rect.bottomLeft(), rect.bottomRight())
    assert all(_dark_near(view, 1, corner) for corner in corners), "the box is not over the turned page's ruled box"
    assert not _dark_near(view, 1, rect.center())


def test_rotation_belongs_to_the_document_it_was_given_to(qtbot, two_page_pdf, portrait_pdf):
    view = _view(qtbot, two_page_pdf)
    view.rotate_clockwise()
    assert view.rotation == 90 and view.page_rect(1).size().toTuple() == (792.0, 612.0)
    assert view.load(str(portrait_pdf))  # opened after it: not turned
    assert view.rotation == 0 and view.page_rect(1).size().toTuple() == (612.0, 792.0)
    assert view.load(str(two_page_pdf))  # back to the first: turned as the user left it
    assert view.rotation == 90 and view.page_rect(1).size().toTuple() == (792.0, 612.0)


def test_a_rotation_made_on_the_preview_stays_with_the_stored_copy(qtbot, two_page_pdf, portrait_pdf, tmp_path):
    stored = tmp_path / "stored.pdf"
    shutil.copyfile(two_page_pdf, stored)
    view = _view(qtbot, two_page_pdf)
    view.rotate_clockwise()
    assert view.reopen(str(stored)) and view.rotation == 90
    assert view.load(str(portrait_pdf)) and view.rotation == 0
    assert view.load(str(stored)) and view.rotation == 90


def test_turned_pages_stay_one_below_the_other(qtbot, two_page_pdf):
    view = _view(qtbot, two_page_pdf)
    view.rotate_clockwise()
    first, second = view.page_rect(1), view.page_rect(2)
    assert second.size().toTuple() == (612.0, 792.0)  # the landscape page now stands up
    assert first.left() == second.left() == 0 and second.top() > first.bottom()
    on_screen_first, on_screen_second = view.mapFromScene(first.bottomLeft()), view.mapFromScene(second.topLeft())
    assert on_screen_second.y() > on_screen_first.y() and on_screen_second.x() == on_screen_first.x()
    assert view.sceneRect().bottom() > second.bottom()


def test_fit_width_uses_the_turned_page_width(qtbot, portrait_pdf):
    view = _view(qtbot, portrait_pdf)
    upright = view.zoom
    view.rotate_clockwise()  # the user had fit to width: it is fitted again, to the turned width
    assert view.zoom == pytest.approx(upright * (612 + 28) / (792 + 28))
    view.zoom_in()
    view.fit_width()
    assert view.zoom == pytest.approx(upright * (612 + 28) / (792 + 28))
    assert view.horizontalScrollBar().maximum() == 0
    page = view.page_rect(1)
    left, right = view.mapFromScene(page.topLeft()).x(), view.mapFromScene(page.topRight()).x()
    assert 0 <= left and right <= view.viewport().width() and right - left > 0.85 * view.viewport().width()


def test_fit_page_uses_the_turned_page_size(qtbot, portrait_pdf):
    view = _view(qtbot, portrait_pdf)
    view.rotate_clockwise()
    view.fit_page()
    size = view.viewport().size()
    assert view.zoom == pytest.approx(min((size.width() - 28) / 792, (size.height() - 28) / 612))


def test_tags_brackets_and_the_highlight_follow_the_turned_pages(qtbot, two_page_pdf):
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    view = _view(qtbot, two_page_pdf)
    view.set_overlays([OverlayBox("a", 1, (100, 600, 300, 700), "g", "soe", 0.9),
                       OverlayBox("b", 2, (50, 50, 350, 150), "g", "soe", 0.9)])
    view.flag_image_only([2])
    view.highlight_source(2, (50, 50, 100, 80))
    view.rotate_clockwise()
    view.rotate_clockwise()  # upside down: every mark moves to the other end of its page
    page2 = view.page_rect(2)
    assert view.highlighted == QRectF(page2.left() + 792 - 100, page2.top() + 612 - 80, 50, 30)
    (tag,) = [item for item in view.scene().items() if isinstance(item, QGraphicsSimpleTextItem)
              and item.text().startswith("image only")]
    assert page2.contains(tag.pos())
    (bracket,) = view._group_items
    boxes = [item.sceneBoundingRect() for item in view.overlay_items().values()]
    assert bracket.rect().top() == min(r.top() for r in boxes)
    assert bracket.rect().bottom() == max(r.bottom() for r in boxes)


def test_the_window_shortcuts_rotate_and_fit_the_open_document(make_window, qtbot, portrait_pdf, two_page_pdf):
    window = make_window()
    view = window.page_view
    actions = {action.shortcut().toString(): action for action in window.findChildren(QAction)}
    assert view.load(str(portrait_pdf))
    upright = view.zoom
    view.zoom_in()
    actions["Ctrl+R"].trigger()
    actions["Ctrl+1"].trigger()  # Fit width, to the turned page
    assert view.rotation == 90 and view.zoom == pytest.approx(upright * (612 + 28) / (792 + 28))
    assert view.load(str(two_page_pdf)) and view.rotation == 0


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
