"""Review of one document: the candidate list, the current one, and undoable decisions.

Decisions go to the store at once (append-only). Undo appends a retraction of the decision's
label; redo appends the decision again. Nothing is ever deleted.

Each document keeps its own undo stack in one QUndoGroup whose active stack is the shown
document's: going back to a document brings its history back, and Ctrl+Z never changes a
document that is not on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from soe_desktop.core.model import Candidate, Label, soe_pages_of
from soe_desktop.core.app.routing import is_routed_to_review
from soe_desktop.core.app.review import is_reviewed, refresh_status, review, review_state, undo_review


@dataclass(frozen=True)
class ReviewCounts:
    """How many candidates of a document are settled, and by whom: a rule's acceptance is not a
    person's review, so the two are never added up into one "reviewed" figure."""

    by_you: int
    by_rule: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.by_you} of {self.total} reviewed by you · {self.by_rule} accepted by rule"


class DecisionCommand(QUndoCommand):
    """One human decision on one candidate's table (all its pages: core review()); doing it selects
    `then_select` (the next candidate), undoing it goes back to the candidate decided on."""

    def __init__(self, session: "ReviewSession", candidate_id: str, is_soe: bool, reason: str,
                 then_select: str = "") -> None:
        super().__init__(f"{'SoE' if is_soe else 'not SoE'}: {candidate_id}")
        self.session, self.candidate_id, self.is_soe, self.reason = session, candidate_id, is_soe, reason
        self.then_select = then_select or candidate_id
        self.sha256 = session.sha256  # the document this decision belongs to
        self.label_ids: list[int] = []

    def redo(self) -> None:  # the core's review workflow: the labels and the document's status
        self.label_ids = review(self.session.store, self.sha256, self.candidate_id, self.is_soe, self.reason,
                                self.session.actor)
        self.session.views_changed_for(self.then_select, self.sha256)

    def undo(self) -> None:
        if self.label_ids:
            undo_review(self.session.store, self.sha256, self.label_ids, self.session.actor)
            self.label_ids = []
        self.session.views_changed_for(self.candidate_id, self.sha256)


class ReviewSession(QObject):
    """Candidates of the open document with their effective labels; lives on the GUI thread."""

    labels_changed = Signal()  # any label of this document changed
    current_changed = Signal(str)  # candidate id ('' when none)

    def __init__(self, store, actor: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.undo_group = QUndoGroup(self)  # its active stack is the shown document's
        self._stacks: dict[str, QUndoStack] = {}
        self.sha256 = ""
        self.candidates: list[Candidate] = []
        self.labels: dict[str, Label] = {}
        self.current = ""
        self.sort_by_uncertainty = False

    # ----- loading --------------------------------------------------------------------------
    @property
    def undo_stack(self) -> QUndoStack | None:
        """The shown document's undo history (None when no document is shown)."""
        return self.undo_group.activeStack()

    def load(self, sha256: str) -> None:
        """Show another document, with its own undo history (kept from its last visit)."""
        self.sha256 = sha256
        self.undo_group.setActiveStack(self._stack_for(sha256) if sha256 else None)
        self.candidates = list(self.store.candidates(sha256)) if sha256 else []
        self.labels = dict(self.store.effective_labels(sha256)) if sha256 else {}
        self._order()
        self.current = ""
        self.labels_changed.emit()
        self.select(self.first_to_review())

    def _stack_for(self, sha256: str) -> QUndoStack:
        stack = self._stacks.get(sha256)
        if stack is None:
            stack = self._stacks[sha256] = QUndoStack(self)
            self.undo_group.addStack(stack)
        return stack

    def push_command(self, sha256: str, command: QUndoCommand) -> None:
        """Put a change made elsewhere (e.g. a label import) on `sha256`'s undo history; QUndoStack
        calls its redo() at once, so a command for work already done makes that first redo a no-op."""
        self._stack_for(sha256).push(command)

    def set_store(self, store) -> None:
        """Review another library (data folder): the old histories point at the old database."""
        self.load("")
        for stack in self._stacks.values():
            self.undo_group.removeStack(stack)
            stack.deleteLater()
        self._stacks.clear()
        self.store = store

    def reload_labels(self) -> None:
        self.labels = dict(self.store.effective_labels(self.sha256)) if self.sha256 else {}
        self._order()
        self.labels_changed.emit()

    def labels_changed_for(self, candidate_id: str, sha256: str | None = None) -> None:
        """Labels of `sha256` (the shown document when None) changed outside the review workflow
        (an import or its undo): its status follows, then the views."""
        refresh_status(self.store, self.sha256 if sha256 is None else sha256)
        self.views_changed_for(candidate_id, sha256)

    def views_changed_for(self, candidate_id: str, sha256: str | None = None) -> None:
        """A decision on `sha256` was made, undone or redone (its status already follows)."""
        sha256 = self.sha256 if sha256 is None else sha256
        if sha256 == self.sha256:
            self.reload_labels()
            self.select(candidate_id)

    def _order(self) -> None:
        if self.sort_by_uncertainty:
            self.candidates.sort(key=self._uncertain_first)
        else:
            self.candidates.sort(key=lambda c: (c.page, c.bbox[1], c.bbox[0]))

    def set_sort_by_uncertainty(self, enabled: bool) -> None:
        self.sort_by_uncertainty = enabled
        self._order()
        self.labels_changed.emit()

    # ----- queries --------------------------------------------------------------------------
    def candidate(self, candidate_id: str) -> Candidate | None:
        return next((c for c in self.candidates if c.id == candidate_id), None)

    def label(self, candidate_id: str) -> Label | None:
        return self.labels.get(candidate_id)

    def state(self, candidate_id: str) -> str:
        return review_state(self.labels.get(candidate_id))

    def _uncertain_first(self, candidate: Candidate) -> tuple[bool, bool, float]:
        """Open before settled; among the open, those routed to review (routing.py: the student was
        unsure and Gemini could not be asked) first; then the most uncertain."""
        label = self.labels.get(candidate.id)
        return is_reviewed(label), not is_routed_to_review(label), -self.uncertainty(candidate.id)

    def uncertainty(self, candidate_id: str) -> float:
        """0 = certain, 1 = a coin flip (distance of p(SoE) from 0.5, flipped)."""
        label = self.labels.get(candidate_id)
        return 1.0 if label is None else 1.0 - 2.0 * abs(label.p_soe - 0.5)

    def counts(self) -> ReviewCounts:
        labels = [self.labels.get(c.id) for c in self.candidates]
        by_you = sum(label is not None and label.is_human for label in labels)
        settled = sum(is_reviewed(label) for label in labels)
        return ReviewCounts(by_you=by_you, by_rule=settled - by_you, total=len(labels))

    def soe_pages(self) -> list[int]:
        return soe_pages_of(self.candidates, self.labels)

    # ----- navigation -------------------------------------------------------------------------
    def first_to_review(self) -> str:
        """Where a freshly opened document starts: sorted by uncertainty, the first of that order
        (the most uncertain open candidate); else the first SoE table in page order, so the
        review does not open on an abbreviation list. The first candidate when neither exists."""
        if not self.candidates:
            return ""
        if not self.sort_by_uncertainty:
            soe = next((c for c in self.candidates if (label := self.labels.get(c.id)) and label.is_soe), None)
            if soe is not None:
                return soe.id
        return self.candidates[0].id

    def select(self, candidate_id: str) -> None:
        if candidate_id and self.candidate(candidate_id) is None:
            candidate_id = ""
        self.current = candidate_id
        self.current_changed.emit(candidate_id)

    def _index(self) -> int:
        return next((i for i, c in enumerate(self.candidates) if c.id == self.current), -1)

    def next(self) -> None:
        if self.candidates:
            self.select(self.candidates[min(self._index() + 1, len(self.candidates) - 1)].id)

    def previous(self) -> None:
        if self.candidates:
            self.select(self.candidates[max(self._index() - 1, 0)].id)

    def next_uncertain(self) -> None:
        """The most uncertain candidate nobody (person or rule) has settled yet (those routed to
        review first)."""
        open_ones = [c for c in self.candidates if not is_reviewed(self.labels.get(c.id)) and c.id != self.current]
        if open_ones:
            self.select(min(open_ones, key=self._uncertain_first).id)

    # ----- decisions --------------------------------------------------------------------------
    # The keys say what they set: S = SoE, N = not SoE, A = the suggestion as it is. Each is one
    # decision on the whole table and moves on to the next table, so a review is one key a table.
    def suggestion(self, candidate_id: str) -> bool:
        """What accepting `candidate_id` sets: its current verdict (an unlabelled one is taken as SoE)."""
        label = self.labels.get(candidate_id)
        return True if label is None else label.is_soe

    def accept(self) -> None:
        """Confirm the verdict shown (an unlabelled candidate is confirmed as SoE), then the next table."""
        if self.current:
            self.decide(self.suggestion(self.current), "accepted", then_next=True)

    def mark_soe(self) -> None:
        """The table is an SoE, whatever was suggested; then the next table."""
        self.decide(True, "marked SoE", then_next=True)

    def mark_not_soe(self) -> None:
        """The table is not an SoE, whatever was suggested; then the next table."""
        self.decide(False, "marked not SoE", then_next=True)

    def toggle(self) -> None:
        """Switch the shown table between SoE and not SoE and stay on it (a correction to look at)."""
        label = self.labels.get(self.current)
        self.decide(not (label.is_soe if label else False), "toggled")

    def decide(self, is_soe: bool, reason: str, then_next: bool = False) -> None:
        """Record a decision on the current candidate's table (undoable); `then_next` moves on."""
        if self.current and self.undo_stack is not None:
            after = self.next_table() if then_next else ""
            self.undo_stack.push(DecisionCommand(self, self.current, is_soe, reason, then_select=after))

    def next_table(self) -> str:
        """The candidate after the current one's table, in the order shown (taken before a decision
        re-sorts it); the current one when its table is the last."""
        index = self._index()
        group = self.candidate(self.current).group if index >= 0 else None
        following = (c.id for c in self.candidates[index + 1:] if c.group != group)
        return next(following, self.current)
