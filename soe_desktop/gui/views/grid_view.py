"""The Grid view beside the page: the selected SoE table's grid, editable, linked to the page.

It follows the review session: when the current candidate belongs to an SoE table, that table's
grid is extracted on a worker (cached per document and group) and shown with the document's human
edits applied. Selecting a cell asks the page to highlight where it was printed
(`source_selected`); a click on the page selects the cell printed there (`select_at`).

Cells the two readings disagree on are hatched amber; *Next uncertain cell* (F8) selects the next
one and outlines it on the page, as selecting a cell does. A table that gave no grid shows its
reason instead of a grid, and a suspect grid says so above the table: the same rules as `soe grid`,
which tables (core.grid.extract.soe_table, from soe_groups) and how each is read
(core/app/grid_edits.read_group -> core.grid.extract.read_table).

Edits are stored at once through core/app/grid_edits (one append, as review decisions are, on the
GUI thread) as QUndoCommands on a per-document stack: Ctrl+Z in the table undoes a grid edit (the
table takes the shortcut before the window's review undo does). Exports run on a worker. The table
widget, which shows whole text (wrapped, columns fitted to their headers), and the undo command are
in grid_table.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from soe_desktop.core.app import grid_edits as core
from soe_desktop.core.errors import SoeError
from soe_desktop.core.grid.edits import column_text
from soe_desktop.core.grid.export import GRID_EXPORTS
from soe_desktop.core.grid.extract import soe_table
from soe_desktop.core.grid.model import Grid
from soe_desktop.core.store import Store
from soe_desktop.gui.dialogs.errors import show_error
from soe_desktop.gui.models.grid_model import FIRST_VISIT, GridTableModel
from soe_desktop.gui.views.flow_layout import FlowLayout
from soe_desktop.gui.views.grid_table import GridEditCommand, GridTable
from soe_desktop.gui.workers import WorkerPool

EXPORTS = GRID_EXPORTS  # the grid export registry: one button per format
NEXT_UNCERTAIN_KEY = "F8"  # free in the window (A, R, J, K, U, Space and Ctrl+ keys are the review's)


class GridView(QWidget):
    source_selected = Signal(int, object)  # page (0: none) and bbox of the selected cell as printed

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session  # the review session: store, actor, document, current candidate
        self.pool = WorkerPool(max_threads=1, parent=self)
        self.extracted: dict[tuple[str, str], Grid] = {}  # (sha256, group) -> grid as read
        self.failures: dict[tuple[str, str], str] = {}  # (sha256, group) -> why the table gave no grid
        self._stacks: dict[str, QUndoStack] = {}
        self._reading: set[tuple[str, str]] = set()
        self.sha256, self.group = "", ""
        self.fitted: Optional[tuple[str, str]] = None  # the grid whose sizes fit its text
        self._pending_point: Optional[tuple[int, float, float]] = None
        self._library = session.store  # undo histories hold edit ids of this library
        self.last_message = ""
        self.model = GridTableModel(self)
        self._build()
        # Queued: the edit is stored and the grid reloaded once the cell editor has closed (a model
        # reset inside the editor's commit leaves Qt with an editor that no longer belongs to the view).
        self.model.edit_requested.connect(self._on_edit_requested, Qt.ConnectionType.QueuedConnection)
        self.table.selectionModel().currentChanged.connect(self._on_current_cell)
        self.table.horizontalHeader().sectionDoubleClicked.connect(self._on_header_double_clicked)
        self.table.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        session.current_changed.connect(self._on_candidate)
        session.labels_changed.connect(self._on_labels_changed)

    def _build(self) -> None:
        self.title = QLabel("Select an SoE table to see its grid.")
        self.table = GridTable(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        # The title wraps on a row of its own and the buttons flow onto further rows when narrow:
        # neither may make the window wider than a laptop screen.
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar = FlowLayout()
        self.next_uncertain_button = QPushButton(f"Next uncertain cell ({NEXT_UNCERTAIN_KEY})")
        self.next_uncertain_button.setToolTip("Select the next cell the two readings disagree on")
        self.next_uncertain_button.clicked.connect(self.next_uncertain_cell)
        self.next_uncertain_button.setEnabled(False)
        bar.addWidget(self.next_uncertain_button)
        self.next_uncertain_action = QAction("Next uncertain cell", self)
        self.next_uncertain_action.setShortcut(QKeySequence(NEXT_UNCERTAIN_KEY))
        self.next_uncertain_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.next_uncertain_action.triggered.connect(self.next_uncertain_cell)
        self.addAction(self.next_uncertain_action)
        self.export_buttons = {}
        for fmt, export in EXPORTS.items():
            button = QPushButton(f"Export {export.title}…")
            button.clicked.connect(lambda _checked=False, chosen=fmt: self.export(chosen))
            button.setEnabled(False)
            bar.addWidget(button)
            self.export_buttons[fmt] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        # A suspect grid is flagged above the table, not shown as if it were a sound result.
        self.suspect_warning = QLabel()
        self.suspect_warning.setWordWrap(True)
        self.suspect_warning.setTextFormat(Qt.TextFormat.PlainText)  # the reason quotes no PDF markup
        self.suspect_warning.setStyleSheet("background: #fde2b8; color: #5a3200; padding: 4px;")
        self.suspect_warning.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.suspect_warning.hide()
        layout.addWidget(self.suspect_warning)
        layout.addWidget(self.table)

    @property
    def store(self):
        return self.session.store

    @property
    def actor(self) -> str:
        return self.session.actor

    @property
    def undo_stack(self) -> Optional[QUndoStack]:
        if not self.sha256:
            return None
        if self.sha256 not in self._stacks:
            self._stacks[self.sha256] = QUndoStack(self)
        return self._stacks[self.sha256]

    @property
    def current_grid(self) -> Optional[Grid]:
        """The shown grid with its edits (None while nothing is shown)."""
        return self.model.grid

    # ----- following the review -----------------------------------------------------------------
    @Slot(str)
    def _on_candidate(self, candidate_id: str) -> None:
        if self.session.store is not self._library:  # another data folder: old histories point elsewhere
            self._library = self.session.store
            self._stacks.clear()
        candidate = self.session.candidate(candidate_id) if candidate_id else None
        if candidate is None:
            self._show(self.session.sha256, "", "Select an SoE table to see its grid.")
            return
        # the same choice as `soe grid` (core.grid.extract.soe_groups), on the labels that count here
        members = soe_table(self.session.candidates, self.session.labels, candidate.group)
        if not members:
            self._show(self.session.sha256, "", "This table is not marked SoE: accept it as SoE to read its grid.")
            return
        self.show_table(self.session.sha256, candidate.group, members)

    @Slot()
    def _on_labels_changed(self) -> None:
        if self.session.current:
            self._on_candidate(self.session.current)

    def show_table(self, sha256: str, group: str, members: list) -> None:
        """Show one candidate group's grid: at once when read before, else read it on a worker."""
        if (sha256, group) == (self.sha256, self.group) and self.model.grid is not None:
            return
        key = (sha256, group)
        if key in self.failures:
            self._show(sha256, group, f"No grid for this SoE table: {self.failures[key]}")
            return
        if key in self.extracted:
            self._show(sha256, group)
            return
        self._show(sha256, group, "Reading the grid…")
        if key not in self._reading:
            self._reading.add(key)
            document = self.store.document(sha256)
            if document is None:
                return
            path = document["stored_path"]
            self.pool.run(lambda _progress, cancel: core.read_group(path, members, cancel=cancel), name="grid",
                          finished=lambda reading: self._on_read(key, reading),
                          failed=lambda message: self._on_failed(key, message))

    def _on_read(self, key: tuple[str, str], reading) -> None:
        self._reading.discard(key)
        if reading.grid is None:  # the table gave no grid: say why, as `soe grid` does
            self.failures[key] = reading.failure.reason if reading.failure else "no grid was read"
            if key == (self.sha256, self.group):
                self._show(key[0], key[1], f"No grid for this SoE table: {self.failures[key]}")
            return
        self.extracted[key] = reading.grid
        if key == (self.sha256, self.group):
            self._show(*key)

    def _on_failed(self, key: tuple[str, str], message: str) -> None:
        self._reading.discard(key)
        if key == (self.sha256, self.group):
            self._show(key[0], "", f"Could not read this grid: {message}")

    def _show(self, sha256: str, group: str, message: str = "") -> None:
        self.sha256, self.group = sha256, group
        self.fitted = None  # a grid shown afresh is fitted to its text in full
        grid = self.extracted.get((sha256, group)) if group else None
        if grid is None or message:
            self.model.set_grid(None)
            self.title.setText(message)
            self.suspect_warning.hide()
        else:
            self.refresh(sha256, group)
        for button in self.export_buttons.values():
            button.setEnabled(self.model.grid is not None)
        self.next_uncertain_button.setEnabled(bool(self.model.uncertain_cells()))

    def refresh(self, sha256: str, group: str) -> None:
        """Apply the stored edits to the grid as read again (cheap: no re-extraction)."""
        if (sha256, group) != (self.sha256, self.group) or (sha256, group) not in self.extracted:
            return
        current = self.table.currentIndex()
        edited = core.edited_grid(self.store, sha256, self.extracted[(sha256, group)])
        sizes = self.table.section_sizes() if self.fitted == (sha256, group) else None
        self.model.set_grid(edited)
        if sizes is None:
            self.table.fit_to_text()
        else:
            self.table.keep_sizes(sizes, current.row())
        self.fitted = (sha256, group)
        self._flag_suspect(edited.grid)
        pages = ", ".join(map(str, edited.grid.pages))
        lost = f" · {len(edited.unmatched)} edits no longer match a cell" if edited.unmatched else ""
        uncertain = len(self.model.uncertain_cells())
        doubt = f" · {uncertain} uncertain cell{'s' if uncertain != 1 else ''}" if uncertain else ""
        redacted = " · redacted: the body is blacked out, no marks" if edited.grid.redacted else ""
        suspect = f"SUSPECT ({edited.grid.suspect}): check it against the page · " if edited.grid.suspect else ""
        self.title.setText(f"{suspect}Grid on page(s) {pages}: {len(edited.grid.rows)} activities × "
                           f"{len(edited.grid.columns)} visits{doubt}{redacted}{lost}")
        self.next_uncertain_button.setEnabled(bool(uncertain))
        if current.isValid():
            self.table.setCurrentIndex(self.model.index(current.row(), current.column()))
        if self._pending_point is not None:
            self.select_at(*self._pending_point)

    def _flag_suspect(self, grid: Grid) -> None:
        self.suspect_warning.setVisible(bool(grid.suspect))
        self.suspect_warning.setText(f"This grid was probably not read right: {grid.suspect}. It is not a result: "
                                     "check it against the page and correct it before you export it."
                                     if grid.suspect else "")

    # ----- page <-> grid ------------------------------------------------------------------------
    @Slot(object, object)
    def _on_current_cell(self, current, _previous) -> None:
        box = self.model.source_of(current.row(), current.column()) if current.isValid() else None
        self.source_selected.emit(*(box or (0, (0.0, 0.0, 0.0, 0.0))))

    @Slot(int)
    def _on_header_clicked(self, section: int) -> None:
        box = self.model.header_source(section - FIRST_VISIT) if section >= FIRST_VISIT else None
        if box is not None:
            self.source_selected.emit(*box)

    @Slot(int, float, float)
    def select_at(self, page: int, x: float, y: float) -> bool:
        """Select the cell printed at this point of the page; True when there is one. A click that
        comes before the grid is read is kept and applied once it is shown."""
        if self.model.grid is None:
            self._pending_point = (page, x, y) if self.group else None  # being read: apply once shown
            return False
        self._pending_point = None
        found = self.model.cell_at(page, x, y)
        if found is None:
            return False
        row, column = found
        if row < 0:
            self.table.selectColumn(column)
        else:
            self.table.selectionModel().setCurrentIndex(self.model.index(row, column),
                                                        QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return True

    @Slot()
    def next_uncertain_cell(self) -> bool:
        """Select the next cell the two readings disagree on (after the current one, wrapping
        round); selecting it outlines it on the page. False when there is none."""
        current = self.table.currentIndex()
        at = (current.row(), current.column()) if current.isValid() else (-1, -1)
        found = self.model.next_uncertain(*at)
        if found is None:
            self._message("No uncertain cell in this grid")
            return False
        index = self.model.index(*found)
        self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(index)
        return True

    # ----- editing ------------------------------------------------------------------------------
    def _extracted(self) -> Optional[Grid]:
        return self.extracted.get((self.sha256, self.group))

    @Slot(str, int, int, str)
    def _on_edit_requested(self, target: str, row: int, visit: int, text: str) -> None:
        if target == "cell":
            self.edit_cell(row, visit, text)
        else:
            self.rename_activity(row, text)

    def _push(self, save: Callable[[Grid], Optional[int]], text: str) -> None:
        grid = self._extracted()
        if grid is None or self.undo_stack is None:
            return
        try:
            edit_id = save(grid)
        except SoeError as error:  # an empty name: say so, store nothing
            show_error(self, "Grid edit refused", str(error))
            return
        if edit_id is not None:  # None: it changed nothing, no history entry
            self.undo_stack.push(GridEditCommand(self, self.sha256, grid, lambda: save(grid), text, edit_id))

    def edit_cell(self, row: int, visit: int, text: str) -> None:
        self._push(lambda grid: core.edit_cell(self.store, self.sha256, grid, row, visit, text, self.actor),
                   f"cell: {text or '(empty)'}")

    def rename_activity(self, row: int, name: str) -> None:
        self._push(lambda grid: core.rename_activity(self.store, self.sha256, grid, row, name, self.actor),
                   f"activity: {name}")

    def rename_column(self, visit: int, label: str) -> None:
        self._push(lambda grid: core.rename_column(self.store, self.sha256, grid, visit, label, self.actor),
                   f"visit: {label}")

    @Slot(int)
    def _on_header_double_clicked(self, section: int) -> None:
        if self.model.grid is None or section < FIRST_VISIT:
            return
        current = column_text(self.model.grid.columns[section - FIRST_VISIT])
        label, ok = QInputDialog.getText(self, "Visit column", "Label (parts separated by |, refs as ^a):",
                                         text=current)
        if ok and label.strip() != current:
            self.rename_column(section - FIRST_VISIT, label)

    # ----- export -------------------------------------------------------------------------------
    def export(self, fmt: str, out: Optional[Path] = None) -> None:
        """Export the shown grid (with its edits); asks where when `out` is not given."""
        grid = self.model.grid
        if grid is None:
            return
        text, suffix = EXPORTS[fmt].title, EXPORTS[fmt].suffix
        filters = f"{text} (*{suffix})"
        if out is None:
            name = Path((self.store.document(self.sha256) or {}).get("filename", "grid")).stem
            chosen, _ = QFileDialog.getSaveFileName(self, f"Export the grid as {text}", f"{name}_grid{suffix}", filters)
            if not chosen:
                return
            out = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(suffix)
        db_path, sha256, actor = self.store.path, self.sha256, self.actor

        def task(_progress, _cancel) -> str:
            with Store(db_path) as store:  # its own connection: an ingest may be writing
                paths = core.export_grids([grid], fmt, out, store, sha256, actor)
            return f"Grid exported: {', '.join(path.name for path in paths)}"

        self._message(f"Exporting the grid to {out.name}…")
        for button in self.export_buttons.values():
            button.setEnabled(False)
        self.pool.run(task, name="grid export", finished=self._message, failed=self._export_failed,
                      ended=self._export_ended)

    def _message(self, message: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(message, 8000)
        self.last_message = message

    def _export_failed(self, message: str) -> None:
        self.last_message = message
        show_error(self, "Grid export failed", message)

    def _export_ended(self) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(self.model.grid is not None)

    def shutdown(self) -> None:
        self.pool.shutdown()
