"""The ingest queue: dropped PDFs go through `process_into_store` one at a time on a worker.

Each document runs in its own Worker (its own CancelToken), so cancelling one or a bad PDF
failing leaves the rest of the queue running. The worker opens its own Store: sqlite
connections belong to the thread that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal, Slot

from soe_desktop.core.jobs import CancelToken, Progress
from soe_desktop.core.settings import SECOND_LOOK_PAGES, Settings
from soe_desktop.gui.models.queue_model import (
    ACTIVE,
    CANCELLED,
    DONE,
    DUPLICATE,
    ERROR,
    NEEDS_REVIEW,
    QueueModel,
)
from soe_desktop.gui.student_process import StudentProcess
from soe_desktop.gui.teachers import LabelerFactory, teacher_factory
from soe_desktop.gui.workers import Worker, WorkerPool


@dataclass
class IngestOutcome:
    """What the GUI needs from a finished document (plain data: crosses threads safely)."""

    sha256: str
    page_count: int
    candidates: int
    soe_pages: list[int] = field(default_factory=list)
    duplicate: bool = False
    auto_accepted: int = 0
    status: str = NEEDS_REVIEW


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, folders replaced by the PDFs they contain (recursively, sorted)."""
    result: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            result.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix.lower() == ".pdf" and p.is_file())
        else:
            result.append(str(path))
    return result


def ingest_task(path: str, db_path: Path, documents_dir: Path, auto_accept: float,
                labeler_factory: Optional[LabelerFactory], student: Optional[StudentProcess] = None,
                ocr: bool = True, second_look: int = SECOND_LOOK_PAGES):
    """Build the core task run by the worker (no Qt inside)."""

    def task(progress, cancel: CancelToken) -> IngestOutcome:
        from soe_desktop.core.pipeline import process_into_store
        from soe_desktop.core.store import Store

        from soe_desktop.gui.review_actions import apply_auto_accept
        from soe_desktop.gui.teachers import label_with_active_student

        store = Store(db_path)
        try:
            labeler = labeler_factory(store) if labeler_factory else None
            result = process_into_store(path, store, labeler=labeler, progress=progress, cancel=cancel,
                                        documents_dir=documents_dir, ocr=ocr, second_look=second_look)
            sha = result.document.sha256
            accepted = 0
            if not result.duplicate:
                label_with_active_student(store, sha, progress, cancel, student=student)
                accepted = apply_auto_accept(store, sha, auto_accept)
            status = (store.document(sha) or {}).get("status", NEEDS_REVIEW)
            return IngestOutcome(sha, result.document.page_count, len(result.candidates), result.soe_pages(),
                                 result.duplicate, accepted, status)
        finally:
            close = getattr(store, "close", None)
            if close:
                close()

    return task


class IngestQueue(QObject):
    """Owns the queue model and the ingest worker pool; its slots run on the GUI thread."""

    document_ready = Signal(str)  # sha256 of a document that finished (or was already known)
    candidates_found = Signal(int, list)  # queue key, Candidates found so far (when the core reports them)
    idle = Signal()  # nothing left to do

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings  # read when a document is queued, so edits apply to the next one
        self.model = QueueModel(self)
        self.pool = WorkerPool(max_threads=1, parent=self)  # 2-core machines: one document at a time
        self._workers: dict[int, Worker] = {}
        self.student = StudentProcess()  # the active student, loaded once in its own process

    def add_paths(self, paths: list[str], allow_cloud: bool = False) -> list[int]:
        """Queue every PDF in `paths` (files or folders); `allow_cloud` is the user's consent for
        these documents (used only when the teacher is Gemini). Returns the queue keys."""
        keys = []
        settings = self.settings
        factory = teacher_factory(settings, allow_cloud)
        for path in expand_paths(paths):
            entry = self.model.add(path)
            task = ingest_task(path, settings.db_path, settings.documents_dir, settings.auto_accept_threshold, factory,
                               self.student, ocr=settings.read_scanned_pages,
                               second_look=settings.second_look_pages)
            worker = Worker(task, name=Path(path).name)
            worker.signals.setProperty("entry_key", entry.key)
            worker.signals.progress.connect(self._on_progress)
            worker.signals.finished.connect(self._on_finished)
            worker.signals.failed.connect(self._on_failed)
            worker.signals.cancelled.connect(self._on_cancelled)
            worker.signals.ended.connect(self._on_ended)
            self._workers[entry.key] = worker
            self.pool.start(worker)
            keys.append(entry.key)
        return keys

    def add_known(self, path: str, sha256: str, status: str, message: str = "") -> None:
        """Show a document already in the library (app start)."""
        entry = self.model.add(path, status=status, sha256=sha256)
        entry.message = message

    def cancel(self, key: int) -> None:
        worker = self._workers.get(key)
        if worker is not None:
            worker.cancel()
            if self.pool.pool.tryTake(worker):  # not started yet: it will never run
                self.model.update(key, status=CANCELLED, message="cancelled before it started")
                self._workers.pop(key, None)
                self._check_idle()

    def is_busy(self) -> bool:
        return any(entry.status in ACTIVE for entry in self.model.entries)

    def shutdown(self) -> None:
        self.pool.shutdown()
        self.student.close()

    def _key(self) -> int:
        sender = self.sender()
        return int(sender.property("entry_key")) if sender is not None else 0

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        key = self._key()
        extra = progress.extra or {}
        if not extra.get("early"):  # boxes found while reading: the row stays 'reading', its bar keeps going
            self.model.set_stage(key, progress.stage, progress.done, progress.total)
        found = extra.get("candidates")
        if found:  # a detector that reports page by page lets the view draw boxes before labelling
            # Early boxes carry the final candidates' ids: the finished document's boxes replace
            # them one for one (the core does not report those pages again).
            self.candidates_found.emit(key, list(found))

    @Slot(object)
    def _on_finished(self, outcome: IngestOutcome) -> None:
        key = self._key()
        earlier = self.model.by_sha(outcome.sha256, exclude_key=key)
        if earlier is not None:
            self.model.update(key, status=DUPLICATE, fraction=1.0, sha256=outcome.sha256,
                              message=f"same file as {earlier.name}", soe_pages=outcome.soe_pages)
        else:
            status = outcome.status if outcome.status in (NEEDS_REVIEW, DONE) else NEEDS_REVIEW
            message = "already in the library" if outcome.duplicate else ""
            self.model.update(key, status=status, fraction=1.0, sha256=outcome.sha256,
                              soe_pages=outcome.soe_pages, message=message)
        self.document_ready.emit(outcome.sha256)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.model.update(self._key(), status=ERROR, message=message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.model.update(self._key(), status=CANCELLED, message="cancelled")

    @Slot()
    def _on_ended(self) -> None:
        self._workers.pop(self._key(), None)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self.is_busy():
            self.idle.emit()
