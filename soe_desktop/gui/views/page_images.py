"""The rendered images of a document's pages in the page view: only the pages on screen, at the
current zoom, turned as displayed, and never more than MAX_CACHED_PAGES of them.

Rendering a page costs a few ms on the GUI thread, so the view renders only what is visible
(after a zoom, a scroll or a turn) and drops far-away images: a 300-page protocol must not hold
300 bitmaps.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

MAX_CACHED_PAGES = 24
_RENDER_ROTATION = {0: QPdfDocumentRenderOptions.Rotation.None_,
                    90: QPdfDocumentRenderOptions.Rotation.Clockwise90,
                    180: QPdfDocumentRenderOptions.Rotation.Clockwise180,
                    270: QPdfDocumentRenderOptions.Rotation.Clockwise270}


class PageImages:
    """Page bitmaps in the scene, each over its page's rectangle (as given by `page_rect`)."""

    def __init__(self, scene: QGraphicsScene, pdf: QPdfDocument, page_rect: Callable[[int], QRectF]) -> None:
        self._scene, self._pdf, self._page_rect = scene, pdf, page_rect
        self.items: dict[int, QGraphicsPixmapItem] = {}
        self._scale: dict[int, float] = {}  # the scale each page was rendered at

    def show(self, pages: list[int], scale: float, rotation: int) -> None:
        """Render the visible `pages` not yet rendered at `scale`, then drop far-away ones."""
        for page in pages:
            if abs(self._scale.get(page, 0.0) - scale) > 1e-3:
                self._render(page, scale, rotation)
        self._evict(pages)

    def drop_all(self) -> None:
        """The pages were turned: every image is rendered for the old rotation."""
        for item in self.items.values():
            self._scene.removeItem(item)
        self.forget()

    def forget(self) -> None:
        """The scene was cleared (its items are gone already)."""
        self.items.clear()
        self._scale.clear()

    def _render(self, page: int, scale: float, rotation: int) -> None:
        """QtPdf renders the page turned, at the size it is displayed (the turned rectangle)."""
        rect = self._page_rect(page)
        size = QSize(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))
        options = QPdfDocumentRenderOptions()
        options.setRotation(_RENDER_ROTATION[rotation])
        image = self._pdf.render(page - 1, size, options)
        item = self.items.get(page)
        if item is None:
            item = QGraphicsPixmapItem()
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setZValue(1)
            self._scene.addItem(item)
            self.items[page] = item
        item.setPixmap(QPixmap.fromImage(image))
        item.setScale(rect.width() / size.width())
        item.setPos(QPointF(rect.left(), rect.top()))
        self._scale[page] = scale

    def _evict(self, keep: list[int]) -> None:
        if len(self.items) <= MAX_CACHED_PAGES or not keep:
            return
        centre = keep[0]
        for page in sorted(self.items, key=lambda p: -abs(p - centre))[: len(self.items) - MAX_CACHED_PAGES]:
            if page not in keep:
                self._scene.removeItem(self.items.pop(page))
                self._scale.pop(page, None)
