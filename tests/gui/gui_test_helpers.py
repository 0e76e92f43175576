"""Small helpers shared by the GUI tests (drag and drop, waiting for the queue)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

FINISHED = ("needs review", "done", "error", "cancelled", "duplicate")


def drop_files(widget, paths) -> bool:
    """Drag `paths` over `widget` and drop them, as a file manager would; True when accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    enter = QDragEnterEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def wait_for_queue(qtbot, window, timeout_ms: int = 90_000) -> None:
    """Until every queued document has finished one way or another."""
    qtbot.waitUntil(lambda: all(entry.status in FINISHED for entry in window.queue.model.entries),
                    timeout=timeout_ms)


def statuses(window) -> dict[str, str]:
    return {entry.name: entry.status for entry in window.queue.model.entries}
