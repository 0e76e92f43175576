"""Table-level metrics (one candidate = one table), confusion counts and calibration numbers.

Page-level metrics (the corpus' standard metric) live in `metrics.py`; this module scores the
candidates themselves, which is what a labeler actually outputs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Mapping, Optional, Sequence

from soe_desktop.core.model import Candidate, Label


@dataclass(frozen=True)
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    def __add__(self, other: "Confusion") -> "Confusion":
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    def to_dict(self) -> dict:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1,
                "accuracy": self.accuracy}


def confusion(truth: Sequence[bool], predicted: Sequence[bool]) -> Confusion:
    """Counts over paired verdicts (same order, same length)."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} truths but {len(predicted)} predictions")
    tp = sum(1 for t, p in zip(truth, predicted) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted) if t and not p)
    return Confusion(tp, fp, fn, len(truth) - tp - fp - fn)


def table_confusion(truth: Mapping[str, bool], labels: Sequence[Label]) -> Confusion:
    """Candidate-level confusion of `labels` against `truth` (candidate id -> is_soe).

    Candidates absent from `truth` are not scored (e.g. tables on the corpus' not-scored pages);
    a truth candidate without a label counts as predicted negative.
    """
    predicted = {label.candidate_id: label.is_soe for label in labels}
    ids = sorted(truth)
    return confusion([truth[i] for i in ids], [predicted.get(i, False) for i in ids])


def page_truth_to_tables(
    candidates: Sequence[Candidate], soe_pages: set[int], not_scored: set[int] = frozenset()
) -> dict[str, bool]:
    """Table truth from page labels: a candidate is SoE when its page is an SoE page."""
    return {c.id: c.page in soe_pages for c in candidates if c.page not in not_scored}


def calibration_bins(probabilities: Sequence[float], truth: Sequence[bool], bins: int = 10) -> list[dict]:
    """Reliability diagram data: per equal-width bin, mean predicted P(SoE), observed rate, count."""
    rows = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(p, t) for p, t in zip(probabilities, truth) if low <= p < high or (index == bins - 1 and p == 1.0)]
        if members:
            rows.append({
                "low": low,
                "high": high,
                "mean_predicted": sum(p for p, _ in members) / len(members),
                "observed": sum(1 for _, t in members if t) / len(members),
                "count": len(members),
            })
    return rows


def expected_calibration_error(probabilities: Sequence[float], truth: Sequence[bool], bins: int = 10) -> float:
    """Count-weighted gap between predicted and observed SoE rates (0 = perfectly calibrated)."""
    total = len(probabilities)
    if not total:
        return 0.0
    return sum(row["count"] / total * abs(row["mean_predicted"] - row["observed"])
               for row in calibration_bins(probabilities, truth, bins))


def average_precision(probabilities: Sequence[float], truth: Sequence[bool]) -> Optional[float]:
    """Area under the PR curve (sklearn); None when there is no positive to find."""
    if not any(truth):
        return None
    from sklearn.metrics import average_precision_score

    return float(average_precision_score([int(t) for t in truth], list(probabilities)))


def scored_report(probabilities: Sequence[float], truth: Sequence[bool], threshold: float = 0.5) -> dict:
    """Confusion + P/R/F1 at `threshold`, average precision and ECE for one labeler's scores."""
    predicted = [p >= threshold for p in probabilities]
    report = confusion(list(truth), predicted).to_dict()
    report["average_precision"] = average_precision(probabilities, truth)
    report["ece"] = expected_calibration_error(probabilities, truth)
    report["n"] = len(truth)
    return report


def verdict_calibration(labels: Sequence[Label], truth: Mapping[str, bool], bins: int = 10) -> dict:
    """Calibration of the confidence *in the verdict* (what review, routing and auto-accept read):
    labels with a truth, binned by confidence over 0.5-1 in `bins` equal bins (a confidence under
    0.5, possible with a tuned threshold, counts in the lowest), against the share whose verdict
    matches the truth. ECE is the count-weighted mean gap |share correct - mean confidence|, the
    same bins as the reliability diagram of `soe filter-report`."""
    judged = [(label.confidence, label.is_soe == truth[label.candidate_id])
              for label in labels if label.candidate_id in truth]
    if not judged:
        return {"n": 0, "ece": None, "accuracy": None, "mean_confidence": None}
    members: dict[int, list[tuple[float, bool]]] = {}
    for confidence, correct in judged:
        index = min(bins - 1, max(0, int((confidence - 0.5) / 0.5 * bins)))
        members.setdefault(index, []).append((confidence, correct))
    gap = sum(abs(sum(ok for _, ok in inside) / len(inside) - sum(c for c, _ in inside) / len(inside)) * len(inside)
              for inside in members.values())
    return {"n": len(judged), "ece": gap / len(judged),
            "accuracy": sum(ok for _, ok in judged) / len(judged),
            "mean_confidence": sum(c for c, _ in judged) / len(judged)}
