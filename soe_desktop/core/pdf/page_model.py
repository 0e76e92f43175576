"""The heuristic teacher's fitted page model: standardised logistic regression stored as JSON.

Why logistic regression: on the 30-protocol dev corpus (6-fold cross-validation grouped by
document) it matched gradient boosting's page F1 (~0.93) with far less variance between folds,
keeps a usable probability for the page screen at very low thresholds, and its weights are a
few numbers in a JSON file (no pickles tied to a scikit-learn version). Fitted by
`python -m soe_desktop.core.evaluation.page_model_fit CORPUS_DIR --write`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence

WEIGHTS_PATH = Path(__file__).with_name("page_model_weights.json")


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def logit(probability: float, eps: float = 1e-6) -> float:
    probability = min(max(probability, eps), 1.0 - eps)
    return math.log(probability / (1.0 - probability))


@dataclass(frozen=True)
class LogisticModel:
    """p = sigmoid(intercept + sum(coef * (x - mean) / scale)); missing features count as 0."""

    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    meta: Optional[Mapping] = None  # how and on what it was fitted, with its cross-validated figures

    def decision(self, features: Mapping[str, float]) -> float:
        total = self.intercept
        for name, mean, scale, coef in zip(self.feature_names, self.mean, self.scale, self.coef):
            total += coef * (float(features.get(name, 0.0)) - mean) / scale
        return total

    def predict_one(self, features: Mapping[str, float]) -> float:
        return sigmoid(self.decision(features))

    def predict(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_one(row) for row in rows]

    def to_json(self) -> dict:
        return {
            "kind": "standardised-logistic-regression",
            "feature_names": list(self.feature_names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "meta": dict(self.meta or {}),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "LogisticModel":
        names = tuple(data["feature_names"])
        lengths = {len(names), len(data["mean"]), len(data["scale"]), len(data["coef"])}
        if len(lengths) != 1:
            raise ValueError("heuristic weights: feature_names, mean, scale and coef differ in length")
        return cls(
            feature_names=names,
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) if float(v) else 1.0 for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
            meta=dict(data.get("meta", {})),
        )


def load_model(path: Path) -> LogisticModel:
    return LogisticModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def load_page_model() -> LogisticModel:
    """The shipped page model (read once per process)."""
    return load_model(WEIGHTS_PATH)
