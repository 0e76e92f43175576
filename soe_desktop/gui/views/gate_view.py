"""The promotion gate's comparison for one model: both page F1s side by side, the pages where the
new model and the active labeler disagree (each with a small picture of the page, drawn on a worker),
and "Make active" (plain when the new model won, behind a warning dialog when it did not or could not
be judged)."""

from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtGui import QIcon, QPixmap
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
from soe_desktop.core.pdf.thumbnails import page_thumbnails

FIGURE_COLUMNS = ("", "Page F1", "Precision", "Recall", "TP", "FP", "FN")
DIFFERENCE_COLUMNS = ("Document", "Page", "Reviewers", "New model", "Active labeler")
PAGE_COLUMN = 1
THUMBNAIL_PX = 72
MAX_THUMBNAILS = 40  # the first rows get pictures; the rest are listed (a stored comparison lists 200)


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

    def __init__(self, pool=None, document_path: Optional[Callable[[str], Optional[str]]] = None,
                 parent: QWidget | None = None) -> None:
        """`pool` (a WorkerPool) draws the page pictures of the differing pages; `document_path`
        gives a document's stored file from its sha256. Without them the pages are listed only."""
        super().__init__("New model vs active labeler", parent)
        self.version: Optional[str] = None
        self.comparison: dict = {}
        self.pool, self.document_path = pool, document_path
        self._drawing: Optional[object] = None  # the request whose pictures are awaited
        layout = QVBoxLayout(self)
        self.verdict = QLabel("Train a model to compare it with the active labeler.")
        self.verdict.setWordWrap(True)
        self.fairness = QLabel("")
        self.fairness.setWordWrap(True)
        self.figures = _table(FIGURE_COLUMNS)
        self.figures.setMaximumHeight(90)
        self.differences = _table(DIFFERENCE_COLUMNS)
        self.differences.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
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
        self._draw_pages(rows[:MAX_THUMBNAILS])

    def _draw_pages(self, rows: list[dict]) -> None:
        """Pictures of the listed pages, drawn on a worker; a newer comparison makes them stale."""
        self._drawing = None
        if self.pool is None or self.document_path is None or not rows:
            return
        paths: dict[str, Optional[str]] = {}
        wanted = []
        for r, row in enumerate(rows):
            sha = row.get("sha256") or ""
            if sha not in paths:
                paths[sha] = self.document_path(sha) if sha else None
            if paths[sha]:
                wanted.append((r, paths[sha], int(row["page"])))
        if not wanted:
            return
        request = self._drawing = object()
        pages = [(path, page) for _r, path, page in wanted]
        self.pool.run(lambda _progress, cancel: page_thumbnails(pages, THUMBNAIL_PX, cancel), name="page pictures",
                      finished=lambda pictures: self._show_pictures(request, wanted, pictures))

    def _show_pictures(self, request: object, wanted: list[tuple[int, str, int]], pictures: dict) -> None:
        if request is not self._drawing:
            return
        for r, path, page in wanted:
            picture = QPixmap()
            item = self.differences.item(r, PAGE_COLUMN)
            if item is not None and (path, page) in pictures and picture.loadFromData(pictures[(path, page)], "PNG"):
                item.setIcon(QIcon(picture))
        self.differences.resizeRowsToContents()

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
