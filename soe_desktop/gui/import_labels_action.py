"""File ▸ Import labels: page labels a team keeps (CSV, JSON Lines, a corpus folder) as your reviews.

The import (core/app/import_labels.py; a corpus folder may ingest documents, seconds each) runs on
a worker with its own connection to the library; the menu entries are off meanwhile. When it ends
the queue shows new documents and fresh statuses, the open document reloads its labels, and each
changed document gets an undo step ("Import labels from …") in its own undo history, so Ctrl+Z in
the review takes the import back like any decision.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import QFileDialog, QMenu

from soe_desktop.core.app.import_labels import ImportResult, import_labels, retract_labels
from soe_desktop.core.app.ingest import ingest_document
from soe_desktop.core.app.review import reviewer
from soe_desktop.core.model import Detector, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.dialogs.errors import show_error
from soe_desktop.gui.ingest_queue import ChildStudent
from soe_desktop.gui.workers import Worker, WorkerPool

FILE_FILTER = "Label files (*.csv *.jsonl *.json);;CSV (*.csv);;JSON Lines (*.jsonl *.json)"


def import_task(db_path: str, path: Path, settings, actor: str, student=None):
    """A core task importing `path` on its own connection; corpus documents are ingested with the
    active student in its child process (`student`: the queue's StudentProcess), as a drop would."""
    snapshot = replace(settings)

    def ingest(pdf, settings_, store, **options):
        if student is not None:
            options["student_for"] = lambda model_dir: ChildStudent(student, model_dir)
        return ingest_document(pdf, settings_, store, **options)

    def task(progress, cancel) -> ImportResult:
        with Store(db_path) as store:
            return import_labels(path, snapshot, store, progress=progress, cancel=cancel, actor=actor, ingest=ingest)

    return task


class ImportUndoCommand(QUndoCommand):
    """One document's labels of one import: undo retracts them (and hides the manual candidates they
    held up), redo appends them again. Pushed after the import wrote them, so its first redo is a no-op."""

    def __init__(self, session, sha256: str, label_ids: list[int], source: str) -> None:
        super().__init__(f"Import labels from {Path(source).name}")
        self.session, self.sha256, self.label_ids = session, sha256, list(label_ids)
        self._written = True
        self._copies: list[Label] = []

    def _labels(self) -> list[Label]:
        wanted = set(self.label_ids)
        return [label for label in self.session.store.labels(sha256=self.sha256) if label.id in wanted]

    def undo(self) -> None:
        store = self.session.store
        labels = self._labels()
        self._copies = [Label(l.candidate_id, l.is_soe, l.confidence, l.source, reason=l.reason, details={
            key: value for key, value in l.details.items() if key not in ("retracted", "retracted_by")})
            for l in labels]
        with store.transaction():
            retract_labels(store, self.label_ids, self.session.actor)
            for candidate_id in {label.candidate_id for label in labels}:
                candidate = store.candidate(candidate_id)
                if candidate and candidate.detector == Detector.MANUAL and not store.labels(
                        candidate_id, include_retracted=False):
                    store.set_candidate_current(candidate_id, False, actor=self.session.actor)
        self._written = False
        self.session.labels_changed_for("", self.sha256)

    def redo(self) -> None:
        if self._written:  # the import itself wrote them
            return
        store = self.session.store
        with store.transaction():
            for candidate_id in {label.candidate_id for label in self._copies}:
                store.set_candidate_current(candidate_id, True, actor=self.session.actor)
            self.label_ids = store.add_labels(self._copies)
        self._written = True
        self.session.labels_changed_for("", self.sha256)


class ImportLabelsAction(QObject):
    """The File menu's import entries and the worker that runs an import."""

    def __init__(self, window, settings) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self.pool = WorkerPool(max_threads=1, parent=self)
        self.running: Worker | None = None
        self.actions: list[QAction] = []
        self.last: ImportResult | None = None

    @property
    def store(self):
        """The window's library now (Settings ▸ data folder may switch it)."""
        return self.window.store

    def add_to(self, menu: QMenu) -> None:
        for text, slot in (("&Import labels…", self.import_file), ("Import labels from a corpus &folder…",
                                                                   self.import_folder)):
            action = QAction(text, self.window)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions.append(action)

    @Slot()
    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import page labels", "", FILE_FILTER)
        if path:
            self.run(Path(path))

    @Slot()
    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window,
                                                  "Import a corpus folder (<name>/protocol.pdf + labels.json)")
        if folder:
            self.run(Path(folder))

    def is_running(self) -> bool:
        return self.running is not None

    def run(self, path: Path) -> Worker | None:
        if self.running is not None:
            self._status("A label import is already running.")
            return None
        self._set_busy(True)
        self._status(f"Importing labels from {path.name}…", 0)
        student = getattr(getattr(self.window, "queue", None), "student", None)
        task = import_task(self.store.path, path, self.settings, self.window.session.actor, student)
        self.running = self.pool.run(task, name="import-labels", finished=self._finished, failed=self._failed,
                                     ended=self._ended)
        return self.running

    def _finished(self, result: ImportResult) -> None:
        self.last = result
        session = self.window.session
        for sha256, label_ids in result.labels_by_document.items():
            session.push_command(sha256, ImportUndoCommand(session, sha256, label_ids, result.source))
        self._refresh(result)
        notes = len(result.unknown) + len(result.problems)
        self._status(f"Labels imported from {Path(result.source).name}: {result.summary()}"
                     + (f" · {notes} notes (first: {(result.unknown + result.problems)[0]})" if notes else ""))

    def _refresh(self, result: ImportResult) -> None:
        """New documents join the queue, statuses and SoE pages are recomputed, the open one reloads."""
        window, queue = self.window, getattr(self.window, "queue", None)
        for document in self.store.documents():
            entry = queue.model.by_sha(document["sha256"]) if queue is not None else None
            if queue is not None and entry is None:
                queue.add_known(document["stored_path"], document["sha256"], document["status"], document=document,
                                soe_pages=self.store.soe_pages(document["sha256"]))
            elif entry is not None and document["sha256"] in result.labels_by_document:
                queue.model.update(entry.key, status=document["status"],
                                   soe_pages=self.store.soe_pages(document["sha256"]))
        if getattr(window, "open_sha", "") in result.labels_by_document:
            window.session.reload_labels()
        if hasattr(window, "tabs") and hasattr(window, "_on_tab_changed"):
            window._on_tab_changed(window.tabs.currentIndex())

    def _failed(self, message: str) -> None:
        self.window.statusBar().clearMessage()
        show_error(self.window, "Import failed", message)

    def _ended(self) -> None:
        self.running = None
        self._set_busy(False)

    def _status(self, message: str, timeout_ms: int = 12000) -> None:
        self.window.statusBar().showMessage(message, timeout_ms)

    def _set_busy(self, busy: bool) -> None:
        for action in self.actions:
            action.setEnabled(not busy)

    def shutdown(self) -> None:
        self.pool.shutdown()
