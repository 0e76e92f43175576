"""A queue row in full: which file it is, where it came from, and the whole message (why a file
was refused, what was repaired), which the queue's status cell can only show cut.

Plain text in a read-only editor, so it can be selected and copied into a support request and
whatever a file name or a PDF holds is shown as words, never as markup."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from soe_desktop.gui.models.queue_model import QueueEntry, page_ranges


def entry_details(entry: QueueEntry) -> str:
    """The row's facts, one per line, then its message as it was reported."""
    facts = [f"File: {entry.name}", entry.name_tooltip(), f"Status: {entry.status}",
             f"SoE pages: {page_ranges(entry.soe_pages)}" if entry.soe_pages else "",
             f"Fingerprint (sha256): {entry.sha256}" if entry.sha256 else ""]
    text = "\n".join(fact for fact in facts if fact)
    return f"{text}\n\n{entry.message}" if entry.message else text


class QueueDetailsDialog(QDialog):
    """Non-modal: the queue keeps running while it is open."""

    def __init__(self, entry: QueueEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queue_details")
        self.setWindowTitle(f"{entry.display_name} — details")
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # wraps: never wider than the screen
        self.text.setPlainText(entry_details(entry))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        metrics = QFontMetrics(self.text.font())
        self.resize(min(640, 60 * metrics.averageCharWidth() + 80), 12 * metrics.lineSpacing() + 80)
