"""The first-run tour: four short tips in a small panel over the window's corner.

Non-modal on purpose: a first-time user can drop a PDF or press a key while reading it. "Don't
show again" is remembered in the window's own state file (gui.ini), not in the settings the core
reads, since it is about this window only; Help ▸ Show tips brings the tips back.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

DISMISSED_KEY = "tour/dismissed"
MARGIN = 16
WIDTH = 380


@dataclass(frozen=True)
class Tip:
    title: str
    text: str


TIPS = (
    Tip("Drop protocols here",
        "Drag protocol PDFs, or a whole folder, onto this window (or use File ▸ Open PDFs…). Each one is "
        "checked in the background and appears in the queue on the left; the tables that may be the "
        "Schedule of Events are outlined on its pages."),
    Tip("Review with the keyboard",
        "Each outlined table carries a suggestion. Press <b>S</b> for SoE, <b>N</b> for not SoE, or "
        "<b>A</b> to accept the suggestion; each moves on to the next table. <b>J</b> / <b>K</b> go to "
        "the next / previous table and <b>U</b> to the one the app is least sure of. <b>Ctrl+Z</b> "
        "undoes. The Review menu lists every key."),
    Tip("Read the grid",
        "Under the page, the Grid view shows the selected schedule as activities × visits. Click a cell "
        "to see where it was read on the page, double-click to correct it, and use File ▸ Export to save "
        "it as a spreadsheet."),
    Tip("Train the local model",
        "Once you have reviewed a few protocols, open <b>Train local model</b> (Ctrl+T) and press Start. "
        "The app learns from your reviews and only switches to the new model when it does better than "
        "the current one on protocols it did not learn from."),
)


def tour_dismissed(state: QSettings) -> bool:
    return str(state.value(DISMISSED_KEY, "false")).lower() == "true"


class Tour(QFrame):
    """The tips panel, a child of `window`, kept in its bottom-right corner as the window resizes."""

    closed = Signal()

    def __init__(self, window: QWidget, state: QSettings, tips: tuple[Tip, ...] = TIPS) -> None:
        super().__init__(window)
        self.state, self.tips, self.index = state, tips, 0
        self.setObjectName("first_run_tour")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFixedWidth(WIDTH)
        self._build()
        self._follower = _CornerFollower(self, window)
        self._show_tip()
        self.hide()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.step = QLabel()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.dont_show = QCheckBox("Don't show these tips again")
        for widget in (self.step, self.title, self.text, self.dont_show):
            layout.addWidget(widget)
        buttons = QHBoxLayout()
        self.back = QPushButton("Back")
        self.next = QPushButton("Next")
        self.close_button = QPushButton("Close")
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.next)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.back.clicked.connect(self.previous_tip)
        self.next.clicked.connect(self.next_tip)
        self.close_button.clicked.connect(self.dismiss)

    def start(self) -> None:
        """Show the first tip (Help ▸ Show tips, or the first start)."""
        self.index = 0
        self.dont_show.setChecked(tour_dismissed(self.state))
        self._show_tip()
        self.show()
        self.raise_()
        self._follower.place()

    def _show_tip(self) -> None:
        tip = self.tips[self.index]
        self.step.setText(f"Tip {self.index + 1} of {len(self.tips)}")
        self.title.setText(tip.title)
        self.text.setText(tip.text)
        self.back.setEnabled(self.index > 0)
        last = self.index == len(self.tips) - 1
        self.next.setEnabled(not last)
        self.close_button.setText("Done" if last else "Close")
        self.adjustSize()
        self._follower.place()

    @Slot()
    def next_tip(self) -> None:
        self.index = min(self.index + 1, len(self.tips) - 1)
        self._show_tip()

    @Slot()
    def previous_tip(self) -> None:
        self.index = max(self.index - 1, 0)
        self._show_tip()

    @Slot()
    def dismiss(self) -> None:
        """Hide; with the box ticked, the tips do not come back at the next start."""
        self.state.setValue(DISMISSED_KEY, "true" if self.dont_show.isChecked() else "false")
        self.state.sync()
        self.hide()
        self.closed.emit()


class _CornerFollower(QObject):
    """Moves the tour to the window's bottom-right corner (above the status bar) on every resize."""

    def __init__(self, tour: Tour, window: QWidget) -> None:
        super().__init__(tour)
        self.tour, self.window = tour, window
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.place()
        return False

    def place(self) -> None:
        status = self.window.statusBar().height() if hasattr(self.window, "statusBar") else 0
        x = max(0, self.window.width() - self.tour.width() - MARGIN)
        y = max(0, self.window.height() - self.tour.height() - status - MARGIN)
        self.tour.move(x, y)


def start_tour_unless_dismissed(window: QWidget, state: QSettings) -> Tour:
    """The window's tour, shown now unless the user asked for no more tips."""
    tour = Tour(window, state)
    if not tour_dismissed(state):
        tour.start()
    return tour
