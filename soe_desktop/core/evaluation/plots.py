"""Precision-recall curves and reliability diagrams as PNG files (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # before pyplot: plots are written by the CLI, tests and workers, never shown
import matplotlib.pyplot as plt  # noqa: E402

from soe_desktop.core.evaluation.report import calibration_bins  # noqa: E402

Scores = tuple[Sequence[float], Sequence[bool]]  # (P(SoE) per item, truth per item)


def _save(figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def pr_curve_png(curves: Mapping[str, Scores], path: Path, title: str = "Precision-recall") -> Path:
    """One PR curve per labeler (name -> scores), with its average precision in the legend."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    figure, axis = plt.subplots(figsize=(5.5, 4.5))
    for name, (scores, truth) in curves.items():
        y = [int(t) for t in truth]
        if not any(y):
            continue
        precision, recall, _ = precision_recall_curve(y, list(scores))
        ap = average_precision_score(y, list(scores))
        axis.step(recall, precision, where="post", label=f"{name} (AP {ap:.2f})")
    axis.set(xlabel="Recall", ylabel="Precision", xlim=(0, 1.01), ylim=(0, 1.02), title=title)
    axis.grid(alpha=0.3)
    axis.legend(loc="lower left", fontsize=8)
    return _save(figure, path)


def reliability_png(curves: Mapping[str, Scores], path: Path, bins: int = 10,
                    title: str = "Reliability diagram") -> Path:
    """Observed SoE rate against predicted P(SoE) per bin; the diagonal is perfect calibration."""
    figure, axis = plt.subplots(figsize=(5.0, 4.5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    for name, (scores, truth) in curves.items():
        rows = calibration_bins(list(scores), list(truth), bins)
        if rows:
            axis.plot([r["mean_predicted"] for r in rows], [r["observed"] for r in rows], marker="o", label=name)
    axis.set(xlabel="Predicted P(SoE)", ylabel="Observed SoE rate", xlim=(0, 1), ylim=(0, 1), title=title)
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", fontsize=8)
    return _save(figure, path)
