"""The page view: QtPdf pages in a QGraphicsScene with candidate boxes drawn in PDF points.

Scene units are PDF points, each page placed as displayed (page_layout.PageLayout: turned by the
document's rotation, always stacked one below the other), so an overlay rectangle is the
candidate's bbox through its page's transform and stays exact at every zoom: zoom only changes
the view's transform, a rotation lays the pages out again. The rotation belongs to the document:
it is remembered per file for the session (the store keeps one copy per sha256, named after it),
so turning one document does not turn the next one opened. Pages are rendered lazily (visible
ones only) at the current zoom, a few ms each on the GUI thread. Pages are also laid out a chunk
per event-loop turn: asking QtPdf for a page's size costs ~0.2 ms, so laying out a 150-page
protocol at once held the GUI thread 30-70 ms right at the drop. Anything that needs a page not
laid out yet (an overlay, a jump) lays out up to it first, so callers never see the difference.

The view holds the PDF file open itself (pdf_file.HeldPdfFile: an open file is locked on
Windows), and `reopen` moves to the store's copy of the same bytes without laying out or
rendering anything again. Page images are page_images.PageImages; what is drawn over the pages
is overlays.OverlayLayer.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView

from soe_desktop.gui.views.overlays import (STATE_COLOURS, STATE_TEXT, CandidateItem, OverlayBox, OverlayLayer,
                                            PageTag)
from soe_desktop.gui.views.page_images import PageImages
from soe_desktop.gui.views.pdf_file import HeldPdfFile
from soe_desktop.gui.views.page_layout import PAGE_GAP, PageLayout

__all__ = ["STATE_COLOURS", "STATE_TEXT", "CandidateItem", "OverlayBox", "PdfPageView", "LAYOUT_CHUNK"]

MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
LAYOUT_CHUNK = 25  # pages laid out per event-loop turn (~5 ms)


class PdfPageView(QGraphicsView):
    """Stacked pages of one PDF with candidate overlays; emits the candidate the user clicks."""

    candidate_clicked = Signal(str)
    page_clicked = Signal(int, float, float)  # 1-based page and the point on it, in PDF points
    current_page_changed = Signal(int)  # 1-based page at the top of the viewport

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(QColor(72, 76, 84))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pdf = QPdfDocument(self)
        self._file = HeldPdfFile(self.pdf)
        self.zoom = 1.0
        self._layout = PageLayout()
        self._rotations: dict[str, int] = {}  # file -> the rotation the user gave that document
        self._sheets: list[QGraphicsRectItem] = []  # the white page backgrounds
        self._images = PageImages(self.scene(), self.pdf, self.page_rect)
        self._overlays = OverlayLayer(self.scene(), self._existing_page_rect, self._place)
        self._current_page = 0
        self._render_timer = QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self._render_visible)
        self._layout_timer = QTimer(self, interval=0)
        self._layout_timer.timeout.connect(self._lay_out_more)
        self._fitted_zoom = 0.0  # the zoom fit_width chose at load; refit while the user keeps it
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # ----- document -------------------------------------------------------------------
    def load(self, path: str) -> bool:
        """Load a PDF and lay its pages out, turned as the user last left this document; False
        when QtPdf cannot open it."""
        self.clear()
        if not self._file.open(path):
            return False
        self._layout.set_rotation(self._rotations.get(path, 0))
        self._lay_out(LAYOUT_CHUNK)
        self.fit_width()
        if len(self._layout) < self.page_count:
            self._layout_timer.start()
        return True

    def reopen(self, path: str) -> bool:
        """Read the same bytes from another file (the store's copy of a dropped PDF) and let the
        first one go; layout, rotation, overlays and rendered pages stay, and the rotation is
        remembered for the new file too. False when it cannot be opened."""
        if path == self.source_path:
            return True
        pages = self.page_count
        if not self._file.open(path) or self.page_count != pages:
            return False
        self._rotations[path] = self.rotation
        return True

    @property
    def source_path(self) -> str:
        """The file the view reads its pages from ('' when none is open)."""
        return self._file.path

    def _lay_out(self, count: int) -> None:
        """Stack the next `count` pages below those already laid out."""
        start = len(self._layout)
        end = min(self.page_count, start + count)
        if end <= start:
            return
        for index in range(start, end):
            self._add_sheet(self._layout.add(self.pdf.pagePointSize(index)))
        self._update_scene_rect()

    def _add_sheet(self, rect: QRectF) -> None:
        sheet = self.scene().addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(Qt.GlobalColor.white))
        sheet.setZValue(0)
        self._sheets.append(sheet)

    def _update_scene_rect(self) -> None:
        width = self._layout.max_width() + 2 * PAGE_GAP
        self.scene().setSceneRect(QRectF(-PAGE_GAP, -PAGE_GAP, width, self._layout.bottom() + PAGE_GAP))

    @Slot()
    def _lay_out_more(self) -> None:
        widest = (self._layout.max_width(), self._layout.max_height())
        self._lay_out(LAYOUT_CHUNK)
        if len(self._layout) >= self.page_count:
            self._layout_timer.stop()
        grew = (self._layout.max_width(), self._layout.max_height()) != widest
        if grew and self.fits_width:  # a wider page came in: still fit the width
            self.fit_width()
        self._schedule_render()

    def clear(self) -> None:
        self._layout_timer.stop()
        self.scene().clear()
        self._file.close()
        self._layout.clear()
        self._sheets.clear()
        self._images.forget()
        self._overlays.forget()
        self._current_page = 0

    @property
    def page_count(self) -> int:
        """Pages of the loaded PDF (laid out or not yet)."""
        return self.pdf.pageCount()

    @property
    def _pixmaps(self) -> dict[int, QGraphicsPixmapItem]:
        """The rendered page images, by 1-based page."""
        return self._images.items

    @property
    def _page_rects(self) -> list[QRectF]:
        """The pages laid out so far, in the scene (as displayed)."""
        return self._layout.rects

    def page_rect(self, page: int) -> QRectF:
        """A page's rectangle in the scene (turned as displayed), laying it out first if need be."""
        if page > len(self._layout):
            self._lay_out(page - len(self._layout))
        return self._layout.rects[page - 1]

    def _existing_page_rect(self, page: int) -> QRectF | None:
        return self.page_rect(page) if 1 <= page <= self.page_count else None

    def _place(self, page: int, bbox: tuple[float, float, float, float]) -> QRectF | None:
        """A box in page points as a scene rectangle; None for a page this document lacks."""
        if self._existing_page_rect(page) is None:
            return None
        return self._layout.scene_rect(page, bbox)

    # ----- overlays -------------------------------------------------------------------
    def set_overlays(self, boxes: list[OverlayBox]) -> None:
        """Replace all candidate boxes (cheap: a few items per page)."""
        self._overlays.set_boxes(boxes)

    def add_overlays(self, boxes: list[OverlayBox]) -> None:
        """Draw more boxes, keeping those already drawn (replacing any with the same id).

        A document still being processed reports its candidates a page at a time; rebuilding
        every box for each page cost O(n²) Qt calls on the GUI thread while the worker held
        the GIL most of the time.
        """
        self._overlays.add_boxes(boxes)

    @property
    def _group_items(self) -> list:
        """The brackets joining a table's pages."""
        return self._overlays.group_items

    def flag_image_only(self, pages: list[int], read_by_ocr: Sequence[int] = ()) -> None:
        """Mark pages without a text layer (only neighbour context or OCR can judge them), and
        say which were read by OCR: their words may hold recognition errors."""
        for page in pages:
            text = "image only – read by OCR" if page in read_by_ocr else "image only – no text layer"
            self._overlays.add_tag(PageTag(page, text, QColor(190, 110, 0)))

    def flag_unreadable(self, reasons: dict[int, str]) -> None:
        """Mark pages that could not be read and were skipped (no candidate can be on them); the
        tooltip says why."""
        for page, reason in reasons.items():
            self._overlays.add_tag(PageTag(page, "unreadable – skipped", QColor(200, 30, 30), reason))

    def select_candidate(self, candidate_id: str, scroll: bool = True) -> None:
        """Highlight a candidate and the rest of its group; bring it into view."""
        target = self._overlays.select(candidate_id)
        if target is not None and scroll:
            self.ensureVisible(target, 40, 40)
            self._schedule_render()

    def overlay_items(self) -> dict[str, CandidateItem]:
        return dict(self._overlays.boxes)

    def highlight_source(self, page: int, bbox: tuple[float, float, float, float]) -> None:
        """Outline one printed box (a grid cell) and bring it into view; page 0 clears it."""
        if self._overlays.highlight(page, bbox) is not None:
            self.ensureVisible(self._overlays.highlight_item, 60, 60)
            self._schedule_render()

    @property
    def highlighted(self) -> QRectF | None:
        """The highlighted box in scene units (None when there is none)."""
        item = self._overlays.highlight_item
        return item.rect() if item is not None else None

    def page_point(self, scene_point: QPointF) -> tuple[int, float, float] | None:
        """(1-based page, x, y in PDF points) under a scene point; None between pages."""
        return self._layout.page_point(scene_point)

    def mousePressEvent(self, event) -> None:
        point = self.page_point(self.mapToScene(event.position().toPoint()))
        for item in self.items(event.position().toPoint()):
            if isinstance(item, CandidateItem):
                self.candidate_clicked.emit(item.box.candidate_id)
                if point is not None:
                    self.page_clicked.emit(*point)
                event.accept()
                return
        if point is not None:
            self.page_clicked.emit(*point)
        super().mousePressEvent(event)

    # ----- zoom, fit and rotation -----------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.resetTransform()
        self.scale(self.zoom, self.zoom)
        self._schedule_render()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.25)

    def fit_width(self) -> None:
        """Zoom so the widest page (as displayed, turned) and its margins fill the width: nothing
        to scroll sideways.

        The room is measured as if the vertical scroll bar were shown (a multi-page document
        always has one), so its appearing after the zoom cannot bring a horizontal one.
        """
        room = self.maximumViewportSize().width() - self.verticalScrollBar().sizeHint().width()
        self.set_zoom(room / (max(self._layout.max_width(), 1.0) + 2 * PAGE_GAP))
        self._fitted_zoom = self.zoom

    @property
    def fits_width(self) -> bool:
        """The zoom is still the one fit_width chose (the user has not zoomed since)."""
        return abs(self.zoom - self._fitted_zoom) < 1e-9

    def fit_page(self) -> None:
        """Zoom so the current page, as displayed (turned), fits whole in the viewport."""
        page = max(self._current_page, 1)
        if not self._layout.rects:
            return
        rect = self.page_rect(page)
        room = self.viewport().size()
        self.set_zoom(min((room.width() - 2 * PAGE_GAP) / rect.width(),
                          (room.height() - 2 * PAGE_GAP) / rect.height()))
        self.go_to_page(page)

    @property
    def rotation(self) -> int:
        """Degrees clockwise this document's pages are turned."""
        return self._layout.rotation

    def rotate_clockwise(self) -> None:
        """Turn this document's pages a quarter turn (remembered for it, not for the next one
        opened), keeping the page at the top and the fit to width if the user had it."""
        page = max(self._current_page, 1)
        self._layout.set_rotation(self.rotation + 90)
        if self.source_path:
            self._rotations[self.source_path] = self.rotation
        for sheet, rect in zip(self._sheets, self._layout.rects):
            sheet.setRect(rect)
        self._images.drop_all()
        self._update_scene_rect()
        self._overlays.redraw()
        if self.fits_width:
            self.fit_width()
        self.go_to_page(page)
        self._schedule_render()

    # ----- navigation -----------------------------------------------------------------
    def go_to_page(self, page: int) -> None:
        if 1 <= page <= self.page_count:
            rect = self.page_rect(page)
            self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / (2 * self.zoom) - PAGE_GAP)
            self._schedule_render()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_in() if event.angleDelta().y() > 0 else self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event) -> None:
        """A document opened before the window took its size (the first-run sample is loaded
        before the window shows) is fitted again, so it does not open cut off at the side."""
        super().resizeEvent(event)
        if self._layout.rects and self.fits_width:
            self.fit_width()
        self._schedule_render()

    @Slot(int)
    def _on_scrolled(self, _value: int) -> None:
        self._schedule_render()

    def _schedule_render(self) -> None:
        self._render_timer.start()

    # ----- rendering ------------------------------------------------------------------
    def visible_pages(self) -> list[int]:
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        return [i + 1 for i, rect in enumerate(self._layout.rects) if rect.intersects(area)]

    @Slot()
    def _render_visible(self) -> None:
        visible = self.visible_pages()
        if not visible:
            return
        self._images.show(visible, self.zoom * self.devicePixelRatioF(), self.rotation)
        if visible[0] != self._current_page:
            self._current_page = visible[0]
            self.current_page_changed.emit(visible[0])
