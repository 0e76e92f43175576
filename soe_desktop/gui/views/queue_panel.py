"""The queue panel: documents with status and a progress bar each, cancel per document."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.gui.dialogs.queue_details import QueueDetailsDialog
from soe_desktop.gui.ingest_queue import IngestQueue
from soe_desktop.gui.models.queue_model import ERROR, PROGRESS_COLUMN, STATUS_COLUMN, ProgressRole

NAME_MIN_WIDTH = 120  # "protocol.pdf — AB…" still tells one document from another
SOE_PAGES_WIDTH = 80  # "7–10, 33"; its header fits too


class ProgressDelegate(QStyledItemDelegate):
    """Paints the progress column as a progress bar."""

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int(1000 * float(index.data(ProgressRole) or 0.0))
        bar.text = index.data()
        bar.textVisible = True
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class StatusDelegate(QStyledItemDelegate):
    """The status keeps its start ("error: the PDF is damaged…"): the middle cut of the names
    column left "error: … array)" here. The whole message is in the tooltip and Details…."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class QueuePanel(QWidget):
    """Lists the queue; emits the sha256 of the document the user picks."""

    document_activated = Signal(str)
    open_requested = Signal()

    def __init__(self, queue: IngestQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.table = QTableView()
        self.table.setModel(queue.model)
        self.table.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.table))
        self.table.setItemDelegateForColumn(STATUS_COLUMN, StatusDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        # The file name takes what is left; the status keeps room for "needs review" (its message,
        # e.g. why a file was refused, is in the row's tooltip).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 96)
        header.setSectionResizeMode(PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS_COLUMN, 64)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(3, SOE_PAGES_WIDTH)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        # The name keeps room to be read at the dock's narrowest (the other columns are fixed).
        self.table.setMinimumWidth(NAME_MIN_WIDTH + 96 + 64 + SOE_PAGES_WIDTH + 24)
        self.table.clicked.connect(self._on_clicked)
        self.table.doubleClicked.connect(self._on_double_clicked)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open PDFs…")
        self.open_button.clicked.connect(self._on_open)
        self.details_button = QPushButton("Details…")
        self.details_button.setToolTip("The selected row in full: its folder, title and whole message")
        self.details_button.clicked.connect(self.show_details)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop processing the selected document; the rest carries on")
        self.cancel_button.clicked.connect(self._on_cancel)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.details_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.hint = QLabel("Drop PDFs or a folder anywhere on the window")
        self.hint.setStyleSheet("color: gray")
        layout.addWidget(self.hint)

    def selected_key(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return 0
        return self.queue.model.entries[rows[0].row()].key

    def select_sha(self, sha256: str) -> None:
        for row, entry in enumerate(self.queue.model.entries):
            if entry.sha256 == sha256 and entry.status != "duplicate":
                self.table.selectRow(row)
                return

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        entry = self.queue.model.entries[index.row()]
        if entry.sha256:
            self.document_activated.emit(entry.sha256)

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        """A row with no document to show (refused, cancelled) shows why instead; a stored one opens."""
        entry = self.queue.model.entries[index.row()]
        if entry.sha256 and entry.status != ERROR:
            self.document_activated.emit(entry.sha256)
        else:
            self.show_details()

    @Slot()
    def show_details(self) -> QueueDetailsDialog | None:
        """The selected row in full, in a non-modal dialog."""
        entry = self.queue.model.entry(self.selected_key())
        if entry is None:
            return None
        self.details = QueueDetailsDialog(entry, self)
        self.details.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details.show()
        return self.details

    @Slot()
    def _on_cancel(self) -> None:
        key = self.selected_key()
        if key:
            self.queue.cancel(key)

    @Slot()
    def _on_open(self) -> None:
        self.open_requested.emit()
