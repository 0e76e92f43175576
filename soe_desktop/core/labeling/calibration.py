"""Map a teacher's raw P(SoE) to a calibrated one, fitted on human labels.

A stated "0.9" from an LLM is not a 90 % hit rate. Once a user has reviewed enough candidates
(MIN_HUMAN_LABELS, with both answers present), we fit isotonic regression (or Platt scaling for
small sets) from the teacher's raw P(SoE) to the human verdict and use it for new labels.
The map is saved as plain JSON (no pickles) so it can travel with the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from soe_desktop.core.model import Label

MIN_HUMAN_LABELS = 20
METHODS = ("isotonic", "platt")


class NotEnoughLabels(ValueError):
    """Fewer than MIN_HUMAN_LABELS human labels, or only one class among them."""


@dataclass
class Calibrator:
    """Piecewise-linear (isotonic) or logistic (Platt) map from raw to calibrated P(SoE)."""

    method: str
    n_labels: int
    xs: list[float] = field(default_factory=list)  # isotonic knots
    ys: list[float] = field(default_factory=list)
    coef: float = 0.0  # Platt: p = sigmoid(coef * raw + intercept)
    intercept: float = 0.0

    def transform(self, p_soe: float | Sequence[float]) -> np.ndarray | float:
        raw = np.asarray(p_soe, dtype=float)
        if self.method == "isotonic":
            out = np.interp(raw, self.xs, self.ys)
        else:
            out = 1.0 / (1.0 + np.exp(-(self.coef * raw + self.intercept)))
        return float(out) if out.ndim == 0 else out

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> "Calibrator":
        return cls(**json.loads(text))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Calibrator":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def fit_calibrator(raw_p_soe: Sequence[float], human_is_soe: Sequence[bool], method: str = "isotonic") -> Calibrator:
    """Fit on pairs (teacher raw P(SoE), human verdict); raises NotEnoughLabels below the minimum."""
    if method not in METHODS:
        raise ValueError(f"unknown calibration method {method!r}; expected one of {METHODS}")
    x = np.asarray(raw_p_soe, dtype=float)
    y = np.asarray(human_is_soe, dtype=int)
    if len(x) != len(y):
        raise ValueError("raw_p_soe and human_is_soe must have the same length")
    if len(x) < MIN_HUMAN_LABELS or len(set(y.tolist())) < 2:
        raise NotEnoughLabels(
            f"calibration needs at least {MIN_HUMAN_LABELS} human labels with both answers; have {len(x)}"
        )
    if method == "platt":
        model = LogisticRegression().fit(x.reshape(-1, 1), y)
        return Calibrator("platt", len(x), coef=float(model.coef_[0][0]), intercept=float(model.intercept_[0]))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    return Calibrator("isotonic", len(x), xs=iso.X_thresholds_.tolist(), ys=iso.y_thresholds_.tolist())


def try_fit(raw_p_soe: Sequence[float], human_is_soe: Sequence[bool], method: str = "isotonic") -> Calibrator | None:
    """A calibrator when there are enough human labels, else None (the raw confidence is used)."""
    try:
        return fit_calibrator(raw_p_soe, human_is_soe, method)
    except NotEnoughLabels:
        return None


def raw_p_soe(label: Label) -> float:
    """The teacher's P(SoE) before calibration (stored in details by the Gemini teacher)."""
    if "raw_p_soe" in label.details:
        return float(label.details["raw_p_soe"])
    return label.confidence if label.is_soe else 1.0 - label.confidence


def fit_from_labels(
    teacher_labels: Iterable[Label], human_labels: Iterable[Label], method: str = "isotonic"
) -> Calibrator | None:
    """Pair each candidate's latest teacher label with its latest human label and fit, if enough."""
    teacher = {label.candidate_id: label for label in teacher_labels}
    human = {label.candidate_id: label.is_soe for label in human_labels}
    common = sorted(set(teacher) & set(human))
    return try_fit([raw_p_soe(teacher[cid]) for cid in common], [human[cid] for cid in common], method)
