"""The ingest queue: dropped PDFs go through the core's `ingest_document` (the workflow `soe ingest`
runs) one at a time on a worker.

Each document runs in its own Worker (its own CancelToken), so cancelling one or a bad PDF
failing leaves the rest of the queue running. The worker opens its own Store: sqlite
connections belong to the thread that made them. The active student labels in its child
process (student_process.py), so the window's process never imports torch.

A drop of more than BATCH_AT files (a folder's PDFs counted) goes to the batch runner instead (core/app/batch.py, Dask
distributed, one worker process per core) when the [batch] extra is installed: one Worker runs
the batch, and each document's row is updated as its result arrives; Cancel on any of its rows
stops the batch's unfinished documents (finished ones stay).
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from soe_desktop.core.app.ingest import IngestResult, ingest_document
from soe_desktop.core.jobs import CancelToken, Partial, Progress
from soe_desktop.core.model import LabelSource
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.training.registry import read_run_record
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
from soe_desktop.gui.workers import Worker, WorkerPool


class ChildStudent:
    """The active student as a Labeler whose labelling runs in the StudentProcess child."""

    def __init__(self, process: StudentProcess, model_dir: str) -> None:
        self.process, self.model_dir = process, model_dir
        self.name = str(LabelSource.student(read_run_record(Path(model_dir))["version"]))

    def label(self, candidates, progress=None, cancel=None):
        return self.process.label(self.model_dir, candidates, progress=progress, cancel=cancel)


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


# More files than this in one drop (a folder's PDFs counted) go to the batch runner: fewer do not
# repay a cluster's start (seconds, a few hundred MB a worker) and keep the early boxes of one-by-one.
BATCH_AT = 4


def batch_available() -> bool:
    return importlib.util.find_spec("distributed") is not None


def batch_task(paths: list[str], settings: Settings, allow_cloud: bool):
    """The batch run by one worker (no Qt inside): it waits on the child that runs the batch
    (gui/batch_runner.py: the Dask client's work kept out of the window's process) and relays each
    document's outcome as a Partial item; the token's cancel stops the rest."""
    from soe_desktop.gui.batch_runner import batch_task as in_child

    return in_child(paths, settings, allow_cloud)


def ingest_task(path: str, settings: Settings, allow_cloud: bool, student: StudentProcess):
    """The core task run by the worker (no Qt inside): the one ingest workflow, with the settings
    as they were when the file was queued and the student in its child process."""
    snapshot = replace(settings)  # the worker must not see later edits half-way

    def task(progress, cancel: CancelToken) -> IngestResult:
        with Store(snapshot.db_path) as store:
            return ingest_document(path, snapshot, store, progress, cancel, allow_cloud=allow_cloud,
                                   student_for=lambda model_dir: ChildStudent(student, model_dir))

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
        self._batches: dict[int, dict[str, int]] = {}  # a batch's signals id -> {path: queue key}
        self.student = StudentProcess()  # the active student, loaded once in its own process
        self.library = None  # the window's Store, read on the GUI thread for a finished row's names

    def add_paths(self, paths: list[str], allow_cloud: bool = False) -> list[int]:
        """Queue every PDF in `paths` (files or folders); `allow_cloud` is the user's consent for
        these documents (used only when the teacher is Gemini). Returns the queue keys."""
        files = expand_paths(paths)
        if len(files) > BATCH_AT and batch_available():
            return self._add_batch(files, allow_cloud)
        return [self._add_one(path, allow_cloud) for path in files]

    def _add_one(self, path: str, allow_cloud: bool) -> int:
        entry = self.model.add(path)
        task = ingest_task(path, self.settings, allow_cloud, self.student)
        worker = Worker(task, name=Path(path).name)
        worker.signals.setProperty("entry_key", entry.key)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.partial.connect(self._on_partial)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        worker.signals.ended.connect(self._on_ended)
        self._workers[entry.key] = worker
        self.pool.start(worker)
        return entry.key

    def _add_batch(self, files: list[str], allow_cloud: bool) -> list[int]:
        """One Worker for the whole batch; its rows share it (a Cancel on one stops the batch)."""
        keys = [self.model.add(path).key for path in files]
        worker = Worker(batch_task(files, self.settings, allow_cloud), name=f"batch of {len(files)}")
        self._batches[id(worker.signals)] = dict(zip((str(Path(path)) for path in files), keys))  # as Outcome.path
        worker.signals.setProperty("batch_id", id(worker.signals))
        worker.signals.partial.connect(self._on_batch_outcome)
        worker.signals.failed.connect(self._on_batch_failed)
        worker.signals.ended.connect(self._on_batch_ended)
        for key in keys:
            self._workers[key] = worker
        self.pool.start(worker)
        return keys

    def add_known(self, path: str, sha256: str, status: str, message: str = "", document: dict | None = None,
                  soe_pages: list[int] | None = None) -> None:
        """Show a document already in the library (app start); `document`, its library row, names it."""
        entry = self.model.add(path, status=status, sha256=sha256, document=document)
        entry.message = message
        entry.soe_pages = list(soe_pages or [])

    def show_library(self, store) -> None:
        """The library's documents as rows named after the user's files, their SoE pages from the
        stored labels; those a quit or crash interrupted are queued again. `store` stays the one
        finished rows take their names from (a data-folder switch passes the new one)."""
        self.library = store
        store.requeue_interrupted()
        documents = store.documents()
        soe_pages = store.soe_pages_by_document()
        interrupted = [document for document in documents if document["status"] == "queued"]
        keys = self.add_paths([document["stored_path"] or document["original_path"] for document in interrupted])
        for key, document in zip(keys, interrupted):
            self.model.entry(key).take_names(document)
        for document in documents:
            if document["status"] != "queued":
                self.add_known(document["stored_path"] or document["original_path"], document["sha256"],
                               document["status"], document.get("error", ""), document=document,
                               soe_pages=soe_pages.get(document["sha256"], []))

    def _name_from_library(self, key: int, sha256: str) -> None:
        """A stored document's row takes the names the library keeps (its protocol number, its
        title), read on the GUI thread: one row by its key."""
        document = self.library.document(sha256) if self.library is not None else None
        entry = self.model.entry(key)
        if document and entry is not None:
            entry.take_printed_names(document)

    def cancel(self, key: int) -> None:
        worker = self._workers.get(key)
        if worker is not None:
            worker.cancel()
            if self.pool.take(worker):  # not started yet (queued or held by the start-up gate): it never runs
                for shared in [k for k, held in self._workers.items() if held is worker]:  # a batch's rows too
                    self.model.update(shared, status=CANCELLED, message="cancelled before it started")
                    self._workers.pop(shared, None)
                self._batches.pop(id(worker.signals), None)
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
        self.model.set_stage(self._key(), progress.stage, progress.done, progress.total)

    @Slot(object)
    def _on_partial(self, partial: Partial) -> None:
        """Boxes of one page, found while reading or detecting, so the view draws them before the
        document is labelled. They carry the final candidates' ids: the finished document's boxes
        replace them one for one (the core does not report a page twice)."""
        if partial.items:
            self.candidates_found.emit(self._key(), list(partial.items))

    @Slot(object)
    def _on_finished(self, outcome: IngestResult) -> None:
        key = self._key()
        earlier = self.model.by_sha(outcome.sha256, exclude_key=key)
        if earlier is not None:
            self._name_from_library(key, outcome.sha256)
            self.model.update(key, status=DUPLICATE, fraction=1.0, sha256=outcome.sha256,
                              message=f"same file as {earlier.display_name}", soe_pages=outcome.soe_pages)
        else:
            self._show_result(key, outcome)
        self.document_ready.emit(outcome.sha256)

    def _show_result(self, key, result: IngestResult) -> None:
        """A stored document's row: needs review or done, and what was duplicate or damaged about it."""
        status = result.status if result.status in (NEEDS_REVIEW, DONE) else NEEDS_REVIEW
        message = "already in the library" if result.duplicate else damage_note(result)
        self._name_from_library(key, result.sha256)
        self.model.update(key, status=status, fraction=1.0, sha256=result.sha256,
                          soe_pages=result.soe_pages, message=message)

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

    def _batch_keys(self) -> dict[str, int]:
        sender = self.sender()
        return self._batches.get(int(sender.property("batch_id")), {}) if sender is not None else {}

    @Slot(object)
    def _on_batch_outcome(self, partial: Partial) -> None:
        from soe_desktop.core.app.batch import FAILED

        keys = self._batch_keys()
        for outcome in partial.items:
            key = keys.get(outcome.path)
            if key is None:
                continue
            result = outcome.result
            if outcome.state == FAILED or result is None:
                self.model.update(key, status=ERROR, fraction=1.0, message=outcome.reason)
                continue
            self._show_result(key, result)
            self.document_ready.emit(result.sha256)

    @Slot(str)
    def _on_batch_failed(self, message: str) -> None:
        for key in self._batch_keys().values():
            entry = self.model.entry(key)
            if entry is not None and entry.status in ACTIVE:
                self.model.update(key, status=ERROR, message=message)

    @Slot()
    def _on_batch_ended(self) -> None:
        """Rows the batch did not reach (cancelled, or the batch failed) say so."""
        keys = self._batches.pop(int(self.sender().property("batch_id")), {})
        for key in keys.values():
            entry = self.model.entry(key)
            if entry is not None and entry.status in ACTIVE:
                self.model.update(key, status=CANCELLED, message="cancelled with its batch")
            self._workers.pop(key, None)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self.is_busy():
            self.idle.emit()


def damage_note(outcome: IngestResult) -> str:
    """What the row says of a damaged file that was still read (docs/RELIABILITY.md)."""
    notes = ["repaired with qpdf"] if outcome.repaired else []
    if outcome.unreadable_pages:
        pages = ", ".join(map(str, outcome.unreadable_pages))
        notes.append(f"unreadable page{'s' if len(outcome.unreadable_pages) > 1 else ''} {pages} skipped")
    return "; ".join(notes)
