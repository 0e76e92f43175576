"""A tab whose panel is built on first need.

The dashboard imports matplotlib (~0.7 s on these machines): built in the window's constructor,
that cost was paid before the window could show. Wrapped here, it is built during start-up
after the first paint, or when its tab is opened, whichever comes first.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LazyPanel(QWidget):
    """Shows `placeholder` until `panel()` builds the real widget with `factory`."""

    def __init__(self, factory: Callable[[], QWidget], placeholder: str = "Loading…", parent=None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._panel: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel(placeholder)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._placeholder)

    def is_built(self) -> bool:
        return self._panel is not None

    def panel(self) -> QWidget:
        """The real panel, built now if it was not yet."""
        if self._panel is None:
            self._panel = self._factory()
            self._layout.removeWidget(self._placeholder)
            self._placeholder.deleteLater()
            self._layout.addWidget(self._panel)
        return self._panel

    @Slot()
    def refresh(self) -> None:
        """Refresh the panel (building it first when needed)."""
        self.panel().refresh()
