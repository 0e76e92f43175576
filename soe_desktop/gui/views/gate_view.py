"""The promotion gate's comparison for one model: both page F1s side by side, the pages where the
new model and the active labeler disagree, and "Make active" (plain when the new model won, behind a
warning dialog when it did not or could not be judged)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.core.app.promotion import CHALLENGER

FIGURE_COLUMNS = ("", "Page F1", "Precision", "Recall", "TP", "FP", "FN")
DIFFERENCE_COLUMNS = ("Document", "Page", "Reviewers", "New model", "Active labeler")


def _soe(value: bool) -> str:
    return "SoE" if value else "not SoE"


def confirm_anyway(parent: QWidget, text: str) -> bool:
    """The warning a user must accept to activate a model the gate did not choose."""
    answer = QMessageBox.warning(parent, "Make this model active anyway?", text,
                                 QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                 QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table


class ComparisonView(QGroupBox):
    """Shows a stored comparison (`Comparison.to_dict()`); emits `activate_requested(version)` once
    the user chose to activate (and, for a model that did not win, accepted the warning)."""

    activate_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("New model vs active labeler", parent)
        self.version: Optional[str] = None
        self.comparison: dict = {}
        layout = QVBoxLayout(self)
        self.verdict = QLabel("Train a model to compare it with the active labeler.")
        self.verdict.setWordWrap(True)
        self.fairness = QLabel("")
        self.fairness.setWordWrap(True)
        self.figures = _table(FIGURE_COLUMNS)
        self.figures.setMaximumHeight(90)
        self.differences = _table(DIFFERENCE_COLUMNS)
        self.make_active = QPushButton("Make active")
        self.make_active.setEnabled(False)
        self.make_active.clicked.connect(self.request_activation)
        for widget in (self.verdict, self.fairness, self.figures, self.differences, self.make_active):
            layout.addWidget(widget)

    @property
    def challenger_won(self) -> bool:
        return self.comparison.get("winner") == CHALLENGER

    def show_comparison(self, version: Optional[str], comparison: Optional[dict], active: bool = False) -> None:
        self.version, self.comparison = version, dict(comparison or {})
        self._fill_figures()
        self._fill_differences()
        if version is None:
            self.verdict.setText("Train a model to compare it with the active labeler.")
        elif not self.comparison:
            self.verdict.setText(f"Model {version} was not compared with the active labeler.")
        else:
            self.verdict.setText(self.comparison.get("reason", ""))
        self.fairness.setText(fairness_text(self.comparison))
        self.make_active.setEnabled(version is not None and not active)
        self.make_active.setText("Make active" if self.challenger_won or version is None else "Make active anyway…")

    def _fill_figures(self) -> None:
        rows = [(title, self.comparison.get(key)) for title, key in (("New model", "challenger"),
                                                                        ("Active labeler", "champion"))]
        rows = [(title, figures) for title, figures in rows if figures]
        self.figures.setRowCount(len(rows))
        for r, (title, figures) in enumerate(rows):
            values = (f"{title} ({figures['name']})", f"{figures['f1']:.3f}", f"{figures['precision']:.3f}",
                      f"{figures['recall']:.3f}", str(figures["tp"]), str(figures["fp"]), str(figures["fn"]))
            for c, value in enumerate(values):
                self.figures.setItem(r, c, QTableWidgetItem(value))

    def _fill_differences(self) -> None:
        rows = self.comparison.get("differences") or []
        self.differences.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (row["document"], str(row["page"]), _soe(row["truth"]), _soe(row["challenger"]),
                      _soe(row["champion"]))
            for c, value in enumerate(values):
                self.differences.setItem(r, c, QTableWidgetItem(value))
        total = self.comparison.get("different_pages", len(rows))
        self.differences.setToolTip(f"{total} page(s) judged differently" + (
            f"; the first {len(rows)} listed" if total > len(rows) else ""))

    @Slot()
    def request_activation(self) -> None:
        if self.version is None:
            return
        if not self.challenger_won:
            reason = self.comparison.get("reason") or "it was not compared with the active labeler"
            if not confirm_anyway(self, f"The promotion gate did not choose model {self.version}: {reason}."):
                return
        self.activate_requested.emit(self.version)


def fairness_text(comparison: dict) -> str:
    """How many reviewed documents the gate could judge on, and why the others were left out."""
    if not comparison or "fair_documents" not in comparison:
        return ""
    left_out = [f"{count} left out: {why}" for why, count in (comparison.get("left_out") or {}).items() if count]
    return (f"Judged on {comparison['fair_documents']} fair reviewed document(s), "
            f"{comparison.get('different_pages', 0)} page(s) judged differently"
            + (" (" + "; ".join(left_out) + ")" if left_out else "") + ".")
