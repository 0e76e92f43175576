"""The page view: QtPdf pages in a QGraphicsScene with candidate boxes drawn in PDF points.

Scene units are PDF points (top-left origin, page as displayed), so an overlay rectangle is the
candidate's bbox offset by its page's position, and stays exact at every zoom and rotation:
zoom and rotate only change the view's transform. Pages are rendered lazily (visible ones only)
at the current zoom, a few ms each on the GUI thread. Pages are also laid out a chunk per
event-loop turn: asking QtPdf for a page's size costs ~0.2 ms, so laying out a 150-page protocol
at once held the GUI thread 30-70 ms right at the drop. Anything that needs a page not laid out
yet (an overlay, a jump) lays out up to it first, so callers never see the difference.

The view opens the PDF file itself and hands QtPdf the open file: QPdfDocument.close() keeps
a file it opened by name open until the next load, and an open file is locked on Windows (the
user could not move or delete the PDF they dropped). `reopen` moves to the store's copy of the
same bytes without laying out or rendering anything again.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QFile, QIODevice, QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView)

from soe_desktop.gui.views.overlays import STATE_COLOURS, STATE_TEXT, CandidateItem, OverlayBox

__all__ = ["STATE_COLOURS", "STATE_TEXT", "CandidateItem", "OverlayBox", "PdfPageView", "LAYOUT_CHUNK"]

PAGE_GAP = 14.0  # points between stacked pages
MAX_CACHED_PAGES = 24
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
        self._file: QFile | None = None  # the open PDF file QtPdf reads from
        self.zoom = 1.0
        self.rotation = 0
        self._page_rects: list[QRectF] = []
        self._pixmaps: dict[int, QGraphicsPixmapItem] = {}
        self._rendered_scale: dict[int, float] = {}
        self._boxes: dict[str, CandidateItem] = {}
        self._group_items: list[QGraphicsItem] = []
        self._selected = ""  # candidate id
        self._highlight: QGraphicsRectItem | None = None  # a grid cell's box (the grid view's selection)
        self._current_page = 0
        self._render_timer = QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self._render_visible)
        self._layout_timer = QTimer(self, interval=0)
        self._layout_timer.timeout.connect(self._lay_out_more)
        self._fitted_zoom = 0.0  # the zoom fit_width chose at load; refit while the user keeps it
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # ----- document -------------------------------------------------------------------
    def load(self, path: str) -> bool:
        """Load a PDF and lay its pages out; False when QtPdf cannot open it."""
        self.clear()
        if not self._open(path):
            return False
        self._lay_out(LAYOUT_CHUNK)
        self.fit_width()
        if len(self._page_rects) < self.page_count:
            self._layout_timer.start()
        return True

    def reopen(self, path: str) -> bool:
        """Read the same bytes from another file (the store's copy of a dropped PDF) and let the
        first one go; layout, overlays and rendered pages stay. False when it cannot be opened."""
        if path == self.source_path:
            return True
        pages = self.page_count
        if not self._open(path) or self.page_count != pages:
            return False
        return True

    def _open(self, path: str) -> bool:
        """Open `path` and give it to QtPdf, then close the file it read before (if any)."""
        previous, file = self._file, QFile(path)
        if not file.open(QIODevice.OpenModeFlag.ReadOnly):
            return False
        self.pdf.load(file)
        if self.pdf.status() != QPdfDocument.Status.Ready:
            self.pdf.close()
            file.close()
            self._close_file(previous)
            return False
        self._file = file
        self._close_file(previous)
        return True

    def _close_file(self, file: QFile | None) -> None:
        if file is not None:
            file.close()
        if file is self._file:
            self._file = None

    @property
    def source_path(self) -> str:
        """The file the view reads its pages from ('' when none is open)."""
        return self._file.fileName() if self._file is not None else ""

    def _lay_out(self, count: int) -> None:
        """Stack the next `count` pages below those already laid out."""
        start = len(self._page_rects)
        end = min(self.page_count, start + count)
        if end <= start:
            return
        y = self._page_rects[-1].bottom() + PAGE_GAP if self._page_rects else 0.0
        no_pen, white = QPen(Qt.PenStyle.NoPen), QBrush(Qt.GlobalColor.white)
        for index in range(start, end):
            size = self.pdf.pagePointSize(index)
            rect = QRectF(0.0, y, size.width(), size.height())
            self.scene().addRect(rect, no_pen, white).setZValue(0)
            self._page_rects.append(rect)
            y += size.height() + PAGE_GAP
        self.scene().setSceneRect(QRectF(-PAGE_GAP, -PAGE_GAP, self._max_width() + 2 * PAGE_GAP, y + PAGE_GAP))

    @Slot()
    def _lay_out_more(self) -> None:
        widest = (self._max_width(), self._max_page_height())
        self._lay_out(LAYOUT_CHUNK)
        if len(self._page_rects) >= self.page_count:
            self._layout_timer.stop()
        grew = (self._max_width(), self._max_page_height()) != widest
        if grew and self.fits_width:  # a wider page came in: still fit the width
            self.fit_width()
        self._schedule_render()

    def clear(self) -> None:
        self._layout_timer.stop()
        self.scene().clear()
        self.pdf.close()
        self._close_file(self._file)
        self._page_rects.clear()
        self._pixmaps.clear()
        self._rendered_scale.clear()
        self._boxes.clear()
        self._group_items.clear()
        self._highlight = None
        self._current_page = 0
        self._selected = ""

    @property
    def page_count(self) -> int:
        """Pages of the loaded PDF (laid out or not yet)."""
        return self.pdf.pageCount()

    def _max_width(self) -> float:
        return max((rect.width() for rect in self._page_rects), default=612.0)

    def page_rect(self, page: int) -> QRectF:
        if page > len(self._page_rects):
            self._lay_out(page - len(self._page_rects))
        return self._page_rects[page - 1]

    # ----- overlays -------------------------------------------------------------------
    def set_overlays(self, boxes: list[OverlayBox]) -> None:
        """Replace all candidate boxes (cheap: a few items per page)."""
        for item in self._boxes.values():
            self.scene().removeItem(item)
        self._boxes.clear()
        for box in boxes:
            self._add_box(box)
        self._draw_groups()
        self.select_candidate(self._selected, scroll=False)

    def add_overlays(self, boxes: list[OverlayBox]) -> None:
        """Draw more boxes, keeping those already drawn (replacing any with the same id).

        A document still being processed reports its candidates a page at a time; rebuilding
        every box for each page cost O(n²) Qt calls on the GUI thread while the worker held
        the GIL most of the time.
        """
        touched = {box.group for box in boxes if self._add_box(box)}
        spans = [{item.box.page for item in self._boxes.values() if item.box.group == group} for group in touched]
        if any(len(pages) > 1 for pages in spans):
            self._draw_groups()

    def _add_box(self, box: OverlayBox) -> bool:
        """One candidate's box on its page; False when the page is not in this document."""
        if not 1 <= box.page <= self.page_count:
            return False
        old = self._boxes.pop(box.candidate_id, None)
        if old is not None:
            self.scene().removeItem(old)
        origin = self.page_rect(box.page).topLeft()
        x0, top, x1, bottom = box.bbox
        rect = QRectF(origin.x() + x0, origin.y() + top, max(x1 - x0, 1.0), max(bottom - top, 1.0))
        item = CandidateItem(box, rect)
        self.scene().addItem(item)
        self._boxes[box.candidate_id] = item
        return True

    def _draw_groups(self) -> None:
        """A bracket in the margin joins the boxes of a table that continues over pages."""
        for item in self._group_items:
            self.scene().removeItem(item)
        self._group_items.clear()
        groups: dict[str, list[CandidateItem]] = {}
        for item in self._boxes.values():
            groups.setdefault(item.box.group, []).append(item)
        for members in groups.values():
            pages = {item.box.page for item in members}
            if len(pages) < 2:
                continue
            top = min(item.sceneBoundingRect().top() for item in members)
            bottom = max(item.sceneBoundingRect().bottom() for item in members)
            colour = STATE_COLOURS.get(members[0].box.state, STATE_COLOURS["unlabelled"])
            bar = self.scene().addRect(QRectF(-9, top, 5, bottom - top), QPen(Qt.PenStyle.NoPen), QBrush(colour))
            bar.setToolTip(f"One table over pages {min(pages)}–{max(pages)}")
            bar.setZValue(5)
            self._group_items.append(bar)

    def flag_image_only(self, pages: list[int], read_by_ocr: Sequence[int] = ()) -> None:
        """Mark pages without a text layer (only neighbour context or OCR can judge them), and
        say which were read by OCR: their words may hold recognition errors."""
        for page in pages:
            self._tag_page(page, "image only – read by OCR" if page in read_by_ocr else "image only – no text layer",
                           QColor(190, 110, 0))

    def flag_unreadable(self, reasons: dict[int, str]) -> None:
        """Mark pages that could not be read and were skipped (no candidate can be on them); the
        tooltip says why."""
        for page, reason in reasons.items():
            self._tag_page(page, "unreadable – skipped", QColor(200, 30, 30), reason)

    def _tag_page(self, page: int, text: str, colour: QColor, tooltip: str = "") -> None:
        if not 1 <= page <= self.page_count:
            return
        rect = self.page_rect(page)
        tag = QGraphicsSimpleTextItem(text)
        tag.setFont(QFont("Sans", 9, QFont.Weight.Bold))
        tag.setBrush(QBrush(colour))
        tag.setToolTip(tooltip)
        tag.setPos(rect.right() - tag.boundingRect().width() - 6, rect.top() + 4)
        tag.setZValue(20)
        self.scene().addItem(tag)

    def select_candidate(self, candidate_id: str, scroll: bool = True) -> None:
        """Highlight a candidate and the rest of its group; bring it into view."""
        self._selected = candidate_id
        target = self._boxes.get(candidate_id)
        group = target.box.group if target else ""
        for item in self._boxes.values():
            item.set_selected(target is not None and item.box.group == group)
        if target is not None and scroll:
            self.ensureVisible(target, 40, 40)
            self._schedule_render()

    def overlay_items(self) -> dict[str, CandidateItem]:
        return dict(self._boxes)

    def highlight_source(self, page: int, bbox: tuple[float, float, float, float]) -> None:
        """Outline one printed box (a grid cell) and bring it into view; page 0 clears it."""
        if self._highlight is not None:
            self.scene().removeItem(self._highlight)
            self._highlight = None
        if not 1 <= page <= self.page_count:
            return
        origin = self.page_rect(page).topLeft()
        x0, top, x1, bottom = bbox
        rect = QRectF(origin.x() + x0, origin.y() + top, max(x1 - x0, 1.0), max(bottom - top, 1.0))
        pen = QPen(QColor(255, 120, 0), 2.5)
        pen.setCosmetic(True)
        self._highlight = self.scene().addRect(rect, pen, QBrush(QColor(255, 160, 0, 70)))
        self._highlight.setZValue(15)
        self.ensureVisible(self._highlight, 60, 60)
        self._schedule_render()

    @property
    def highlighted(self) -> QRectF | None:
        """The highlighted box in scene units (None when there is none)."""
        return self._highlight.rect() if self._highlight is not None else None

    def page_point(self, scene_point: QPointF) -> tuple[int, float, float] | None:
        """(1-based page, x, y in PDF points) under a scene point; None between pages."""
        for number, rect in enumerate(self._page_rects, start=1):
            if rect.contains(scene_point):
                return number, scene_point.x() - rect.left(), scene_point.y() - rect.top()
        return None

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

    # ----- navigation -----------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.resetTransform()
        self.scale(self.zoom, self.zoom)
        self.rotate(self.rotation)
        self._schedule_render()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.25)

    def fit_width(self) -> None:
        """Zoom so the widest page and its margins fill the width: nothing to scroll sideways.

        The room is measured as if the vertical scroll bar were shown (a multi-page document
        always has one), so its appearing after the zoom cannot bring a horizontal one.
        """
        width = self._max_width() if self.rotation % 180 == 0 else self._max_page_height()
        room = self.maximumViewportSize().width() - self.verticalScrollBar().sizeHint().width()
        self.set_zoom(room / (max(width, 1.0) + 2 * PAGE_GAP))
        self._fitted_zoom = self.zoom

    @property
    def fits_width(self) -> bool:
        """The zoom is still the one fit_width chose (the user has not zoomed since)."""
        return abs(self.zoom - self._fitted_zoom) < 1e-9

    def fit_page(self) -> None:
        page = max(self._current_page, 1)
        if not self._page_rects:
            return
        rect = self.page_rect(page)
        w, h = (rect.width(), rect.height()) if self.rotation % 180 == 0 else (rect.height(), rect.width())
        view = self.viewport().size()
        self.set_zoom(min((view.width() - 2 * PAGE_GAP) / w, (view.height() - 2 * PAGE_GAP) / h))
        self.go_to_page(page)

    def _max_page_height(self) -> float:
        return max((rect.height() for rect in self._page_rects), default=792.0)

    def rotate_clockwise(self) -> None:
        self.rotation = (self.rotation + 90) % 360
        self.set_zoom(self.zoom)

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
        if self._page_rects and self.fits_width:
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
        return [i + 1 for i, rect in enumerate(self._page_rects) if rect.intersects(area)]

    @Slot()
    def _render_visible(self) -> None:
        visible = self.visible_pages()
        if not visible:
            return
        scale = self.zoom * self.devicePixelRatioF()
        for page in visible:
            if abs(self._rendered_scale.get(page, 0.0) - scale) > 1e-3:
                self._render_page(page, scale)
        self._evict(visible)
        if visible[0] != self._current_page:
            self._current_page = visible[0]
            self.current_page_changed.emit(visible[0])

    def _render_page(self, page: int, scale: float) -> None:
        rect = self.page_rect(page)
        size = QSize(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))
        image = self.pdf.render(page - 1, size)
        item = self._pixmaps.get(page)
        if item is None:
            item = QGraphicsPixmapItem()
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setZValue(1)
            self.scene().addItem(item)
            self._pixmaps[page] = item
        item.setPixmap(QPixmap.fromImage(image))
        item.setScale(rect.width() / size.width())
        item.setPos(QPointF(rect.left(), rect.top()))
        self._rendered_scale[page] = scale

    def _evict(self, keep: list[int]) -> None:
        """Drop far-away page images so a 300-page protocol does not hold 300 bitmaps."""
        if len(self._pixmaps) <= MAX_CACHED_PAGES:
            return
        centre = keep[0]
        for page in sorted(self._pixmaps, key=lambda p: -abs(p - centre))[: len(self._pixmaps) - MAX_CACHED_PAGES]:
            if page not in keep:
                self.scene().removeItem(self._pixmaps.pop(page))
                self._rendered_scale.pop(page, None)
