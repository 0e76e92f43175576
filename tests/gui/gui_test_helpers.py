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


def student_candidate(doc: int, index: int, soe: bool):
    """A small SoE-like (or lab-range) table candidate, for training and asking a tiny student."""
    from soe_desktop.core.model import Candidate

    rows = ([["Procedure", "Screening", "Day 1", "Week 4"], ["Informed consent", "X", "", ""],
             ["Vital signs", "X", "X", "X"]] if soe else
            [["Parameter", "Unit", "Range"], ["ALT", "U/L", "0-40"], ["Creatinine", "mg/dL", "0.6-1.2"]])
    context = "Schedule of Activities" if soe else "Laboratory reference ranges"
    return Candidate(f"d{doc}-{index}", f"{doc:02d}" * 32, index + 1, (50, 60, 500, 400), "pdfplumber", rows,
                     context)
