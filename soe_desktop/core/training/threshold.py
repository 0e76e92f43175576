"""The student's decision threshold, chosen on the human-labelled validation examples (trainer._calibrate).

Students trained on teacher labels rank candidates well (high average precision) but put too few of
them above 0.5; moving the cut-off to the one that maximises F1 on documents the run did not train on
recovers that recall without touching the ranking. Ties go to the threshold closest to 0.5, and a
validation set with too few positives keeps 0.5 (a threshold fitted on one example is noise).
"""

from __future__ import annotations

from typing import Sequence

DEFAULT_THRESHOLD = 0.5
MIN_POSITIVES = 2


def f1_at(probabilities: Sequence[float], truth: Sequence[bool], threshold: float) -> float:
    """F1 of the verdicts `p >= threshold` against `truth`."""
    tp = sum(1 for p, t in zip(probabilities, truth) if p >= threshold and t)
    fp = sum(1 for p, t in zip(probabilities, truth) if p >= threshold and not t)
    fn = sum(1 for p, t in zip(probabilities, truth) if p < threshold and t)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def candidate_thresholds(probabilities: Sequence[float]) -> list[float]:
    """0.5 and the midpoints between consecutive distinct scores: every distinct verdict set, once."""
    values = sorted(set(float(p) for p in probabilities))
    midpoints = [(low + high) / 2 for low, high in zip(values, values[1:])]
    return [DEFAULT_THRESHOLD, *midpoints]


def tune_threshold(probabilities: Sequence[float], truth: Sequence[bool],
                   min_positives: int = MIN_POSITIVES) -> float:
    """The threshold with the best validation F1 (ties: closest to 0.5); 0.5 when validation is too small."""
    positives = sum(1 for t in truth if t)
    if positives < min_positives or positives == len(truth):
        return DEFAULT_THRESHOLD
    scored = [(f1_at(probabilities, truth, t), -abs(t - DEFAULT_THRESHOLD), t)
              for t in candidate_thresholds(probabilities)]
    return max(scored)[2]
