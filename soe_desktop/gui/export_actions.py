"""File ▸ Export: labels (this document or all) to CSV/JSONL, the SoE pages list, the active adapter."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from soe_desktop.gui.dialogs.errors import show_error

LABEL_FILTER = "CSV (*.csv);;JSON Lines (*.jsonl)"


class ExportActions(QObject):
    """Menu actions that call `soe_desktop.core.store.exports` and the model registry."""

    def __init__(self, window, store, settings) -> None:
        super().__init__(window)
        self.window, self.store, self.settings = window, store, settings

    def add_to(self, menu: QMenu) -> None:
        export = menu.addMenu("&Export")
        for text, slot in (("Labels of this document…", self.export_document_labels),
                           ("Labels of all documents…", self.export_all_labels),
                           ("SoE pages list…", self.export_soe_pages),
                           ("Active model (adapter folder)…", self.export_active_model)):
            action = QAction(text, self.window)
            action.triggered.connect(slot)
            export.addAction(action)

    def _save_path(self, title: str, default: str, filters: str) -> Path | None:
        path, chosen = QFileDialog.getSaveFileName(self.window, title, default, filters)
        if not path:
            return None
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".jsonl" if "jsonl" in chosen else ".csv")
        return path

    def _done(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)

    def export_labels_to(self, path: Path, sha256: str | None) -> int:
        from soe_desktop.core.store.exports import export_labels

        return export_labels(self.store, path, sha256=sha256)

    @Slot()
    def export_document_labels(self) -> None:
        sha = self.window.open_sha
        if not sha:
            QMessageBox.information(self.window, "Export labels", "Open a document first.")
            return
        name = Path(self.store.document(sha)["filename"]).stem
        path = self._save_path("Export labels", f"{name}_labels.csv", LABEL_FILTER)
        if path:
            self._run(lambda: self._done(f"{self.export_labels_to(path, sha)} labels written to {path}"))

    @Slot()
    def export_all_labels(self) -> None:
        path = self._save_path("Export all labels", "labels.csv", LABEL_FILTER)
        if path:
            self._run(lambda: self._done(f"{self.export_labels_to(path, None)} labels written to {path}"))

    @Slot()
    def export_soe_pages(self) -> None:
        from soe_desktop.core.store.exports import export_soe_pages

        path = self._save_path("Export SoE pages", "soe_pages.csv", LABEL_FILTER)
        if path:
            self._run(lambda: self._done(f"{export_soe_pages(self.store, path)} documents written to {path}"))

    @Slot()
    def export_active_model(self) -> None:
        try:
            from soe_desktop.core.training.registry import ModelRegistry
        except ImportError as error:
            show_error(self.window, "Export model", f"Training support is not installed ({error}).")
            return
        registry = ModelRegistry.from_settings(self.store, self.settings)
        active = registry.active()
        if active is None:
            QMessageBox.information(self.window, "Export model", "No model is active yet: train one first.")
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export the active model to")
        if folder:
            self._run(lambda: self._done(f"model {active['version']} exported to "
                                         f"{registry.export(active['version'], Path(folder))}"))

    def _run(self, action) -> None:
        """Exports are quick (one query, one file): run them here and report failures plainly."""
        try:
            action()
        except Exception as error:  # disk full, permission denied, ...
            show_error(self.window, "Export failed", str(error))
