"""The promotion gate (champion / challenger): is a newly trained student at least as good as the
labeler it would replace, on documents a person reviewed and the new model never trained on?

Why a gate: a student trained on teacher labels can score lower than its teacher on a user's own
protocols (issue 18: 0.940 vs 0.960 page F1 on unseen sponsors) and still became the active model.
Here the truth is the reviewers' decisions: on a reviewed document, a page is scored when at least
one of its candidates carries a human label, and it is an SoE page when one of those says so.
Pages without a human decision are left out (nobody said what they are). Both labelers are scored
with the corpus page metric (core/evaluation/metrics.py, micro over the documents), and the
challenger wins when its page F1 is at least the champion's.

Only fair documents are judged: not those the shipped page model was fitted on (the teacher's
training score there is no guide to a user's protocols, and a student learns from its cues), and not
those the active student trained on. With fewer than `MIN_FAIR_DOCUMENTS` left the gate says so
and decides nothing, so nothing is activated unless the user insists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from soe_desktop.core.evaluation.corpus import CorpusDocument
from soe_desktop.core.evaluation.metrics import PageMetrics, page_metrics
from soe_desktop.core.jobs import CancelToken, check
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.store.names import document_name

CHALLENGER, CHAMPION = "challenger", "champion"
MIN_FAIR_DOCUMENTS = 3  # fewer fair reviewed documents than this: too few to tell two labelers apart
CHECKING = "checking"  # progress stage of the gate's work (its extra runs report their loss under it)
MAX_DIFFERENCES = 200  # pages listed in the stored comparison; the counts stay whole


@dataclass(frozen=True)
class ReviewedDocument:
    """A document with human decisions: its candidates and the page truth those decisions give."""

    sha256: str
    name: str
    candidates: tuple[Candidate, ...]
    soe_pages: frozenset[int]
    scored_pages: frozenset[int]  # pages with at least one human-labelled candidate

    def as_corpus_document(self) -> CorpusDocument:
        """The page metric's view (named by sha256: two files may share a name); candidate pages
        without a human decision are not scored."""
        unscored = frozenset(c.page for c in self.candidates) - self.scored_pages
        return CorpusDocument(self.sha256, Path(self.name), self.soe_pages, unscored)


def _human_decisions(labels: Sequence[Label]) -> dict[str, Label]:
    """candidate id -> its latest human label (retracted ones already left out by the caller)."""
    latest: dict[str, Label] = {}
    for label in labels:
        if label.is_human and not label.details.get("retracts"):
            previous = latest.get(label.candidate_id)
            if previous is None or (label.id or 0) >= (previous.id or 0):
                latest[label.candidate_id] = label
    return latest


def reviewed_documents(store) -> list[ReviewedDocument]:
    """Every stored document with at least one current human label, in the store's order."""
    human = _human_decisions(store.labels(include_retracted=False))
    out = []
    for document in store.documents():
        candidates = store.candidates(document["sha256"])
        decided = [(c, human[c.id]) for c in candidates if c.id in human]
        if not decided:
            continue
        out.append(ReviewedDocument(
            sha256=document["sha256"],
            name=document_name(document),  # as the queue and the window name it
            candidates=tuple(candidates),
            soe_pages=frozenset(c.page for c, label in decided if label.is_soe),
            scored_pages=frozenset(c.page for c, _ in decided),
        ))
    return out


TEACHER_FITTED = "the shipped teacher's page model was fitted on them"
CHAMPION_TRAINED = "the active model trained on them"


@dataclass(frozen=True)
class Fairness:
    """The reviewed documents the gate may judge on, and how many were left out and why."""

    fair: tuple[ReviewedDocument, ...]
    left_out: dict[str, int]

    def summary(self) -> str:
        dropped = "; ".join(f"{count} left out: {why}" for why, count in self.left_out.items() if count)
        return f"{len(self.fair)} fair reviewed document(s)" + (f" ({dropped})" if dropped else "")

    def enough(self, minimum: int = MIN_FAIR_DOCUMENTS) -> bool:
        return len(self.fair) >= minimum


def fair_documents(reviewed: Sequence[ReviewedDocument], teacher_fitted: frozenset[str],
                   champion_trained: frozenset[str]) -> Fairness:
    """Leave out what the shipped teacher was fitted on, then what the champion trained on."""
    fair, left_out = [], {TEACHER_FITTED: 0, CHAMPION_TRAINED: 0}
    for document in reviewed:
        if document.sha256 in teacher_fitted:
            left_out[TEACHER_FITTED] += 1
        elif document.sha256 in champion_trained:
            left_out[CHAMPION_TRAINED] += 1
        else:
            fair.append(document)
    return Fairness(tuple(fair), left_out)


def with_fairness(comparison: Comparison, fairness: Fairness, minimum: int = MIN_FAIR_DOCUMENTS) -> Comparison:
    """The comparison as the gate reports it: how many documents were fair, and no verdict on too few."""
    comparison.fair_documents, comparison.left_out = len(fairness.fair), dict(fairness.left_out)
    if comparison.winner and not fairness.enough(minimum):
        comparison.winner = ""
        comparison.reason = (f"not judged: only {fairness.summary()}, at least {minimum} needed; review more "
                             f"protocols of your own (figures for information: {comparison.reason})")
    return comparison


def predicted_soe_pages(labeler: Labeler, document: ReviewedDocument,
                        cancel: Optional[CancelToken] = None) -> set[int]:
    """Pages the labeler calls SoE: at least one of their candidates labelled SoE (the corpus metric).
    The whole document's candidates go in at once, so a continued table is judged as one."""
    labels = labeler.label(list(document.candidates), cancel=cancel)
    return {candidate.page for candidate, label in zip(document.candidates, labels) if label.is_soe}


@dataclass
class Figures:
    """One labeler's page metric on the gate's documents."""

    name: str
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int

    @classmethod
    def of(cls, name: str, metrics: PageMetrics) -> "Figures":
        return cls(name, metrics.precision, metrics.recall, metrics.f1, metrics.tp, metrics.fp, metrics.fn)


@dataclass
class Comparison:
    """What the gate saw and decided; stored with the model (registry) and shown by CLI and panel."""

    method: str  # "held-out documents" | "k-fold by document" | "" when nothing could be compared
    documents: int
    pages: int  # scored pages (pages with a human decision)
    challenger: Optional[Figures] = None
    champion: Optional[Figures] = None
    differences: list[dict] = field(default_factory=list)  # pages where the two disagree
    different_pages: int = 0
    winner: str = ""  # CHALLENGER | CHAMPION | "" (undecided)
    reason: str = ""
    folds: int = 0
    held_out: list[str] = field(default_factory=list)  # names of the documents the gate judged on
    fair_documents: int = 0  # reviewed documents the gate may judge on (see Fairness)
    left_out: dict[str, int] = field(default_factory=dict)  # why other reviewed documents were not judged

    @property
    def challenger_wins(self) -> bool:
        return self.winner == CHALLENGER

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping) -> "Comparison":
        raw = dict(raw)
        for key in (CHALLENGER, CHAMPION):
            if raw.get(key):
                raw[key] = Figures(**raw[key])
        return cls(**raw)

    @classmethod
    def undecided(cls, reason: str, documents: int = 0) -> "Comparison":
        return cls(method="", documents=documents, pages=0, reason=reason)


def decide(challenger_f1: float, champion_f1: float) -> str:
    """The gate's rule: the challenger becomes active only if it is at least as good on page F1."""
    return CHALLENGER if challenger_f1 >= champion_f1 else CHAMPION


def _differences(documents: Sequence[ReviewedDocument], challenger: Mapping[str, set[int]],
                 champion: Mapping[str, set[int]]) -> list[dict]:
    rows = []
    for document in documents:
        ours, theirs = challenger.get(document.sha256, set()), champion.get(document.sha256, set())
        for page in sorted(document.scored_pages):
            if (page in ours) != (page in theirs):
                rows.append({"document": document.name, "sha256": document.sha256, "page": page,
                             "truth": page in document.soe_pages, CHALLENGER: page in ours, CHAMPION: page in theirs})
    return rows


def compare(documents: Sequence[ReviewedDocument], challenger_pages: Mapping[str, set[int]],
            champion_pages: Mapping[str, set[int]], challenger_name: str, champion_name: str,
            method: str, folds: int = 0) -> Comparison:
    """Score both sets of predicted pages (per document sha256) against the human truth and decide."""
    corpus = [document.as_corpus_document() for document in documents]
    ours = Figures.of(challenger_name, page_metrics(challenger_pages, corpus))
    theirs = Figures.of(champion_name, page_metrics(champion_pages, corpus))
    differences = _differences(documents, challenger_pages, champion_pages)
    winner = decide(ours.f1, theirs.f1)
    relation = "at least as good as" if winner == CHALLENGER else "worse than"
    reason = (f"the new model's page F1 {ours.f1:.3f} is {relation} {champion_name}'s {theirs.f1:.3f} "
              f"on {len(documents)} reviewed document(s) it did not train on ({method}; "
              f"{len(differences)} page(s) judged differently)")
    return Comparison(method=method, documents=len(documents), pages=sum(len(d.scored_pages) for d in documents),
                      challenger=ours, champion=theirs, differences=differences[:MAX_DIFFERENCES],
                      different_pages=len(differences), winner=winner, reason=reason, folds=folds,
                      held_out=[d.name for d in documents])


def label_documents(labeler: Labeler, documents: Sequence[ReviewedDocument], cancel: Optional[CancelToken] = None,
                    progress: Optional[Callable[[int], None]] = None) -> dict[str, set[int]]:
    """Predicted SoE pages per document sha256."""
    out = {}
    for index, document in enumerate(documents):
        check(cancel)
        out[document.sha256] = predicted_soe_pages(labeler, document, cancel)
        if progress is not None:
            progress(index + 1)
    return out


def compare_labelers(documents: Sequence[ReviewedDocument], challenger: Labeler, champion: Labeler,
                     method: str = "held-out documents", cancel: Optional[CancelToken] = None) -> Comparison:
    """The gate with one challenger for every document (held-out documents, or fakes in tests)."""
    return compare(documents, label_documents(challenger, documents, cancel),
                   label_documents(champion, documents, cancel), challenger.name, champion.name, method)
