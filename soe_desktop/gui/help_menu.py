"""The Help menu (user guide, tips, data folder, a backup of the library, About) and the first-run
tour it can bring back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog

from soe_desktop.gui.dialogs.errors import show_error
from soe_desktop.gui.tour import start_tour_unless_dismissed
from soe_desktop.gui.window_menus import add_action
from soe_desktop.gui.workers import WorkerPool, create_worker


class HelpMenu(QObject):
    def __init__(self, window, menu) -> None:
        super().__init__(window)
        self.window, self.menu = window, menu
        self.guide = None
        self.pool = WorkerPool(max_threads=1, parent=self)  # the backup copies off the GUI thread
        self.tour = start_tour_unless_dismissed(window, window.gui_state)
        add_action(window, menu, "&User guide", self.show_guide, QKeySequence.StandardKey.HelpContents)
        add_action(window, menu, "Show &tips", self.tour.start)
        menu.addSeparator()
        add_action(window, menu, "Open &data folder", self.open_data_folder)
        self.backup_action = add_action(window, menu, "&Back up the library…", self.ask_backup)
        add_action(window, menu, "&About SoE Desktop", self.show_about)

    @Slot()
    def show_guide(self) -> None:
        """One guide window, reused; non-modal so it can stay open beside the work."""
        from soe_desktop.gui.dialogs.user_guide import UserGuideDialog

        if self.guide is None:
            self.guide = UserGuideDialog(self.window)
        if self.guide.isVisible():
            self.guide.raise_()  # already open behind the window: bring it to the front
        self.guide.show()

    @Slot()
    def open_data_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.window.settings.data_path)))

    @Slot()
    def show_about(self) -> None:
        from soe_desktop.gui.dialogs.about_dialog import AboutDialog

        AboutDialog(self.window.settings.data_path, self.window.store, self.window).exec()

    @Slot()
    def ask_backup(self) -> None:
        default = self.window.settings.backups_dir / f"soe-{datetime.now():%Y%m%d-%H%M%S}.db"
        path, _ = QFileDialog.getSaveFileName(self.window, "Back up the library", str(default),
                                              "Library backup (*.db)")
        if path:
            self.back_up_to(Path(path))

    def back_up_to(self, target: Path):
        """Copy the library to `target` on a worker (safe while the app writes to it); the status
        bar says where it went, or an error dialog why not."""
        from soe_desktop.core.store.backup import backup_library

        settings = self.window.settings
        self.backup_action.setEnabled(False)
        task = lambda progress, cancel: backup_library(settings.db_path, target, settings.models_dir,  # noqa: E731
                                                       progress=progress, cancel=cancel)
        worker = create_worker(task, "library backup", finished=lambda _manifest: self._backed_up(target),
                               failed=self._backup_failed, ended=lambda: self.backup_action.setEnabled(True))
        return self.pool.start(worker)

    def _backed_up(self, target: Path) -> None:
        self.window.statusBar().showMessage(f"Library backed up to {target}", 15000)

    def _backup_failed(self, message: str) -> None:
        show_error(self.window, "Backup failed", message)

    def shutdown(self) -> None:
        self.pool.shutdown()
