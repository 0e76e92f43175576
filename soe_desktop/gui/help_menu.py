"""The Help menu (user guide, tips, data folder, About) and the first-run tour it can bring back."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence

from soe_desktop.gui.tour import start_tour_unless_dismissed


class HelpMenu(QObject):
    def __init__(self, window, menu) -> None:
        super().__init__(window)
        self.window, self.menu = window, menu
        self.guide = None
        self.tour = start_tour_unless_dismissed(window, window.gui_state)
        window._action(menu, "&User guide", self.show_guide, QKeySequence.StandardKey.HelpContents)
        window._action(menu, "Show &tips", self.tour.start)
        menu.addSeparator()
        window._action(menu, "Open &data folder", self.open_data_folder)
        window._action(menu, "&About SoE Desktop", self.show_about)

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
