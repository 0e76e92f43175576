"""What is drawn over the pages: candidate boxes (OverlayBox, CandidateItem), the brackets that join
a table's pages, page tags and the highlighted grid cell (OverlayLayer).

Colours say the review state, opacity the confidence; kept apart from the page view so the view
module stays about laying out and rendering pages. The layer keeps what it was asked to draw, in
page points, so it can draw it all again when the pages are turned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem

BBox = tuple[float, float, float, float]

# Overlay colours by review state (see OverlayBox.state).
STATE_COLOURS = {
    "soe": QColor(34, 160, 70),
    "not_soe": QColor(205, 55, 55),
    "unlabelled": QColor(130, 130, 140),
    "human_soe": QColor(25, 105, 225),
    "human_not_soe": QColor(140, 40, 170),
    "rule": QColor(0, 150, 150),
    "rule_not_soe": QColor(150, 110, 110),
}
STATE_TEXT = {
    "soe": "SoE",
    "not_soe": "not SoE",
    "unlabelled": "unlabelled",
    "human_soe": "SoE ✓",
    "human_not_soe": "not SoE ✓",
    "rule": "SoE (auto)",
    "rule_not_soe": "not SoE (auto)",
}


@dataclass
class OverlayBox:
    """What the view needs to draw one candidate."""

    candidate_id: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float]
    group: str
    state: str  # a key of STATE_COLOURS
    confidence: float | None = None  # of the current label, None when unlabelled


class CandidateItem(QGraphicsRectItem):
    """One candidate's box; its colour says the label, its opacity the confidence."""

    def __init__(self, box: OverlayBox, rect: QRectF) -> None:
        super().__init__(rect)
        self.box = box
        self.setData(0, box.candidate_id)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(10)
        self.badge = QGraphicsSimpleTextItem(self)
        self.badge.setFont(QFont("Sans", 8, QFont.Weight.Bold))
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        colour = STATE_COLOURS.get(self.box.state, STATE_COLOURS["unlabelled"])
        confidence = 0.5 if self.box.confidence is None else self.box.confidence
        fill = QColor(colour)
        fill.setAlpha(int(12 + 38 * confidence))  # light: the table must stay readable
        pen = QPen(colour, 3.0 if selected else 1.5)
        pen.setCosmetic(True)
        if self.box.state.startswith("rule"):
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setBrush(QBrush(fill))
        self.setOpacity(1.0 if selected else 0.55 + 0.45 * confidence)
        label = STATE_TEXT.get(self.box.state, self.box.state)
        if self.box.confidence is not None and not self.box.state.startswith("human"):
            label = f"{label} {self.box.confidence:.2f}"
        self.badge.setText(label)
        self.badge.setBrush(QBrush(colour.darker(140)))
        self.badge.setPos(self.rect().left() + 2, self.rect().top() - 12)


@dataclass(frozen=True)
class PageTag:
    """A note in a page's top-right corner (image only, unreadable); the tooltip says more."""

    page: int
    text: str
    colour: QColor
    tooltip: str = ""


class OverlayLayer:
    """The items drawn over one document's pages, placed through the view's page layout.

    `page_rect(page)` and `place(page, bbox)` answer in scene units and lay the page out first
    when it is not yet; both give None for a page the document does not have.
    """

    def __init__(self, scene: QGraphicsScene, page_rect: Callable[[int], QRectF | None],
                 place: Callable[[int, BBox], QRectF | None]) -> None:
        self._scene, self._page_rect, self._place = scene, page_rect, place
        self.boxes: dict[str, CandidateItem] = {}
        self.group_items: list[QGraphicsItem] = []
        self.selected = ""  # candidate id
        self._tags: list[tuple[PageTag, QGraphicsSimpleTextItem]] = []
        self._highlight: tuple[int, BBox] | None = None
        self.highlight_item: QGraphicsRectItem | None = None

    def forget(self) -> None:
        """The scene was cleared (another document): nothing drawn is kept."""
        self.boxes.clear()
        self.group_items.clear()
        self._tags.clear()
        self._highlight, self.highlight_item, self.selected = None, None, ""

    def redraw(self) -> None:
        """Draw everything again where the pages now are (after they were turned)."""
        self.set_boxes([item.box for item in self.boxes.values()])
        tags, self._tags = self._tags, []
        for tag, item in tags:
            self._scene.removeItem(item)
            self.add_tag(tag)
        if self._highlight is not None:
            self.highlight(*self._highlight)

    # ----- candidate boxes ------------------------------------------------------------------
    def set_boxes(self, boxes: list[OverlayBox]) -> None:
        for item in self.boxes.values():
            self._scene.removeItem(item)
        self.boxes.clear()
        for box in boxes:
            self.add_box(box)
        self.draw_groups()
        self.select(self.selected)

    def add_boxes(self, boxes: list[OverlayBox]) -> None:
        """Draw more boxes, keeping those already drawn; brackets only when a group now spans pages."""
        touched = {box.group for box in boxes if self.add_box(box)}
        spans = [{item.box.page for item in self.boxes.values() if item.box.group == group} for group in touched]
        if any(len(pages) > 1 for pages in spans):
            self.draw_groups()

    def add_box(self, box: OverlayBox) -> bool:
        """One candidate's box on its page (replacing one with its id); False when the page is not
        in this document."""
        rect = self._place(box.page, box.bbox)
        if rect is None:
            return False
        old = self.boxes.pop(box.candidate_id, None)
        if old is not None:
            self._scene.removeItem(old)
        item = CandidateItem(box, rect)
        self._scene.addItem(item)
        self.boxes[box.candidate_id] = item
        return True

    def draw_groups(self) -> None:
        """A bracket in the margin joins the boxes of a table that continues over pages."""
        for item in self.group_items:
            self._scene.removeItem(item)
        self.group_items.clear()
        groups: dict[str, list[CandidateItem]] = {}
        for item in self.boxes.values():
            groups.setdefault(item.box.group, []).append(item)
        for members in groups.values():
            pages = {item.box.page for item in members}
            if len(pages) < 2:
                continue
            top = min(item.sceneBoundingRect().top() for item in members)
            bottom = max(item.sceneBoundingRect().bottom() for item in members)
            colour = STATE_COLOURS.get(members[0].box.state, STATE_COLOURS["unlabelled"])
            bar = self._scene.addRect(QRectF(-9, top, 5, bottom - top), QPen(Qt.PenStyle.NoPen), QBrush(colour))
            bar.setToolTip(f"One table over pages {min(pages)}–{max(pages)}")
            bar.setZValue(5)
            self.group_items.append(bar)

    def select(self, candidate_id: str) -> CandidateItem | None:
        """Outline a candidate and the rest of its group; returns its item (None if not drawn)."""
        self.selected = candidate_id
        target = self.boxes.get(candidate_id)
        group = target.box.group if target else ""
        for item in self.boxes.values():
            item.set_selected(target is not None and item.box.group == group)
        return target

    # ----- page tags and the highlighted cell -----------------------------------------------
    def add_tag(self, tag: PageTag) -> None:
        rect = self._page_rect(tag.page)
        if rect is None:
            return
        item = QGraphicsSimpleTextItem(tag.text)
        item.setFont(QFont("Sans", 9, QFont.Weight.Bold))
        item.setBrush(QBrush(tag.colour))
        item.setToolTip(tag.tooltip)
        item.setPos(rect.right() - item.boundingRect().width() - 6, rect.top() + 4)
        item.setZValue(20)
        self._scene.addItem(item)
        self._tags.append((tag, item))

    def highlight(self, page: int, bbox: BBox) -> QRectF | None:
        """Outline one printed box (a grid cell); page 0 clears it. Returns the outline's rect."""
        if self.highlight_item is not None:
            self._scene.removeItem(self.highlight_item)
        self._highlight, self.highlight_item = None, None
        rect = self._place(page, bbox)
        if rect is None:
            return None
        pen = QPen(QColor(255, 120, 0), 2.5)
        pen.setCosmetic(True)
        self._highlight = (page, bbox)
        self.highlight_item = self._scene.addRect(rect, pen, QBrush(QColor(255, 160, 0, 70)))
        self.highlight_item.setZValue(15)
        return rect
