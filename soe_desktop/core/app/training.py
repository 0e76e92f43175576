"""Train, register and gate a new student: the one training workflow `soe train` and the window's
training child both call.

Order, and why: the new model is trained and registered *inactive* first (a kill after this leaves
a complete model the user can still pick, and the previous model active); then the promotion gate
(promotion.py) scores it against the active labeler on reviewed documents it did not train on, the
comparison is stored with the model, and only then may it become active.

Which documents the new model must not train on:
- a source without human labels (teacher-filtered, teacher-all) loses little by leaving the reviewed
  documents out, as long as they are a minority (`GatePlan.hold_out_all_up_to`): all of them are
  held out, and the registered model is judged on every one (one run);
- many reviewed documents (`GatePlan.holdout_from` or more): a share of them is held out of the
  training set and the registered model is the one judged;
- fewer: the registered model trains on everything (human labels are too scarce to set aside), and
  k extra runs, each without one fold of the reviewed documents (folds by document), predict the
  documents they did not see (k-fold).
Reviewed documents that give the training set no example are judged by the registered model itself.
"""

from __future__ import annotations

import gc
import logging
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.app.promotion import (
    CHALLENGER,
    CHECKING,
    MIN_FAIR_DOCUMENTS,
    Comparison,
    Fairness,
    ReviewedDocument,
    compare,
    fair_documents,
    label_documents,
    reviewed_documents,
    with_fairness,
)
from soe_desktop.core.app.review import reviewer
from soe_desktop.core.errors import SoeError
from soe_desktop.core.evaluation.fitted_documents import page_model_documents
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.labeling.heuristic import HeuristicTeacher
from soe_desktop.core.settings import Settings
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import TrainingSet, document_folds, split_documents, training_set_from_store
from soe_desktop.core.training.labeler import StudentLabeler
from soe_desktop.core.training.registry import ModelRegistry, save_model_folder
from soe_desktop.core.training.trainer import TrainResult, train

log = logging.getLogger(__name__)
GATE_ACTOR = "promotion gate"


@dataclass(frozen=True)
class GatePlan:
    """How the gate finds documents the new model did not train on."""

    folds: int = 3  # k of the k-fold used with few reviewed documents
    holdout_from: int = 12  # reviewed documents from which a share is held out instead (one run, not k + 1)
    holdout_fraction: float = 0.25
    min_fair_documents: int = MIN_FAIR_DOCUMENTS  # fewer fair reviewed documents: the gate decides nothing
    # Teacher-label sources: hold every reviewed document out while they are at most this share of
    # the training set's documents (0 = never).
    hold_out_all_up_to: float = 0.5
    seed: int = 0


@dataclass
class TrainOutcome:
    """A run as the CLI and the panel report it (plain data: it crosses from the training child)."""

    status: str  # completed | cancelled | failed (of the training run itself)
    version: str
    error: str = ""
    row: dict = field(default_factory=dict)  # the model's registry row
    comparison: Optional[dict] = None  # Comparison.to_dict(), None when the run did not complete
    activated: bool = False
    activated_anyway: bool = False  # made active although the gate did not choose it
    metrics: dict = field(default_factory=dict)
    device: str = "cpu"
    seconds: float = 0.0
    contenders: list[dict] = field(default_factory=list)  # the other runs of the same click (contenders.py)

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def won_gate(self) -> bool:
        return (self.comparison or {}).get("winner") == CHALLENGER

    def to_dict(self) -> dict:
        return asdict(self)

    def verdict(self) -> str:
        """One line: which model won the gate and why, and what became active."""
        if not self.completed:
            return f"model {self.version} was not trained ({self.status})"
        comparison = Comparison.from_dict(self.comparison or {"method": "", "documents": 0, "pages": 0})
        if not comparison.winner:
            what = "not judged: " + comparison.reason
        elif comparison.challenger_wins:
            what = "the new model wins: " + comparison.reason
        else:
            what = "the active labeler stays: " + comparison.reason
        if self.activated_anyway:
            return f"{what}; made active anyway"
        return f"{what}; {'now active' if self.activated else 'not made active'}"


def champion_training_documents(store) -> frozenset[str]:
    """Documents the active student trained on (none recorded for models saved before the list was kept)."""
    row = store.active_model() or {}
    return frozenset((row.get("dataset") or {}).get("document_sha256s", []))


def gate_documents(store, champion: Optional[Labeler] = None) -> Fairness:
    """The reviewed documents the gate may judge on: not those the shipped teacher was fitted on, nor
    (when the champion is the active student) those it trained on."""
    trained = champion_training_documents(store) if champion is None else frozenset()
    return fair_documents(reviewed_documents(store), page_model_documents(), trained)


def active_labeler(store, device: str = "auto") -> Labeler:
    """The champion: the active student, else (none, or its folder unusable) the heuristic teacher."""
    row = store.active_model()
    if row and row.get("path"):
        try:
            return StudentLabeler(row["path"], device=device)
        except SoeError as error:
            log.warning("active model %s cannot be loaded for the gate (%s); judging against the teacher",
                        row["version"], error)
    return HeuristicTeacher()


@dataclass
class _Split:
    """What the registered model trains on and how each reviewed document gets its challenger verdict."""

    train_set: TrainingSet
    by_final: list[ReviewedDocument]  # judged by the registered model (it never saw them)
    folds: list[list[ReviewedDocument]]  # judged by an extra run trained without them
    method: str


def plan_split(dataset: TrainingSet, reviewed: Sequence[ReviewedDocument], plan: GatePlan) -> _Split:
    trained_on = set(dataset.documents)
    unseen = [d for d in reviewed if d.sha256 not in trained_on]
    inside = [d for d in reviewed if d.sha256 in trained_on]
    teacher_only = not dataset.source.startswith("human")
    if inside and teacher_only and len(inside) <= plan.hold_out_all_up_to * len(trained_on):
        held = {d.sha256 for d in inside}
        return _Split(dataset.subset(trained_on - held), unseen + inside, [], "held-out documents")
    if len(reviewed) >= plan.holdout_from and len(inside) >= 2:
        _, held = split_documents([d.sha256 for d in inside], plan.holdout_fraction, plan.seed)
        kept = [d for d in inside if d.sha256 in set(held)]
        return _Split(dataset.subset(trained_on - set(held)), unseen + kept, [], "held-out documents")
    groups = document_folds([d.sha256 for d in inside], plan.folds, plan.seed) if inside else []
    folds = [[d for d in inside if d.sha256 in set(group)] for group in groups]
    return _Split(dataset, unseen, folds, "k-fold by document" if folds else "held-out documents")


def _stage(progress: ProgressCallback, label: str) -> ProgressCallback:
    """Reports of the gate's extra runs, told apart from the registered model's own training."""

    def report(item: Progress) -> None:
        progress(replace(item, stage=CHECKING, message=f"{label}: {item.message or item.stage}"))

    return report


def _fold_predictions(dataset: TrainingSet, fold: list[ReviewedDocument], args: TrainingArguments,
                      progress: ProgressCallback, cancel) -> dict[str, set[int]]:
    """Train without the fold's documents, then predict them (the weights go with a temporary folder)."""
    result = train(dataset.subset(set(dataset.documents) - {d.sha256 for d in fold}), args, progress, cancel)
    if result.status == "cancelled":
        raise Cancelled()
    if not result.completed:
        raise SoeError(f"a check run could not be trained ({result.error})")
    with tempfile.TemporaryDirectory(prefix="soe-gate-") as folder:
        save_model_folder(result, Path(folder))
        result.model = None
        labeler = StudentLabeler(folder, device=result.device)
        predictions = label_documents(labeler, fold, cancel)
    del labeler
    gc.collect()
    return predictions


def run_gate(registry: ModelRegistry, version: str, dataset: TrainingSet, split: _Split, champion: Labeler,
             args: TrainingArguments, progress: ProgressCallback, cancel) -> Comparison:
    """Challenger (the registered `version`, or its k-fold stand-ins) against the champion."""
    judged = split.by_final + [d for fold in split.folds for d in fold]
    progress(Progress(CHECKING, 0, len(judged), f"scoring {champion.name} on {len(judged)} reviewed document(s)"))
    champion_pages = label_documents(champion, judged, cancel)
    challenger_pages: dict[str, set[int]] = {}
    if split.by_final:
        challenger_pages.update(label_documents(StudentLabeler(registry.folder(version), device=args.device),
                                                split.by_final, cancel))
    for index, fold in enumerate(split.folds):
        check(cancel)
        label = f"check {index + 1}/{len(split.folds)}"
        challenger_pages.update(_fold_predictions(dataset, fold, args, _stage(progress, label), cancel))
    return compare(judged, challenger_pages, champion_pages, f"student:{version}", champion.name, split.method,
                   folds=len(split.folds))


def _judge(registry, result: TrainResult, dataset, split, champion, args, progress, cancel,
           fairness: Fairness) -> Comparison:
    reviewed = fairness.fair
    if not reviewed:
        if any(fairness.left_out.values()):
            return Comparison.undecided(f"no fair documents to compare on ({fairness.summary()}): "
                                        "review a few protocols of your own first")
        return Comparison.undecided("no human-reviewed documents to compare on: review a few documents first")
    champion = champion or active_labeler(registry.store, args.device)
    try:
        return run_gate(registry, result.version, dataset, split, champion, args, progress, cancel)
    except Cancelled:
        return Comparison.undecided("the comparison was cancelled", len(reviewed))
    except SoeError as error:
        return Comparison.undecided(f"the comparison could not be made: {error}", len(reviewed))


def train_and_register(
    settings: Settings,
    store,
    args: TrainingArguments,
    source: str,
    threshold: float,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    activate_anyway: bool = False,
    *,
    activate: bool = True,
    plan: GatePlan = GatePlan(),
    champion: Optional[Labeler] = None,
) -> TrainOutcome:
    """Build the training set, train, register the model (inactive), run the promotion gate, store
    its comparison with the model, and make the model active when it wins (or `activate_anyway`).

    `activate=False`: register and judge only (the window leaves activation to the user).
    `champion`: the labeler to beat; default the active student, else the heuristic teacher.
    """
    progress = progress or no_progress
    registry = ModelRegistry(store, settings.models_dir)
    dataset = training_set_from_store(store, source, threshold)
    fairness = gate_documents(store, champion)
    split = plan_split(dataset, fairness.fair, plan)
    result = train(split.train_set, args, progress, cancel)
    row = registry.register(result, activate=False)
    outcome = TrainOutcome(result.status, result.version, result.error, row, metrics=result.metrics,
                           device=result.device, seconds=result.seconds)
    if not result.completed:
        return outcome
    result.model = None  # saved: the gate's runs need the memory
    gc.collect()
    comparison = with_fairness(_judge(registry, result, dataset, split, champion, args, progress, cancel, fairness),
                               fairness, plan.min_fair_documents)
    registry.record_comparison(result.version, comparison.to_dict())
    outcome.comparison = comparison.to_dict()
    if activate and (outcome.won_gate or activate_anyway):
        activate_outcome(registry, outcome)
    outcome.row = registry.get(result.version)
    return outcome


def activate_outcome(registry: ModelRegistry, outcome: TrainOutcome) -> None:
    """Make the run's model active: by the gate when it won, else by the user who insisted."""
    wins = outcome.won_gate
    registry.activate(outcome.version, actor=GATE_ACTOR if wins else reviewer())
    outcome.activated, outcome.activated_anyway = True, not wins
    outcome.row = registry.get(outcome.version)
