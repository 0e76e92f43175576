"""Applying new settings, including a new data folder, while the app runs (no restart).

A new data folder means another library: its own database, stored PDFs and models. The window
closes the current store and opens (or creates) the one in the new folder, then shows that
library. Nothing in the old folder is moved or deleted; choosing it again brings it back. The
switch waits for idle: an ingest worker or a training run writes to the open database, so
while one runs the folder is refused with a message saying why and what to do.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from soe_desktop.core.settings import Settings, save_settings
from soe_desktop.gui.dialogs.errors import show_error


def busy_reason(window) -> str:
    """Why the data folder cannot change now ('' when it can)."""
    if window.queue.is_busy():
        return "documents are still being processed"
    if window.training_panel.is_running():
        return "a model is training"
    return ""


def same_folder(a: Path, b: Path) -> bool:
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def apply_settings(window, new: Settings) -> None:
    """Make `new` the window's settings and save them; switch libraries when the folder changed."""
    old_folder, old_db = window.settings.data_path, window.settings.db_path
    new_store = None
    if not same_folder(old_folder, new.data_path):
        new_store = _open_new_store(window, new)
        if new_store is None:  # refused or failed: keep the old folder, apply the rest
            new = replace(new, data_dir=window.settings.data_dir)
    for name, value in vars(new).items():
        setattr(window.settings, name, value)
    save_settings(window.settings, window.config_dir)
    if new_store is not None:
        switch_store(window, new_store)
        notify(window, "Data folder changed", moved_message(old_folder, new.data_path, old_db, new.db_path))
    window.training_panel.refresh_dataset()


def _open_new_store(window, new: Settings):
    """The store in the new folder (created when new), or None with the reason shown."""
    reason = busy_reason(window)
    if reason:
        notify(window, "Data folder not changed",
               f"The data folder was not changed because {reason}. Wait until the queue has finished "
               "(or cancel it) and any training has ended, then choose the folder again in Settings. "
               "Your other settings were saved.", QMessageBox.Icon.Warning)
        return None
    from soe_desktop.core.store import Store

    try:
        new.data_path.mkdir(parents=True, exist_ok=True)
        return Store(new.db_path)
    except (OSError, sqlite3.Error) as error:
        show_error(window, "Cannot use this data folder",
                   f"SoE Desktop could not create its library in {new.data_path}: {error}. "
                   "The data folder was not changed.")
        return None


def switch_store(window, store) -> None:
    """Close the current library and show the one in `store`, everywhere the window shows one."""
    old = window.store
    window.show_nothing()
    model = window.queue.model
    for entry in list(model.entries):
        model.remove(entry.key)
    window.session.set_store(store)
    window.store = window.training_panel.store = window.exports.store = store
    if window.dashboard.is_built():
        window.dashboard.panel().store = store
    old.close()
    window.show_library()


def moved_message(old_folder: Path, new_folder: Path, old_db: Path, new_db: Path) -> str:
    """What happened, in plain words."""
    text = (f"SoE Desktop now keeps its documents, labels and models in:\n{new_folder}\n\n"
            f"Everything in the old folder stays where it was; nothing was moved or deleted:\n{old_folder}\n\n"
            "To see those documents again, choose the old folder in Settings.")
    if same_folder(old_db, new_db):
        text += f"\n\nNote: the SOE_DESKTOP_DB environment variable keeps the database at {new_db}."
    return text


def notify(window, title: str, text: str, icon=QMessageBox.Icon.Information) -> QMessageBox:
    """A message box that does not block (the queue and the tests keep running)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("data_folder_notice")
    box.open()
    return box
