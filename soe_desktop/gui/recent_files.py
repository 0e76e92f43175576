"""File ▸ Open recent: the last PDFs and folders opened, kept in the window's QSettings file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QMenu

MAX_RECENT = 8


class RecentFiles(QObject):
    """Fills `menu` with recent paths; choosing one calls `open_paths([path])`."""

    def __init__(self, state: QSettings, menu: QMenu, open_paths: Callable[[list[str]], object]) -> None:
        super().__init__(menu)
        self.state, self.menu, self.open_paths = state, menu, open_paths
        self.refresh()

    def paths(self) -> list[str]:
        value = self.state.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember(self, paths: list[str]) -> None:
        """Put `paths` first, most recent first, without repeats."""
        given = [str(p) for p in paths]
        recent = given + [p for p in self.paths() if p not in given]
        self.state.setValue("recent_files", recent[:MAX_RECENT])
        self.refresh()

    def refresh(self) -> None:
        self.menu.clear()
        for path in self.paths():
            action = self.menu.addAction(Path(path).name, self._open)
            action.setData(path)
            action.setToolTip(path)
        self.menu.setEnabled(bool(self.paths()))

    @Slot()
    def _open(self) -> None:
        path = self.sender().data()
        if path:
            self.open_paths([path])
