"""The pieces that keep the GUI thread short: incremental page layout, on-screen-only thumbnails,
a loss curve painted by Qt, frozen start-up objects, no second layout of a previewed document."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QColor

from soe_desktop.gui.views import page_view as page_view_module
from soe_desktop.gui.views.loss_plot import SMOOTH_COLOUR, LossPlot, axis_range, integer_ticks
from soe_desktop.gui.views.page_view import LAYOUT_CHUNK, OverlayBox, PdfPageView
from soe_desktop.gui.views.thumbnails import ThumbnailStrip

from gui_test_helpers import drop_files, wait_for_queue

LONG_PDF_PAGES = LAYOUT_CHUNK * 2 + 10


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    """More pages than one layout chunk; the last page is landscape (wider than the rest)."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    canvas = Canvas(str(path), pagesize=letter)
    for number in range(1, LONG_PDF_PAGES + 1):
        if number == LONG_PDF_PAGES:
            canvas.setPageSize(landscape(letter))
        canvas.drawString(72, 720, f"page {number}")
        canvas.showPage()
    canvas.save()
    return path


def test_pages_are_laid_out_in_chunks_and_on_demand(qtbot, long_pdf):
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    assert view.load(str(long_pdf))
    assert view.page_count == LONG_PDF_PAGES
    assert len(view._page_rects) == LAYOUT_CHUNK, "the whole document was laid out at once"

    rect = view.page_rect(LAYOUT_CHUNK + 3)  # needed before its turn: laid out now, in place
    assert rect.top() > view.page_rect(LAYOUT_CHUNK).bottom()

    view.set_overlays([OverlayBox("late", LONG_PDF_PAGES, (10, 20, 110, 70), "late", "soe", 0.8)])
    item = view.overlay_items()["late"]
    assert item.rect().topLeft() == view.page_rect(LONG_PDF_PAGES).topLeft() + page_view_module.QPointF(10, 20)

    qtbot.waitUntil(lambda: not view._layout_timer.isActive())
    rects = view._page_rects
    assert len(rects) == LONG_PDF_PAGES
    assert all(below.top() > above.bottom() for above, below in zip(rects, rects[1:]))
    assert view.sceneRect().bottom() > rects[-1].bottom()


def test_fit_width_follows_a_wider_page_laid_out_later(qtbot, long_pdf):
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    assert view.load(str(long_pdf))
    portrait_zoom = view.zoom
    qtbot.waitUntil(lambda: not view._layout_timer.isActive())
    assert view.zoom < portrait_zoom, "the landscape last page is wider: fit width must zoom out"


def test_thumbnails_render_only_what_is_on_screen_then_follow_the_scroll(qtbot, long_pdf):
    view = PdfPageView()
    qtbot.addWidget(view)
    assert view.load(str(long_pdf))
    strip = ThumbnailStrip()
    qtbot.addWidget(strip)
    strip.resize(150, 400)
    strip.show()
    strip.set_document(view.pdf)
    qtbot.waitUntil(lambda: not strip._timer.isActive())
    assert 0 < LONG_PDF_PAGES - strip.pending() < LONG_PDF_PAGES // 2
    assert 1 in strip._images and LONG_PDF_PAGES not in strip._images

    strip.scrollToBottom()
    qtbot.waitUntil(lambda: LONG_PDF_PAGES in strip._images)


def _count_colour(image, colour: QColor, tolerance: int = 40) -> int:
    hits = 0
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            pixel = image.pixelColor(x, y)
            if (abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())
                    + abs(pixel.blue() - colour.blue())) < tolerance:
                hits += 1
    return hits


def test_loss_plot_paints_the_curve_it_was_given(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 220)
    plot.show()
    legend_only = _count_colour(plot.grab().toImage(), SMOOTH_COLOUR)
    for step, loss in enumerate([0.9, 0.7, 0.8, 0.5, 0.4, 0.45, 0.3], start=1):
        plot.add_point(step, loss)
    qtbot.waitUntil(lambda: not plot._timer.isActive())
    assert _count_colour(plot.grab().toImage(), SMOOTH_COLOUR) > legend_only + 20
    plot.clear()
    assert not plot.losses and _count_colour(plot.grab().toImage(), SMOOTH_COLOUR) == legend_only


def test_axis_helpers():
    assert axis_range([]) == (0.0, 1.0)
    low, high = axis_range([0.5, 0.5])
    assert low < 0.5 < high
    low, high = axis_range([0.2, 1.2])
    assert low < 0.2 and high > 1.2
    assert axis_range([0.01, 0.8])[0] == 0.0, "a loss axis must not go below zero"
    assert axis_range([-1.0, 1.0])[0] < -1.0
    assert integer_ticks(0) == [0]
    assert integer_ticks(8) == [0, 2, 4, 6, 8]
    assert integer_ticks(3)[-1] <= 3


def test_start_up_objects_are_frozen_out_of_the_collector(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(window.start_up.is_ready, timeout=30_000)  # start-up finishes after the first paint
    assert gc.get_freeze_count() > 10_000


def test_a_previewed_document_is_not_laid_out_again_when_it_is_ready(make_window, small_protocol, qtbot,
                                                                    monkeypatch):
    path, truth = small_protocol
    window = make_window()
    loads = []
    original = PdfPageView.load
    monkeypatch.setattr(PdfPageView, "load", lambda self, p: loads.append(p) or original(self, p))
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: bool(window.open_sha))
    assert loads == [str(path)], "the stored copy was loaded again although the preview shows the same bytes"
    assert window.page_view.page_count == truth.page_count
    assert set(window.page_view.overlay_items()) == {c.id for c in window.session.candidates}


class _Recorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list] = []

    @Slot(int, list)
    def record(self, _key: int, candidates: list) -> None:
        self.batches.append(candidates)


def test_the_first_boxes_drawn_are_on_the_most_soe_like_pages(make_window, small_protocol, qtbot):
    """Detection visits screened pages best score first (not page order: page 6 of this protocol,
    a fallback page before the SoE, would come first), while the document's candidates stay in page order."""
    path, truth = small_protocol
    window = make_window()
    recorder = _Recorder()
    window.queue.candidates_found.connect(recorder.record)
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window)
    assert recorder.batches
    assert {c.page for c in recorder.batches[0]} <= set(truth.soe_pages)
    pages = [c.page for c in window.session.candidates]
    assert pages == sorted(pages)


def test_add_overlays_keeps_drawn_boxes_and_joins_a_group_over_pages(qtbot, long_pdf):
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    assert view.load(str(long_pdf))
    view.add_overlays([OverlayBox("a", 2, (10, 10, 100, 100), "g", "unlabelled")])
    first_item = view.overlay_items()["a"]
    assert not view._group_items
    view.add_overlays([OverlayBox("b", 3, (10, 10, 100, 100), "g", "unlabelled"),
                       OverlayBox("c", 9999, (10, 10, 100, 100), "c", "unlabelled")])  # not a page: ignored
    items = view.overlay_items()
    assert set(items) == {"a", "b"} and items["a"] is first_item
    assert len(view._group_items) == 1, "a table over pages 2-3 gets its bracket"
    view.add_overlays([OverlayBox("a", 2, (20, 20, 50, 50), "g", "soe", 0.9)])  # same id: replaced
    assert len(view.overlay_items()) == 2 and view.overlay_items()["a"].box.state == "soe"


def test_the_window_makes_workers_hand_over_the_gil_often(make_window):
    import sys

    from soe_desktop.gui.app import GIL_SWITCH_INTERVAL_S

    sys.setswitchinterval(0.005)  # Python's default
    make_window()
    assert GIL_SWITCH_INTERVAL_S < 0.005
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL_S)
