"""The training set a run would learn from, before Start: per class, human labels and teacher labels
kept and dropped by the filter; look-alike negatives; a warning when a class is too small.
Fed a `core.app.training_data.TrainingDataView` (computed on a worker)."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from soe_desktop.core.app.training_data import TrainingDataView

ROWS = (("Human labels", "human"), ("Teacher labels kept", "teacher_kept"),
        ("Teacher labels dropped by the filter", "teacher_dropped"))
COLUMNS = ("", "SoE", "Not SoE")


class TrainingDataBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(len(ROWS), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(120)
        self.summary = QLabel("Counting the labels…")
        self.summary.setWordWrap(True)
        self.warning = QLabel("")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b35900;")
        for widget in (self.table, self.summary, self.warning):
            layout.addWidget(widget)

    def cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def show_view(self, view: TrainingDataView) -> None:
        for r, (title, key) in enumerate(ROWS):
            counts = getattr(view, key)
            unused = key != "human" and not view.teacher_used
            values = (title, "–" if unused else str(counts.soe), "–" if unused else str(counts.not_soe))
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.summary.setText(f"{view.examples} examples ({view.positives} SoE, {view.negatives} not) from "
                             f"{view.documents} document(s); {view.lookalike_negatives} look-alike negative(s) "
                             "(tables that look like an SoE but are not)")
        self.warning.setText("\n".join(view.warnings))
        self.warning.setVisible(bool(view.warnings))

    def show_error(self, message: str) -> None:
        self.summary.setText(f"The training set could not be counted: {message}")
