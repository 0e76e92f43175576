"""Changing the data folder in Settings takes effect at once: the window opens (or creates) the
library in the new folder; the old folder's documents stay where they were, untouched."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from soe_desktop.core.settings import Settings, load_settings
from soe_desktop.core.store import Store
from soe_desktop.gui.data_folder import apply_settings
from soe_desktop.gui.dialogs.settings_dialog import SettingsDialog

from gui_test_helpers import drop_files, wait_for_queue


def _notice(window) -> str:
    boxes = [box for box in window.findChildren(QMessageBox) if box.objectName() == "data_folder_notice"]
    return boxes[-1].text() if boxes else ""


def _library(db_path: Path) -> tuple[int, int]:
    with Store(db_path) as store:
        documents = store.documents()
        return len(documents), sum(len(store.labels(sha256=d["sha256"])) for d in documents)


def test_a_new_data_folder_opens_its_own_library_at_once(make_window, small_protocol, tmp_path, qtbot,
                                                         isolated_app_dirs, monkeypatch):
    window = make_window()
    assert drop_files(window, [small_protocol[0]])
    wait_for_queue(qtbot, window)
    old_db, old_folder = window.settings.db_path, window.settings.data_path
    stored = Path(window.store.document(window.open_sha)["stored_path"])
    before = _library(old_db)
    new_folder = tmp_path / "new library"

    def choose_new_folder(dialog):
        dialog.data_dir.setText(str(new_folder))
        return SettingsDialog.DialogCode.Accepted.value

    monkeypatch.setattr(SettingsDialog, "exec", choose_new_folder)
    window.open_settings()

    assert window.settings.data_path == new_folder
    assert Path(window.store.path) == new_folder / "soe.db" and (new_folder / "soe.db").exists()
    assert load_settings(isolated_app_dirs / "config").data_dir == str(new_folder)  # saved for next start
    assert window.store is window.session.store is window.training_panel.store is window.exports.store
    assert window.queue.model.entries == [] and window.open_sha == "" and window.page_view.page_count == 0
    assert window.session.candidates == [] and window.thumbnails.count() == 0
    notice = _notice(window)
    assert str(new_folder) in notice and str(old_folder) in notice and "nothing was moved or deleted" in notice

    assert _library(old_db) == before and stored.exists(), "the old library must stay as it was"
    assert drop_files(window, [small_protocol[0]])  # new documents go to the new folder
    wait_for_queue(qtbot, window)
    (document,) = window.store.documents()
    assert Path(document["stored_path"]).parent == new_folder / "documents"
    assert _library(old_db) == before
    window.show_dashboard()
    assert window.dashboard.panel().store is window.store

    apply_settings(window, replace(window.settings, data_dir=str(old_folder)))  # and back again
    assert Path(window.store.path) == old_db
    assert [entry.sha256 for entry in window.queue.model.entries] == [d["sha256"] for d in window.store.documents()]
    assert len(window.queue.model.entries) == before[0]


def test_the_data_folder_does_not_change_while_documents_are_processed(make_window, small_protocol, tmp_path,
                                                                       qtbot):
    window = make_window([str(small_protocol[0])])  # queued: it waits for start-up to finish
    old_store, old_db = window.store, window.settings.db_path
    assert window.queue.is_busy()
    apply_settings(window, replace(window.settings, data_dir=str(tmp_path / "elsewhere"), auto_accept_threshold=0.9))
    assert window.store is old_store and window.settings.db_path == old_db
    assert window.settings.auto_accept_threshold == 0.9, "the other settings still apply"
    assert "not changed because documents are still being processed" in _notice(window)
    assert not (tmp_path / "elsewhere").exists()
    wait_for_queue(qtbot, window)
    assert window.queue.model.entries[0].status in ("needs review", "done")


def test_the_dialog_locks_the_data_folder_while_work_runs_and_says_why(qtbot):
    busy = SettingsDialog(Settings(), data_folder_busy="documents are still being processed")
    qtbot.addWidget(busy)
    assert not busy.data_dir.isEnabled() and "documents are still being processed" in busy.data_dir_note.text()
    idle = SettingsDialog(Settings())
    qtbot.addWidget(idle)
    assert idle.data_dir.isEnabled() and "nothing is moved or deleted" in idle.data_dir_note.text()
