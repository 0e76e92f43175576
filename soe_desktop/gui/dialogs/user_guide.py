"""Help ▸ User guide: the guide shipped inside the package, shown in a window of its own.

The guide (docs/USER_GUIDE.md in the source tree) is copied with its screenshots into
soe_desktop/resources/guide/ so that an installed wheel or the desktop bundle carries it; it is
read through importlib.resources and shown as Markdown, pictures included, with no browser needed.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE_FOLDER = "guide"
GUIDE_FILE = "USER_GUIDE.md"


def guide_resource():
    """The guide inside the installed package (a Traversable)."""
    return files("soe_desktop.resources") / GUIDE_FOLDER / GUIDE_FILE


class UserGuideDialog(QDialog):
    """Non-modal: the user can keep the guide open beside the window while trying what it says."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SoE Desktop — User guide")
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # links to the web open in the user's browser, not in here
        self.browser.anchorClicked.connect(self._open_link)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(900, 720)
        self.load()

    def load(self) -> bool:
        """Show the guide; False (and a short note) when this installation lacks it."""
        resource = guide_resource()
        if not resource.is_file():
            self.browser.setPlainText("The user guide is not part of this installation.")
            return False
        with as_file(resource) as path:  # a real file, so the screenshots next to it are found
            self.browser.setSearchPaths([str(Path(path).parent)])
            self.browser.setMarkdown(Path(path).read_text(encoding="utf-8"))
        return True

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())
