"""The ingest queue as a Qt table model: one row per dropped PDF, its status and progress."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from soe_desktop.core.store.names import display_name, name_details

# Statuses shown to the user, in the order a document goes through them.
QUEUED, READING, DETECTING, LABELLING = "queued", "reading", "detecting", "labelling"
NEEDS_REVIEW, DONE, ERROR, CANCELLED, DUPLICATE = "needs review", "done", "error", "cancelled", "duplicate"
ACTIVE = (QUEUED, READING, DETECTING, LABELLING)
STAGE_WEIGHTS = {READING: (0.0, 0.2), DETECTING: (0.2, 0.8), LABELLING: (0.8, 1.0)}

STATUS_COLOURS = {
    NEEDS_REVIEW: QColor(200, 130, 0),
    DONE: QColor(30, 140, 60),
    ERROR: QColor(200, 40, 40),
    CANCELLED: QColor(120, 120, 120),
    DUPLICATE: QColor(120, 120, 120),
}

COLUMNS = ("Document", "Status", "Progress", "SoE pages")
STATUS_COLUMN, PROGRESS_COLUMN = 1, 2
ProgressRole = Qt.ItemDataRole.UserRole + 1


def page_ranges(pages: list[int]) -> str:
    """[7, 8, 9, 10, 33] -> '7–10, 33': multi-page grids stay short in a narrow column."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@dataclass
class QueueEntry:
    """One document in the queue; `key` is stable while rows move. `path` is the file processed
    (after a restart, the library's copy); `filename` and `folder` are where the user's file came
    from, `number` and `title` what its first pages print (store/names.py)."""

    key: int
    path: str
    status: str = QUEUED
    fraction: float = 0.0
    message: str = ""
    sha256: str = ""
    soe_pages: list[int] = field(default_factory=list)
    filename: str = ""
    folder: str = ""
    number: str = ""
    title: str = ""

    @property
    def name(self) -> str:
        """The user's file name (never the library copy's sha256 name)."""
        return self.filename or Path(self.path).name

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.number, self.title)

    def name_tooltip(self) -> str:
        return name_details(self.folder or str(Path(self.path).parent), self.number, self.title)

    def take_names(self, document: dict) -> None:
        """Names from the library's row for this document (its original file, what it prints):
        for a row whose `path` is the library's copy."""
        original = document.get("original_path") or ""
        self.filename = document.get("filename") or self.filename
        self.folder = str(Path(original).parent) if original else self.folder
        self.take_printed_names(document)

    def take_printed_names(self, document: dict) -> None:
        """Only what the document prints: a dropped file keeps its own name and folder (a copy of
        a stored file under another name is still shown under the name it was dropped with)."""
        self.number = document.get("protocol_number") or ""
        self.title = document.get("title") or ""

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE


class QueueModel(QAbstractTableModel):
    """Rows of QueueEntry; updated only from GUI-thread slots."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list[QueueEntry] = []
        self._next_key = 1

    # ----- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == ProgressRole:
            return entry.fraction
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN and entry.status in STATUS_COLOURS:
            return QBrush(STATUS_COLOURS[entry.status])
        return None

    @staticmethod
    def _display(entry: QueueEntry, column: int) -> str:
        if column == 0:
            return entry.display_name
        if column == STATUS_COLUMN:
            if entry.status in (ERROR, DUPLICATE, NEEDS_REVIEW, DONE) and entry.message:
                return f"{entry.status}: {entry.message.removeprefix(entry.name + ': ')}"  # the row names the file
            return entry.status
        if column == PROGRESS_COLUMN:
            return f"{round(entry.fraction * 100)}%"
        return page_ranges(entry.soe_pages)

    # ----- queue operations -----------------------------------------------------------------
    def add(self, path: str, status: str = QUEUED, sha256: str = "", document: dict | None = None) -> QueueEntry:
        """A row for `path`; `document` (the library's row) names it when the file is the library's copy."""
        entry = QueueEntry(key=self._next_key, path=path, status=status, sha256=sha256,
                           folder=str(Path(path).parent))
        if document:
            entry.take_names(document)
        if status not in ACTIVE:
            entry.fraction = 1.0
        self._next_key += 1
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()
        return entry

    def entry(self, key: int) -> QueueEntry | None:
        return next((entry for entry in self.entries if entry.key == key), None)

    def row_of(self, key: int) -> int:
        return next((row for row, entry in enumerate(self.entries) if entry.key == key), -1)

    def by_sha(self, sha256: str, exclude_key: int = 0) -> QueueEntry | None:
        return next((e for e in self.entries if e.sha256 == sha256 and e.key != exclude_key), None)

    def waits_for_other(self, key: int, sha256: str) -> bool:
        """Row `key` is still being processed and `sha256` is another document: the window keeps
        showing the preview of the file the user opened instead of jumping to one queued earlier."""
        entry = self.entry(key) if key else None
        return entry is not None and not entry.finished and entry.sha256 != sha256

    def update(self, key: int, **changes) -> None:
        entry = self.entry(key)
        if entry is None:
            return
        for name, value in changes.items():
            setattr(entry, name, value)
        row = self.row_of(key)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_stage(self, key: int, stage: str, done: int, total: int) -> None:
        """Map a core Progress(stage, done, total) to one overall fraction for the bar."""
        start, end = STAGE_WEIGHTS.get(stage, (0.0, 1.0))
        fraction = start + (end - start) * (done / total if total else 0.0)
        status = stage if stage in STAGE_WEIGHTS else self.entry(key).status if self.entry(key) else stage
        self.update(key, status=status, fraction=max(fraction, 0.0))

    def remove(self, key: int) -> None:
        row = self.row_of(key)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.entries[row]
            self.endRemoveRows()

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for entry in self.entries:
            result[entry.status] = result.get(entry.status, 0) + 1
        return result


def tooltip(entry: QueueEntry, column: int) -> str:
    """The whole message on the status column (the cell is cut), the folder and title on the name.

    Escaped and wrapped as rich text so a long message wraps instead of running off the screen;
    escaping keeps whatever a PDF or a file name holds as plain words."""
    if column == 0:
        text = entry.name_tooltip()
    else:
        text = f"{entry.status}: {entry.message}" if entry.message else entry.status
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if text else ""
