"""The review side panel: the selected candidate's label, both representations and the decision buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.core.pdf.display_text import display_text
from soe_desktop.gui.models.review_session import ReviewSession
from soe_desktop.gui.views.candidate_history import CandidateHistory
from soe_desktop.gui.views.page_view import STATE_COLOURS, STATE_TEXT
from soe_desktop.gui.views.review_reason import reason_text

MAX_GRID_ROWS = 60


def accept_text(suggests_soe: bool) -> str:
    """The Accept button says what accepting sets, so A is never a guess."""
    return f"Accept: {'SoE' if suggests_soe else 'not SoE'} (A)"


def table_text(candidates, candidate) -> str:
    """' · part of a table on pages 3–4 …' for a page of a multi-page table ('' for a one-page table)."""
    pages = sorted({c.page for c in candidates if c.group == candidate.group})
    if len(pages) < 2:
        return ""
    span = f"{pages[0]}–{pages[-1]}" if pages == list(range(pages[0], pages[-1] + 1)) else ", ".join(map(str, pages))
    return f" · part of a table on pages {span}: a decision applies to all its pages"


class ReviewPanel(QWidget):
    """Shows `session.current`; its buttons call the same session methods as the A/S/N/Space/J/K/U keys."""

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_summary())
        layout.addWidget(self._build_buttons())
        grid_box = QGroupBox("Table (json representation)")
        grid_layout = QVBoxLayout(grid_box)
        self.grid = QTableWidget()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.grid.horizontalHeader().setVisible(False)
        self.grid.setWordWrap(False)
        grid_layout.addWidget(self.grid)
        layout.addWidget(grid_box, 3)
        context_box = QGroupBox("Context (text representation)")
        context_layout = QVBoxLayout(context_box)
        self.context = QPlainTextEdit(readOnly=True)
        self.context.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        context_layout.addWidget(self.context)
        layout.addWidget(context_box, 2)
        self.history = CandidateHistory()
        layout.addWidget(self.history)
        session.current_changed.connect(self.show_candidate)
        session.labels_changed.connect(self.refresh)

    def _build_summary(self) -> QWidget:
        box = QGroupBox("Candidate")
        grid = QGridLayout(box)
        self.position = QLabel("–")
        self.position.setWordWrap(True)
        self.verdict = QLabel("–")
        self.verdict.setFont(QFont("Sans", 12, QFont.Weight.Bold))
        self.confidence = QLabel("–")
        self.source = QLabel("–")
        self.reason = QLabel("–")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)  # a labeler's reason may quote the PDF
        self.progress = QLabel("–")
        for label in (self.confidence, self.source, self.progress):
            label.setWordWrap(True)  # long counts or sources wrap instead of widening the window
        rows = [("", self.position), ("Label", self.verdict), ("Confidence", self.confidence),
                ("Source", self.source), ("Reason", self.reason), ("Progress", self.progress)]
        for row, (title, widget) in enumerate(rows):
            grid.addWidget(QLabel(f"<b>{title}</b>" if title else ""), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(widget, row, 1)
        grid.setColumnStretch(1, 1)
        return box

    def _build_buttons(self) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        decide = QGridLayout()  # two by two: the panel stays narrow enough for a laptop screen
        self.accept_button = self._button(accept_text(True), self._accept, decide, 0, 0)
        self.toggle_button = self._button("Switch (Space)", self._toggle, decide, 0, 1)
        self.soe_button = self._button("SoE (S)", self._mark_soe, decide, 1, 0)
        self.not_soe_button = self._button("Not SoE (N)", self._mark_not_soe, decide, 1, 1)
        self.accept_button.setToolTip("Keep the suggestion as it is and go to the next table")
        self.soe_button.setToolTip("This table is a Schedule of Events; then the next table")
        self.not_soe_button.setToolTip("This table is not a Schedule of Events; then the next table")
        self.toggle_button.setToolTip("Switch this table between SoE and not SoE and stay on it")
        move = QHBoxLayout()
        self._button("◀ Prev (K)", self._previous, move)
        self._button("Next (J) ▶", self._next, move)
        self._button("Most uncertain (U)", self._uncertain, move)
        self.sort_box = QCheckBox("Sort by uncertainty")
        self.sort_box.toggled.connect(self._sort_toggled)
        layout.addLayout(decide)
        layout.addLayout(move)
        layout.addWidget(self.sort_box)
        return holder

    def _button(self, text: str, slot, layout: QHBoxLayout | QGridLayout, *cell: int) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
        button.clicked.connect(slot)
        layout.addWidget(button, *cell)
        return button

    @Slot()
    def _accept(self) -> None:
        self.session.accept()

    @Slot()
    def _mark_soe(self) -> None:
        self.session.mark_soe()

    @Slot()
    def _mark_not_soe(self) -> None:
        self.session.mark_not_soe()

    @Slot()
    def _toggle(self) -> None:
        self.session.toggle()

    @Slot()
    def _next(self) -> None:
        self.session.next()

    @Slot()
    def _previous(self) -> None:
        self.session.previous()

    @Slot()
    def _uncertain(self) -> None:
        self.session.next_uncertain()

    @Slot(bool)
    def _sort_toggled(self, enabled: bool) -> None:
        self.session.set_sort_by_uncertainty(enabled)

    @Slot()
    def refresh(self) -> None:
        self.show_candidate(self.session.current)

    @Slot(str)
    def show_candidate(self, candidate_id: str) -> None:
        candidate = self.session.candidate(candidate_id)
        total = len(self.session.candidates)
        self.progress.setText(self.session.counts().text)
        enabled = candidate is not None
        for button in (self.accept_button, self.soe_button, self.not_soe_button, self.toggle_button):
            button.setEnabled(enabled)
        self.accept_button.setText(accept_text(self.session.suggestion(candidate_id) if enabled else True))
        if candidate is None:
            for widget in (self.position, self.verdict, self.confidence, self.source, self.reason):
                widget.setText("–")
            self.grid.clear()
            self.grid.setRowCount(0)
            self.context.setPlainText("")
            self.history.show_history(None, "")
            return
        index = next(i for i, c in enumerate(self.session.candidates) if c.id == candidate_id)
        group_text = table_text(self.session.candidates, candidate)
        self.position.setText(f"{index + 1} of {total} · page {candidate.page} · {candidate.detector}{group_text}")
        self._show_label(candidate_id)
        self._show_grid(candidate.rows)
        self.history.show_history(self.session.store, candidate_id)
        self.context.setPlainText(display_text(candidate.context) or "(no text around the table)")  # no ▯ boxes

    def _show_label(self, candidate_id: str) -> None:
        label = self.session.label(candidate_id)
        state = self.session.state(candidate_id)
        colour = STATE_COLOURS[state].name()
        self.verdict.setText(f"<span style='color:{colour}'>{STATE_TEXT[state]}</span>")
        if label is None:
            self.confidence.setText("–")
            self.source.setText("not labelled yet")
            self.reason.setText("–")
            return
        self.confidence.setText(f"{label.confidence:.2f}" + ("" if label.agree is None else
                                ("  (representations agree)" if label.agree else "  (representations disagree)")))
        kind = str(label.kind)
        self.source.setText(f"{label.source} ({kind})")
        self.reason.setText(reason_text(label, self.session.candidate(candidate_id)))  # + auto-accept's refusal

    def _show_grid(self, rows: list[list[str]]) -> None:
        shown = rows[:MAX_GRID_ROWS]
        self.grid.clear()
        self.grid.setRowCount(len(shown))
        self.grid.setColumnCount(max((len(row) for row in shown), default=0))
        for r, row in enumerate(shown):
            for c, cell in enumerate(row):
                self.grid.setItem(r, c, QTableWidgetItem(display_text(str(cell or "").replace("\n", " "))))
        self.grid.resizeColumnsToContents()
