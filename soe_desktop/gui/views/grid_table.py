"""The Grid view's table widget and its undo command.

`GridTable` shows whole text: cells wrap (activity names and text cells over several lines, each
row as tall as its text), every column is as wide as its header and cells need, within a cap, and
the model gives the full text in each tooltip where a cap still cuts. Ctrl+Z / Ctrl+Shift+Z here
undo and redo grid edits, not review decisions, and a printable key edits the cell.

`GridEditCommand` is one stored grid edit on the per-document QUndoStack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QUndoCommand
from PySide6.QtWidgets import QHeaderView, QTableView

from soe_desktop.core.app import grid_edits as core
from soe_desktop.core.grid.model import Grid
from soe_desktop.gui.models.grid_model import ACTIVITY, FIRST_VISIT, SECTION

if TYPE_CHECKING:
    from soe_desktop.gui.views.grid_view import GridView

# Widest a column grows to fit its text (px): past it the text wraps (cells) or the tooltip holds
# it (headers), so one long name cannot push the visits off the screen.
MAX_WIDTH = {ACTIVITY: 280, SECTION: 160}
MAX_VISIT_WIDTH = 160
MIN_VISIT_WIDTH = 44


class GridEditCommand(QUndoCommand):
    """One stored grid edit; undo appends its retraction, redo appends it again. It is pushed once
    the edit is stored (`edit_id`): a refused edit never becomes history, and an error raised in a
    redo() that Qt calls would not reach the caller."""

    def __init__(self, view: "GridView", sha256: str, extracted: Grid, save: Callable[[], Optional[int]], text: str,
                 edit_id: int):
        super().__init__(text)
        self.view, self.sha256, self.extracted, self.save = view, sha256, extracted, save
        self.edit_id: Optional[int] = edit_id
        self._stored = True  # push() calls redo() at once: the edit is in the store already

    def redo(self) -> None:
        if not self._stored:
            self.edit_id = self.save()
        self._stored = False
        self.view.refresh(self.sha256, self.extracted.group)

    def undo(self) -> None:
        if self.edit_id is not None:
            core.undo_grid_edit(self.view.store, self.edit_id, self.view.actor)
            self.edit_id = None
        self.view.refresh(self.sha256, self.extracted.group)


class GridTable(QTableView):
    """The grid's table: whole text shown (see the module's docstring), undo keys and typing."""

    def __init__(self, view: "GridView") -> None:
        super().__init__(view)
        self.view = view
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrapped text is shown whole, not "…"
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fit_to_text(self) -> None:
        """Columns as wide as their header and cells (within the caps), then rows as tall as their
        wrapped text: called whenever the model is given a grid."""
        model = self.model()
        if model is None or model.columnCount() == 0:
            return
        self.resizeColumnsToContents()
        for column in range(model.columnCount()):
            cap = MAX_WIDTH.get(column, MAX_VISIT_WIDTH)
            floor = MIN_VISIT_WIDTH if column >= FIRST_VISIT else 0
            self.setColumnWidth(column, max(floor, min(self.columnWidth(column), cap)))
        self.resizeRowsToContents()

    def section_sizes(self) -> tuple[list[int], list[int]]:
        """Column widths and row heights, to keep across a model reset that changes one cell."""
        model = self.model()
        if model is None:
            return [], []
        return ([self.columnWidth(c) for c in range(model.columnCount())],
                [self.rowHeight(r) for r in range(model.rowCount())])

    def keep_sizes(self, sizes: tuple[list[int], list[int]], changed_row: int) -> None:
        """Put back `sizes` after an edit and refit only the edited row: fitting a whole 80 x 40 grid
        to its wrapped text took ~0.2 s on the GUI thread, too long to repeat on every keystroke's
        edit. A grid whose shape changed is fitted again in full."""
        model = self.model()
        widths, heights = sizes
        if model is None or (len(widths), len(heights)) != (model.columnCount(), model.rowCount()):
            self.fit_to_text()
            return
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)
        for row, height in enumerate(heights):
            self.setRowHeight(row, height)
        if 0 <= changed_row < model.rowCount():
            self.resizeRowToContents(changed_row)

    def _undo_key(self, event) -> str:
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if event.matches(QKeySequence.StandardKey.Redo):
            return "redo"
        return ""

    @staticmethod
    def _typing(event) -> bool:
        """A plain printable key: it starts editing the cell, not the window's review keys (A, S, N…)."""
        modifiers = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        return not modifiers and bool(event.text()) and event.text().isprintable()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and (self._undo_key(event) or self._typing(event)):
            event.accept()  # the key comes to keyPressEvent instead of a window action
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = self._undo_key(event)
        stack = self.view.undo_stack
        if key and stack is not None:
            stack.undo() if key == "undo" else stack.redo()
            event.accept()
            return
        current = self.currentIndex()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and current.column() >= FIRST_VISIT:
            self.model().setData(current, "")  # clears the cell (a mark read where none is printed)
            event.accept()
            return
        super().keyPressEvent(event)
