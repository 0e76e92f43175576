"""The selected candidate's history in the review panel: every label and retraction, newest first,
with who (OS user and source), when, old -> new and the model that was active.

One indexed query per selection (`Store.candidate_history`), well under a millisecond, so it is
read on the GUI thread like the panel's other data.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QListWidget, QVBoxLayout, QWidget

MAX_SHOWN = 50
VISIBLE_ROWS = 5


def history_line(event: dict) -> str:
    """One history entry as the panel shows it."""
    when = event["at"][:19].replace("T", " ")
    who = event["source"] + (f" ({event['os_user']})" if event["os_user"] and event["os_user"] not in event["source"] else "")
    action = "undo" if event["action"] == "label.retract" else "label" if event["action"] == "label.add" else event["action"]
    old, new = event.get("old_value") or "", event.get("new_value") or ""
    change = f"{old or '–'} → {new or '–'}" if old or new else ""
    reason = (event.get("details") or {}).get("reason") or ""
    model = f" · model {event['model_version']}" if event.get("model_version") else ""
    return " · ".join(part for part in (when, who, action, change, reason) if part) + model


class CandidateHistory(QGroupBox):
    """A short list of what happened to one candidate, read from the store on each selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys stay with the window's shortcuts
        self.list.setMaximumHeight(self.list.fontMetrics().height() * (VISIBLE_ROWS + 1) + 8)
        layout.addWidget(self.list)

    def show_history(self, store, candidate_id: str) -> None:
        self.list.clear()
        if not candidate_id or store is None:
            return
        events = store.candidate_history(candidate_id)
        for event in list(reversed(events))[:MAX_SHOWN]:
            self.list.addItem(history_line(event))
        if not events:
            self.list.addItem("no labels yet")
