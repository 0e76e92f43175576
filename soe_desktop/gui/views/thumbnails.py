"""Thumbnail strip: one small page image per page, SoE pages marked, rendered a few at a time.

Only thumbnails on screen (and a few rows around them) are rendered, time-sliced on a
zero-interval timer (two small pages per tick, ~1 ms each), and more as the strip scrolls: a
300-page protocol never freezes the window, and a just-dropped document's triage does not have
to share the CPU with rendering 300 images nobody looks at.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

THUMB_HEIGHT = 110
PER_TICK = 2
LOOKAHEAD_ROWS = 4  # rendered beyond each edge of the viewport, so a short scroll shows no blanks


class ThumbnailStrip(QListWidget):
    """Emits the 1-based page the user clicks."""

    page_clicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB_HEIGHT, THUMB_HEIGHT))
        self.setGridSize(QSize(THUMB_HEIGHT + 12, THUMB_HEIGHT + 22))  # fixed cells: no overlap while rendering
        self.setUniformItemSizes(True)
        self.setFixedWidth(THUMB_HEIGHT + 34)
        self._placeholder = self._blank_icon()
        self.pdf: QPdfDocument | None = None
        self.soe_pages: set[int] = set()
        self.image_only: set[int] = set()
        self._images: dict[int, QPixmap] = {}
        self._pending: list[int] = []
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._render_some)
        self.itemClicked.connect(self._on_clicked)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    def set_document(self, pdf: QPdfDocument) -> None:
        self.clear()
        self._images.clear()
        self.pdf = pdf
        for page in range(1, pdf.pageCount() + 1):
            item = QListWidgetItem(str(page))
            item.setData(Qt.ItemDataRole.UserRole, page)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            item.setIcon(self._placeholder)
            self.addItem(item)
        self._pending = list(range(1, pdf.pageCount() + 1))
        self._timer.start()

    @staticmethod
    def _blank_icon() -> QIcon:
        canvas = QPixmap(THUMB_HEIGHT, THUMB_HEIGHT)
        canvas.fill(QColor(235, 235, 238))
        return QIcon(canvas)

    def set_marks(self, soe_pages: list[int], image_only: list[int]) -> None:
        self.soe_pages, self.image_only = set(soe_pages), set(image_only)
        for page in self._images:
            self._decorate(page)

    def current_page(self, page: int) -> None:
        if 1 <= page <= self.count():
            self.blockSignals(True)
            self.setCurrentRow(page - 1)
            self.blockSignals(False)

    def pending(self) -> int:
        return len(self._pending)

    def wanted_pages(self) -> list[int]:
        """Pages on screen plus LOOKAHEAD_ROWS each side, not yet rendered, top first."""
        if not self._pending or not self.count() or not self.isVisible():
            return []  # a hidden strip renders when it is shown (showEvent)
        top = self.visualItemRect(self.item(0)).top()  # negative once scrolled down
        row_height = max(1, self.gridSize().height())
        first = (0 - top) // row_height
        last = (self.viewport().height() - top) // row_height
        low = max(0, first - LOOKAHEAD_ROWS) + 1
        high = min(self.count() - 1, last + LOOKAHEAD_ROWS) + 1
        pending = set(self._pending)
        return [page for page in range(low, high + 1) if page in pending]

    @Slot(int)
    def _on_scrolled(self, _value: int) -> None:
        if self._pending:
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._on_scrolled(0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._on_scrolled(0)

    @Slot()
    def _render_some(self) -> None:
        wanted = self.wanted_pages() if self.pdf is not None else []
        if not wanted:
            self._timer.stop()  # the rest waits until it scrolls into view
            return
        for page in wanted[:PER_TICK]:
            self._pending.remove(page)
            size = self.pdf.pagePointSize(page - 1)
            scale = THUMB_HEIGHT / max(size.width(), size.height(), 1.0)
            image = self.pdf.render(page - 1, QSize(max(1, int(size.width() * scale)), max(1, int(size.height() * scale))))
            self._images[page] = QPixmap.fromImage(image)
            self._decorate(page)

    def _decorate(self, page: int) -> None:
        """SoE pages get a green frame and tag, text-less pages an orange corner."""
        base = self._images.get(page)
        item = self.item(page - 1)
        if base is None or item is None:
            return
        canvas = QPixmap(THUMB_HEIGHT, THUMB_HEIGHT)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        x, y = (THUMB_HEIGHT - base.width()) // 2, (THUMB_HEIGHT - base.height()) // 2
        painter.drawPixmap(x, y, base)
        if page in self.soe_pages:
            painter.setPen(QPen(QColor(34, 160, 70), 4))
            painter.drawRect(x + 2, y + 2, base.width() - 4, base.height() - 4)
            painter.fillRect(x + 2, y + 2, 30, 14, QColor(34, 160, 70))
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(x + 5, y + 13, "SoE")
        if page in self.image_only:
            painter.fillRect(x + base.width() - 14, y + 2, 12, 12, QColor(230, 140, 0))
        painter.end()
        item.setIcon(QIcon(canvas))
        item.setText(f"{page}{' · SoE' if page in self.soe_pages else ''}")

    @Slot(QListWidgetItem)
    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.page_clicked.emit(int(item.data(Qt.ItemDataRole.UserRole)))
