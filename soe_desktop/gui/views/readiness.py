"""The dashboard's "Ready to replace Gemini?" box: student against Gemini on recent documents."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from soe_desktop.gui.dashboard_stats import Readiness, Score

COLUMNS = ("Labeler", "Page F1", "Candidate F1", "Candidates judged")


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class ReadinessBox(QGroupBox):
    """Fed by `dashboard_stats.readiness`; computes nothing itself."""

    def __init__(self, parent=None) -> None:
        super().__init__("Ready to replace Gemini?", parent)
        layout = QVBoxLayout(self)
        self.verdict = QLabel("–")
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(2, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(90)
        self.details = QLabel("–")
        self.details.setWordWrap(True)
        for widget in (self.verdict, self.table, self.details):
            layout.addWidget(widget)

    def show_readiness(self, readiness: Readiness) -> None:
        self.verdict.setText(f"<b>{readiness.verdict}</b>")
        rows: tuple[tuple[str, Score, Score], ...] = (
            ("Local student", readiness.student_pages, readiness.student_candidates),
            ("Gemini", readiness.gemini_pages, readiness.gemini_candidates))
        for r, (name, pages, candidates) in enumerate(rows):
            for c, value in enumerate((name, _number(pages.f1), _number(candidates.f1), str(candidates.n))):
                self.table.setItem(r, c, QTableWidgetItem(value))
        agreement = "–" if readiness.agreement is None else f"{readiness.agreement:.0%}"
        saved = "–" if readiness.saved_usd is None else f"${readiness.saved_usd:.4f}"
        self.details.setText(
            f"Last {readiness.documents} documents · student and Gemini agree on <b>{agreement}</b> of the "
            f"{readiness.both} candidates both labelled · routing sent {readiness.sent_to_cloud} of "
            f"{readiness.routed} candidates ({readiness.sent_requests} requests) and saved "
            f"<b>{readiness.saved_requests}</b> requests against sending everything (about {saved})")
