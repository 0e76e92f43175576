"""Numbers behind the dashboard, computed from the store (no Qt: testable on its own).

Human labels are the gold standard: every labeler (teacher, student, the auto-accept rule) is
scored on the candidates a person decided, and so is the selective filter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from soe_desktop.core.labeling.selective_filter import passes_filter
from soe_desktop.core.model import Label, LabelKind, LabelSource


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
        row = DocumentRow(document["filename"], document["sha256"], document["status"], document["page_count"])
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
