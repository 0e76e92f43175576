"""Numbers behind the dashboard, computed from the store (no Qt: testable on its own).

Human labels are the gold standard: every labeler (teacher, student, the auto-accept rule) is
scored on the candidates a person decided, and so is the selective filter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from soe_desktop.core.app.routing import ROUTING_ROW
from soe_desktop.core.labeling.selective_filter import passes_filter
from soe_desktop.core.model import Label, LabelKind, LabelSource
from soe_desktop.core.store.names import document_name


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def agreement(self) -> float | None:
        return (self.tp + self.tn) / self.n if self.n else None

    @property
    def f1(self) -> float | None:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else None


@dataclass
class DocumentRow:
    filename: str
    sha256: str
    status: str
    pages: int
    candidates: int = 0
    soe_pages: int = 0
    reviewed_by_you: int = 0  # a person decided (the gold labels)
    accepted_by_rule: int = 0  # settled by the auto-accept rule, no person has looked
    teacher_vs_human: Score = field(default_factory=Score)
    cost_usd: float = 0.0


@dataclass
class DashboardStats:
    documents: list[DocumentRow]
    labelers: dict[str, Score]
    filter_kept: int = 0
    filter_total: int = 0
    filter_score: Score = field(default_factory=Score)
    cost_usd: float = 0.0
    requests: int = 0

    @property
    def filter_coverage(self) -> float | None:
        return self.filter_kept / self.filter_total if self.filter_total else None


def labeler_family(source: str) -> str:
    """Every 'human:<user>' counts as one 'human'; other sources (each student version) stay apart."""
    return LabelKind.HUMAN.value if LabelSource.parse(source).kind is LabelKind.HUMAN else source


def is_teacher(family: str) -> bool:
    return family != LabelKind.HUMAN and LabelSource.parse(family).kind is LabelKind.TEACHER


def _latest_by_source(labels: list[Label]) -> dict[str, Label]:
    latest: dict[str, Label] = {}
    for label in sorted(labels, key=lambda item: item.id or 0):
        latest[labeler_family(label.source)] = label
    return latest


def compute(store, filter_threshold: float) -> DashboardStats:
    """One pass over the store's labels; cheap enough for the GUI thread on thousands of candidates."""
    by_candidate: dict[str, list[Label]] = defaultdict(list)
    for label in store.labels(include_retracted=False):
        by_candidate[label.candidate_id].append(label)
    costs = {row["document_sha256"]: row for row in store.ledger_totals()}
    stats = DashboardStats([], {})
    for document in store.documents():
        row = DocumentRow(document_name(document), document["sha256"], document["status"], document["page_count"])
        row.cost_usd = float((costs.get(document["sha256"]) or {}).get("cost_usd") or 0.0)
        row.soe_pages = len(store.soe_pages(document["sha256"]))
        for candidate in store.candidates(document["sha256"]):
            row.candidates += 1
            _score_candidate(stats, row, by_candidate.get(candidate.id, []), filter_threshold)
        stats.documents.append(row)
    stats.cost_usd = sum(float(row.get("cost_usd") or 0.0) for row in costs.values())
    stats.requests = sum(int(row.get("requests") or 0) for row in costs.values())
    return stats


def _score_candidate(stats: DashboardStats, row: DocumentRow, labels: list[Label], threshold: float) -> None:
    latest = _latest_by_source(labels)
    human = latest.get("human")
    if human is not None:
        row.reviewed_by_you += 1
    elif any(LabelSource.parse(family).kind is LabelKind.RULE for family in latest):
        row.accepted_by_rule += 1
    teachers = [label for family, label in latest.items() if is_teacher(family)]
    for teacher in teachers:
        stats.filter_total += 1
        kept = passes_filter(teacher, threshold)
        stats.filter_kept += int(kept)
        if human is not None and kept:
            stats.filter_score.add(human.is_soe, teacher.is_soe)
    if human is None:
        return
    for family, label in latest.items():
        if family != "human":
            stats.labelers.setdefault(family, Score()).add(human.is_soe, label.is_soe)
    for teacher in teachers:
        row.teacher_vs_human.add(human.is_soe, teacher.is_soe)


# --- "Ready to replace Gemini?" ------------------------------------------------------------------

RECENT_DOCUMENTS = 20  # the view judges the newest documents: the student of today, not of months ago
MIN_JUDGED = 20  # fewer candidates judged by a person and both labelers than this: too few to tell


@dataclass
class Readiness:
    """Student against Gemini on recent documents: their agreement, each one's page and candidate
    scores against human labels, and what routing saved (from the ledger)."""

    documents: int = 0
    both: int = 0  # candidates labelled by the student and by Gemini
    agree: int = 0
    student_candidates: Score = field(default_factory=Score)  # on candidates a person decided and both labelled
    gemini_candidates: Score = field(default_factory=Score)
    student_pages: Score = field(default_factory=Score)
    gemini_pages: Score = field(default_factory=Score)
    routed: int = 0  # candidates routing judged
    sent_to_cloud: int = 0
    sent_requests: int = 0
    saved_requests: int = 0
    cost_per_request: float | None = None  # mean over the ledger's answered Gemini requests

    @property
    def agreement(self) -> float | None:
        return self.agree / self.both if self.both else None

    @property
    def saved_usd(self) -> float | None:
        return None if self.cost_per_request is None else self.saved_requests * self.cost_per_request

    @property
    def verdict(self) -> str:
        judged = self.student_candidates.n
        student, gemini = self.student_pages.f1, self.gemini_pages.f1
        if judged < MIN_JUDGED or student is None or gemini is None:
            return (f"Not enough to tell yet: {judged} candidates reviewed by a person and labelled by both "
                    f"(needs {MIN_JUDGED}).")
        if student >= gemini:
            return f"Yes: on reviewed pages the student scores F1 {student:.2f} against Gemini's {gemini:.2f}."
        return f"Not yet: on reviewed pages the student scores F1 {student:.2f} against Gemini's {gemini:.2f}."


def _family(label: Label) -> str | None:
    kind = label.kind
    if kind is LabelKind.HUMAN:
        return "human"
    if kind is LabelKind.STUDENT:
        return "student"
    return "gemini" if label.source == "gemini" else None


def readiness(store, recent: int = RECENT_DOCUMENTS) -> Readiness:
    """The "Ready to replace Gemini?" figures over the `recent` newest documents."""
    documents = store.documents()[-recent:] if recent else store.documents()
    result = Readiness(documents=len(documents))
    for document in documents:
        _judge_document(store, document["sha256"], result)
    _add_routing(store, {document["sha256"] for document in documents}, result)
    return result


def _judge_document(store, sha256: str, result: Readiness) -> None:
    latest: dict[str, dict[str, Label]] = defaultdict(dict)
    for label in store.labels(sha256=sha256, include_retracted=False):  # oldest first: the last one wins
        family = _family(label)
        if family is not None:
            latest[label.candidate_id][family] = label
    pages: dict[int, dict[str, bool]] = defaultdict(dict)  # page -> family -> any SoE
    for candidate in store.candidates(sha256):
        found = latest.get(candidate.id, {})
        student, gemini, human = found.get("student"), found.get("gemini"), found.get("human")
        if student is None or gemini is None:
            continue
        result.both += 1
        result.agree += int(student.is_soe == gemini.is_soe)
        if human is None:
            continue
        result.student_candidates.add(human.is_soe, student.is_soe)
        result.gemini_candidates.add(human.is_soe, gemini.is_soe)
        on_page = pages[candidate.page]
        for family, label in (("human", human), ("student", student), ("gemini", gemini)):
            on_page[family] = on_page.get(family, False) or label.is_soe
    for verdicts in pages.values():
        result.student_pages.add(verdicts["human"], verdicts["student"])
        result.gemini_pages.add(verdicts["human"], verdicts["gemini"])


def _add_routing(store, shas: set[str], result: Readiness) -> None:
    answered_requests, answered_cost = 0, 0.0
    for row in store.ledger():
        if row["representation"] == ROUTING_ROW:
            if row["document_sha256"] in shas:
                result.routed += int(row["routed_candidates"] or 0)
                result.sent_to_cloud += int(row["routed_cloud"] or 0)
                result.sent_requests += int(row["sent_requests"] or 0)
                result.saved_requests += int(row["saved_requests"] or 0)
        elif not row["cached"] and not row["failed_requests"] and row["requests"]:
            answered_requests += int(row["requests"])
            answered_cost += float(row["cost_usd"] or 0.0)
    result.cost_per_request = answered_cost / answered_requests if answered_requests else None
