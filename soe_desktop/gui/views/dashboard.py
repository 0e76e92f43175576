"""Dashboard: per-document and overall counts, labelers against human labels, filter, cost, and
whether the local student is ready to replace Gemini."""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.core.settings import FILTER_THRESHOLD
from soe_desktop.gui.dashboard_stats import DashboardStats, compute, readiness
from soe_desktop.gui.views.readiness import ReadinessBox

DOC_COLUMNS = ("Document", "Status", "Pages", "Candidates", "SoE pages", "Reviewed by you", "Accepted by rule",
               "Teacher = human", "Cost (USD)")
LABELER_COLUMNS = ("Labeler", "Judged", "Precision", "Recall", "Agreement")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


class DashboardPanel(QWidget):
    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.filter_threshold = getattr(getattr(parent, "settings", None), "filter_threshold", FILTER_THRESHOLD)
        self.stats: DashboardStats | None = None
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.summary = QLabel("–")
        self.summary.setWordWrap(True)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        head.addWidget(self.summary, 1)
        head.addWidget(refresh)
        layout.addLayout(head)
        self.documents = self._table(DOC_COLUMNS)
        docs_box = QGroupBox("Documents")
        QVBoxLayout(docs_box).addWidget(self.documents)
        layout.addWidget(docs_box, 2)
        bottom = QHBoxLayout()
        self.labelers = self._table(LABELER_COLUMNS)
        labelers_box = QGroupBox("Labelers against human labels")
        QVBoxLayout(labelers_box).addWidget(self.labelers)
        bottom.addWidget(labelers_box, 1)
        self.figure = Figure(figsize=(5, 2.6), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        chart_box = QGroupBox("Precision / recall")
        QVBoxLayout(chart_box).addWidget(self.canvas)
        bottom.addWidget(chart_box, 1)
        layout.addLayout(bottom, 2)
        self.readiness = ReadinessBox()
        layout.addWidget(self.readiness, 1)

    @staticmethod
    def _table(columns: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(columns)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    @Slot()
    def refresh(self, *_args) -> None:
        self.stats = compute(self.store, self.filter_threshold)
        self._fill_documents(self.stats)
        self._fill_labelers(self.stats)
        self._draw_chart(self.stats)
        self.readiness.show_readiness(readiness(self.store))
        docs = self.stats.documents
        total = sum(row.candidates for row in docs)
        by_you = sum(row.reviewed_by_you for row in docs)
        by_rule = sum(row.accepted_by_rule for row in docs)
        soe = sum(row.soe_pages for row in docs)
        self.summary.setText(
            f"<b>{len(docs)}</b> documents · <b>{total}</b> candidates · <b>{soe}</b> SoE pages · "
            f"<b>{by_you}</b> reviewed by you · <b>{by_rule}</b> accepted by rule · "
            f"selective filter keeps <b>{_pct(self.stats.filter_coverage)}</b> "
            f"of teacher labels (precision vs human {_pct(self.stats.filter_score.precision)}) · "
            f"cloud cost so far <b>${self.stats.cost_usd:.4f}</b> ({self.stats.requests} requests)")

    def _fill_documents(self, stats: DashboardStats) -> None:
        self.documents.setRowCount(len(stats.documents))
        for r, row in enumerate(stats.documents):
            values = (row.filename, row.status, str(row.pages), str(row.candidates), str(row.soe_pages),
                      f"{row.reviewed_by_you}/{row.candidates}", str(row.accepted_by_rule),
                      _pct(row.teacher_vs_human.agreement), f"{row.cost_usd:.4f}")
            for c, value in enumerate(values):
                self.documents.setItem(r, c, QTableWidgetItem(value))

    def _fill_labelers(self, stats: DashboardStats) -> None:
        items = sorted(stats.labelers.items())
        self.labelers.setRowCount(len(items))
        for r, (name, score) in enumerate(items):
            for c, value in enumerate((name, str(score.n), _pct(score.precision), _pct(score.recall),
                                       _pct(score.agreement))):
                self.labelers.setItem(r, c, QTableWidgetItem(value))

    def _draw_chart(self, stats: DashboardStats) -> None:
        self.figure.clear()
        axes = self.figure.add_subplot(111)
        names = sorted(stats.labelers)
        if stats.filter_score.n:
            names.append("filtered teacher")
        scores = [stats.labelers.get(name, stats.filter_score) for name in names]
        xs = range(len(names))
        axes.bar([x - 0.2 for x in xs], [s.precision or 0 for s in scores], 0.4, label="precision", color="#2266cc")
        axes.bar([x + 0.2 for x in xs], [s.recall or 0 for s in scores], 0.4, label="recall", color="#22a046")
        axes.set_xticks(list(xs), names, fontsize=8)
        axes.set_ylim(0, 1.05)
        axes.legend(fontsize=8, loc="lower right")
        if not names:
            axes.text(0.5, 0.5, "review some candidates to score the labelers", ha="center", va="center",
                      transform=axes.transAxes, color="gray")
        self.canvas.draw_idle()
