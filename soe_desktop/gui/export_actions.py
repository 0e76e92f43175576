"""File ▸ Export: labels (this document or all) to CSV/JSONL/XLSX, the SoE pages list, the active
adapter. Labels and pages go through the core's `export` workflow (the one `soe export` runs: the
export-format registry, an audit entry per export).

The dialogs run on the GUI thread; the writing runs on a worker with its own connection to the
library (an export of every label, or a copy of a model folder, takes seconds on a big library,
and a read can wait behind an ingest writing). The Export menu is off while one runs; the status
bar says when it is done, an error dialog when it failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from soe_desktop.core.errors import SoeError
from soe_desktop.core.store import Store
from soe_desktop.core.app.export import export
from soe_desktop.core.store.exports import EXPORT_FORMATS, file_dialog_filter
from soe_desktop.core.training.registry import ModelRegistry
from soe_desktop.gui.dialogs.errors import show_error
from soe_desktop.gui.workers import Worker, WorkerPool

LABEL_FILTER = file_dialog_filter()
SUFFIXES = [export_format.suffix for export_format in EXPORT_FORMATS.values()]


def _export_task(db_path: str, export: Callable[[Store], str]):
    """A core task running `export(store) -> done message` on its own connection to the library."""

    def task(_progress, _cancel) -> str:
        try:
            with Store(db_path) as store:
                return export(store)
        except OSError as error:  # disk full, permission denied: the user's to fix, not a bug
            raise SoeError(f"could not write the export: {error}") from error

    return task


def labels_task(db_path: str, out: Path, sha256: str | None):
    return _export_task(db_path, lambda store: f"{export(store, out, 'label-history', sha256=sha256).rows} "
                                               f"labels written to {out}")


def soe_pages_task(db_path: str, out: Path):
    return _export_task(db_path, lambda store: f"{export(store, out, 'soe-pages').rows} documents written to {out}")


def model_task(db_path: str, models_dir: Path, version: str, folder: Path):
    def export(store) -> str:
        return f"model {version} exported to {ModelRegistry(store, Path(models_dir)).export(version, folder)}"

    return _export_task(db_path, export)


class ExportActions(QObject):
    """Menu actions that run `soe_desktop.core.store.exports` and the model registry's export."""

    def __init__(self, window, store, settings) -> None:
        super().__init__(window)
        self.window, self.store, self.settings = window, store, settings
        self.pool = WorkerPool(max_threads=1, parent=self)
        self.running: Worker | None = None
        self.menu: QMenu | None = None

    def add_to(self, menu: QMenu) -> None:
        self.menu = menu.addMenu("&Export")
        for text, slot in (("Labels of this document…", self.export_document_labels),
                           ("Labels of all documents…", self.export_all_labels),
                           ("SoE pages list…", self.export_soe_pages),
                           ("Active model (adapter folder)…", self.export_active_model)):
            action = QAction(text, self.window)
            action.triggered.connect(slot)
            self.menu.addAction(action)

    def _save_path(self, title: str, default: str, filters: str) -> Path | None:
        path, chosen = QFileDialog.getSaveFileName(self.window, title, default, filters)
        if not path:
            return None
        path = Path(path)
        if not path.suffix:  # the suffix of the format picked in the dialog's filter
            path = path.with_suffix(next((s for s in SUFFIXES if f"*{s})" in chosen), ".csv"))
        return path

    @Slot()
    def export_document_labels(self) -> None:
        sha = self.window.open_sha
        if not sha:
            QMessageBox.information(self.window, "Export labels", "Open a document first.")
            return
        name = Path(self.store.document(sha)["filename"]).stem
        path = self._save_path("Export labels", f"{name}_labels.csv", LABEL_FILTER)
        if path:
            self._run(labels_task(self.store.path, path, sha), f"Exporting labels to {path}…")

    @Slot()
    def export_all_labels(self) -> None:
        path = self._save_path("Export all labels", "labels.csv", LABEL_FILTER)
        if path:
            self._run(labels_task(self.store.path, path, None), f"Exporting labels to {path}…")

    @Slot()
    def export_soe_pages(self) -> None:
        path = self._save_path("Export SoE pages", "soe_pages.csv", LABEL_FILTER)
        if path:
            self._run(soe_pages_task(self.store.path, path), f"Exporting the SoE pages to {path}…")

    @Slot()
    def export_active_model(self) -> None:
        active = self.store.active_model()
        if active is None:
            QMessageBox.information(self.window, "Export model", "No model is active yet: train one first.")
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export the active model to")
        if folder:
            self._run(model_task(self.store.path, self.settings.models_dir, active["version"], Path(folder)),
                      f"Exporting model {active['version']}…")

    def is_running(self) -> bool:
        return self.running is not None

    def _run(self, task: Callable, message: str) -> Worker | None:
        if self.running is not None:  # the menu is off meanwhile; a shortcut or a script may still call
            self._status("An export is already running.")
            return None
        self._set_busy(True, message)
        self.running = self.pool.run(task, name="export", finished=self._status, failed=self._failed,
                                     ended=self._ended)
        return self.running

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)

    def _failed(self, message: str) -> None:  # disk full, permission denied, a model folder gone…
        self.window.statusBar().clearMessage()
        show_error(self.window, "Export failed", message)

    def _ended(self) -> None:
        self.running = None
        self._set_busy(False)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        if self.menu is not None:
            self.menu.setEnabled(not busy)
        if message:
            self.window.statusBar().showMessage(message)

    def shutdown(self) -> None:
        self.pool.shutdown()
