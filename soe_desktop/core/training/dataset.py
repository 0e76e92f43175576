"""Training sets: which labels the student learns from, split by document, with class weights.

Kinds (TRAINING_SOURCES): `teacher-filtered` (the paper's method: teacher labels that pass the
selective filter), `teacher-all`, `human`, `human+teacher-filtered` (gold where a person labelled,
filtered teacher labels elsewhere). Student labels are never trained on (no self-training loops),
and retracted labels are ignored.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from soe_desktop.core.labeling.selective_filter import passes_filter
from soe_desktop.core.model import Candidate, Label, LabelKind, LabelSource
from soe_desktop.core.settings import FILTER_THRESHOLD
from soe_desktop.core.training.arguments import TRAINING_SOURCES
from soe_desktop.core.training.features import with_table_cues


@dataclass
class Example:
    """One candidate with the verdict the student should learn for it."""

    candidate: Candidate
    is_soe: bool
    label_source: str
    p_soe: float | None = None  # the label's own P(SoE) (a teacher's confidence); None = take is_soe as certain

    @property
    def soft_target(self) -> float:
        """P(SoE) to learn when training on soft targets: the teacher's probability, 0/1 for humans."""
        return float(self.is_soe) if self.p_soe is None else self.p_soe

    @property
    def document(self) -> str:
        return self.candidate.document_sha256

    @property
    def is_human(self) -> bool:
        return LabelSource.parse(self.label_source).kind is LabelKind.HUMAN


@dataclass
class TrainingSet:
    examples: list[Example]
    source: str = "teacher-filtered"
    threshold: float = FILTER_THRESHOLD
    teacher_labelled: int = 0  # candidates that had a teacher label
    teacher_kept: int = 0  # of those, how many passed the filter (coverage numerator)
    notes: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def documents(self) -> list[str]:
        return sorted({example.document for example in self.examples})

    @property
    def positives(self) -> int:
        return sum(1 for example in self.examples if example.is_soe)

    @property
    def coverage(self) -> float | None:
        """Share of teacher-labelled candidates the filter kept (None when no teacher labels were used)."""
        return self.teacher_kept / self.teacher_labelled if self.teacher_labelled else None

    def class_weights(self) -> tuple[float, float]:
        """Inverse-frequency weights (negative, positive) that make both classes weigh the same in the loss."""
        counts = Counter(example.is_soe for example in self.examples)
        total = len(self.examples)
        if not counts[True] or not counts[False]:
            return (1.0, 1.0)
        return (total / (2 * counts[False]), total / (2 * counts[True]))

    def subset(self, documents: Iterable[str]) -> "TrainingSet":
        keep = set(documents)
        return TrainingSet(
            [example for example in self.examples if example.document in keep],
            self.source,
            self.threshold,
            notes=dict(self.notes),
        )

    def split(self, validation_fraction: float, seed: int = 0) -> tuple["TrainingSet", "TrainingSet"]:
        """(train, validation) by DOCUMENT: no protocol has pages on both sides."""
        train_docs, validation_docs = split_documents(self.documents, validation_fraction, seed)
        return self.subset(train_docs), self.subset(validation_docs)

    def summary(self) -> dict:
        """What the registry stores about the data a model saw."""
        sources = Counter(example.label_source.split(":")[0] for example in self.examples)
        return {
            "source": self.source,
            "threshold": self.threshold,
            "examples": len(self.examples),
            "positives": self.positives,
            "negatives": len(self.examples) - self.positives,
            "documents": len(self.documents),
            # Which documents it saw: the promotion gate never judges a champion on its own training data.
            "document_sha256s": sorted(self.documents),
            "label_sources": dict(sources),
            "teacher_labelled": self.teacher_labelled,
            "teacher_kept": self.teacher_kept,
            "coverage": self.coverage,
            **self.notes,
        }


def split_documents(documents: Sequence[str], validation_fraction: float, seed: int = 0) -> tuple[list[str], list[str]]:
    """Seeded shuffle of documents; at least one validation document whenever there are two or more."""
    ordered = sorted(set(documents))
    if validation_fraction <= 0 or len(ordered) < 2:
        return ordered, []
    random.Random(seed).shuffle(ordered)
    n_validation = min(len(ordered) - 1, max(1, round(validation_fraction * len(ordered))))
    return sorted(ordered[n_validation:]), sorted(ordered[:n_validation])


def document_folds(documents: Sequence[str], k: int, seed: int = 0) -> list[list[str]]:
    """k disjoint groups of documents (for k-fold cross-validation by document)."""
    ordered = sorted(set(documents))
    random.Random(seed).shuffle(ordered)
    k = max(1, min(k, len(ordered)))
    size = math.ceil(len(ordered) / k)
    return [sorted(ordered[i * size : (i + 1) * size]) for i in range(k) if ordered[i * size : (i + 1) * size]]


def _is_usable(label: Label) -> bool:
    return not label.details.get("retracted") and not label.details.get("retracts") and label.kind is not LabelKind.STUDENT


def _latest(labels: Sequence[Label]) -> Label | None:
    """Last stored wins (row id), then timestamp; mirrors the store's precedence rule."""
    if not labels:
        return None
    return max(labels, key=lambda label: (label.id if label.id is not None else -1, label.created_at))


def _labels_by_candidate(labels: Iterable[Label]) -> dict[str, tuple[list[Label], list[Label]]]:
    """candidate id -> (human labels, teacher labels)."""
    grouped: dict[str, tuple[list[Label], list[Label]]] = defaultdict(lambda: ([], []))
    for label in labels:
        if _is_usable(label):
            grouped[label.candidate_id][0 if label.is_human else 1].append(label)
    return grouped


def build_training_set(
    candidates: Sequence[Candidate],
    labels: Iterable[Label],
    source: str = "teacher-filtered",
    threshold: float = FILTER_THRESHOLD,
    require_agreement: bool = True,
) -> TrainingSet:
    """Pick one training verdict per candidate according to `source` (see module docstring)."""
    if source not in TRAINING_SOURCES:
        raise ValueError(f"unknown training source {source!r}; expected one of {TRAINING_SOURCES}")
    grouped = _labels_by_candidate(labels)
    candidates = with_table_cues(candidates)  # over every candidate: the filter may drop part of a table
    use_human = source.startswith("human")
    use_teacher = "teacher" in source
    filtered = source.endswith("teacher-filtered")
    examples: list[Example] = []
    teacher_labelled = teacher_kept = 0
    for candidate in candidates:
        human, teacher = grouped.get(candidate.id, ([], []))
        chosen = _latest(human) if use_human else None
        teacher_label = _latest(teacher) if use_teacher else None
        if teacher_label is not None:
            teacher_labelled += 1
            passes = not filtered or passes_filter(teacher_label, threshold, require_agreement)
            teacher_kept += int(passes)
            if chosen is None and passes:
                chosen = teacher_label
        if chosen is not None:
            soft = None if chosen.is_human else chosen.p_soe
            examples.append(Example(candidate, bool(chosen.is_soe), chosen.source, soft))
    return TrainingSet(examples, source, threshold, teacher_labelled, teacher_kept)


def training_set_from_store(store, source: str = "teacher-filtered", threshold: float = FILTER_THRESHOLD,
                            require_agreement: bool = True) -> TrainingSet:
    """The training set over every current candidate in the store (retracted labels left out)."""
    candidates = store.candidates()
    labels = store.labels(include_retracted=False)
    return build_training_set(candidates, labels, source, threshold, require_agreement)
