"""Candidate boxes drawn over the pages: what to draw (OverlayBox) and the item that draws it.

Colours say the review state, opacity the confidence; kept apart from the page view so the view
module stays about laying out and rendering pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

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
