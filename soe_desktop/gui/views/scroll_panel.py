"""A side panel that scrolls up and down instead of being squeezed.

On a 768-px-high laptop screen the review panel gets less height than its boxes ask for; in a
plain layout its wrapped lines (the candidate's position, the reason) were then cut to one or two
lines. In a scroll area the panel keeps the height its text needs and the area scrolls; its width
stays that of the panel, with room for the scroll bar, so nothing scrolls sideways.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget


def vertically_scrolling(panel: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)  # the panel follows the area's width; its height follows its text
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # review keys (Space, J, K…) stay with the window
    bar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, area)
    area.setMinimumWidth(max(panel.minimumWidth(), panel.minimumSizeHint().width()) + bar)
    return area
