"""What a training run would learn from, shown before it starts: human labels and teacher labels
kept and dropped by the selective filter, per class; look-alike negatives; too-small classes.

Why before Start: a set with a handful of SoE examples, or with no look-alikes among its
negatives, trains a student that cannot beat its teacher, and a run costs minutes. No torch here:
the window computes this on a worker thread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from soe_desktop.core.model import LabelKind, LabelSource
from soe_desktop.core.training.arguments import DEFAULT_SOURCE, HUMAN_SOURCE
from soe_desktop.core.training.dataset import Example, training_set_from_store
from soe_desktop.core.training.features import VOTE_GRID

MIN_PER_CLASS = 30  # below this many examples of a class the student barely learns it


@dataclass
class ClassCounts:
    soe: int = 0
    not_soe: int = 0

    @property
    def total(self) -> int:
        return self.soe + self.not_soe

    def add(self, is_soe: bool) -> None:
        if is_soe:
            self.soe += 1
        else:
            self.not_soe += 1


@dataclass
class TrainingDataView:
    source: str
    threshold: float
    human: ClassCounts = field(default_factory=ClassCounts)
    teacher_kept: ClassCounts = field(default_factory=ClassCounts)  # teacher (or rule) labels in the set
    teacher_dropped: ClassCounts = field(default_factory=ClassCounts)  # by the filter; per the teacher's verdict
    teacher_used: bool = True  # False for the human-only source
    lookalike_negatives: int = 0
    documents: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def examples(self) -> int:
        return self.human.total + self.teacher_kept.total

    @property
    def positives(self) -> int:
        return self.human.soe + self.teacher_kept.soe

    @property
    def negatives(self) -> int:
        return self.human.not_soe + self.teacher_kept.not_soe

    def to_dict(self) -> dict:
        return {**asdict(self), "examples": self.examples, "positives": self.positives, "negatives": self.negatives}


def _latest_teacher_verdicts(labels) -> dict[str, bool]:
    """candidate id -> the latest teacher (or rule) verdict, as the training set would read it."""
    latest: dict[str, tuple[int, bool]] = {}
    for label in labels:
        if label.kind in (LabelKind.TEACHER, LabelKind.RULE) and not label.details.get("retracts"):
            key = label.id or 0
            if label.candidate_id not in latest or key >= latest[label.candidate_id][0]:
                latest[label.candidate_id] = (key, bool(label.is_soe))
    return {candidate: verdict for candidate, (_, verdict) in latest.items()}


def is_lookalike(example: Example, teacher_said_soe: bool) -> bool:
    """A negative that looks like an SoE: its grid's shape votes SoE (marks under visit-like
    headers), or the teacher called it SoE and a person said otherwise."""
    if example.is_soe:
        return False
    return example.candidate.features.get(VOTE_GRID, 0.0) > 0.0 or teacher_said_soe


def _warnings(view: TrainingDataView) -> list[str]:
    out = []
    for count, name in ((view.positives, "SoE"), (view.negatives, "not-SoE")):
        if count < MIN_PER_CLASS:
            out.append(f"Only {count} {name} example(s), under {MIN_PER_CLASS}: the student may not learn that "
                       "class. Review or import more labels, or lower the filter threshold.")
    return out


def default_training_source(store) -> str:
    """What one click learns from: the user's reviews (gold) plus the filtered teacher labels as soon
    as there is any review, else the filtered teacher labels alone (the paper's method)."""
    has_reviews = any(label.is_human and not label.details.get("retracts")
                      for label in store.labels(include_retracted=False))
    return HUMAN_SOURCE if has_reviews else DEFAULT_SOURCE


def training_data_view(store, source: Optional[str], threshold: float) -> TrainingDataView:
    """Counts over the set `training_set_from_store(store, source, threshold)` would build;
    `source` None: the library's default (default_training_source), named in the view."""
    source = source or default_training_source(store)
    dataset = training_set_from_store(store, source, threshold)
    teacher = _latest_teacher_verdicts(store.labels(include_retracted=False))
    view = TrainingDataView(source, dataset.threshold, teacher_used="teacher" in source,
                            documents=len(dataset.documents))
    in_set = set()
    for example in dataset.examples:
        in_set.add(example.candidate.id)
        human = LabelSource.parse(example.label_source).kind is LabelKind.HUMAN
        (view.human if human else view.teacher_kept).add(example.is_soe)
        view.lookalike_negatives += is_lookalike(example, teacher.get(example.candidate.id, False))
    if view.teacher_used:
        current = {candidate.id for candidate in store.candidates()}  # labels of stale candidates do not count
        for candidate_id, verdict in teacher.items():
            if candidate_id in current and candidate_id not in in_set:
                view.teacher_dropped.add(verdict)
    view.warnings = _warnings(view)
    return view
