"""The paper's selective filter: keep only teacher labels that can be trusted for training."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from soe_desktop.core.model import Label
from soe_desktop.core.settings import FILTER_THRESHOLD


def passes_filter(label: Label, threshold: float, require_agreement: bool = True) -> bool:
    """A teacher label is kept when both representations agreed and its confidence reaches `threshold`."""
    if require_agreement and label.agree is not True:
        return False
    # A label on a page read uncertainly (uncertain_reading.py) is capped at 0.70, under the default
    # threshold, so by default it never trains the student: both votes read the same OCR'd or turned
    # text, so their agreement is no independent evidence (a sideways grid drew "no" from both at
    # 0.96). A person's label on such a page is gold and trains it. Below the cap, agreement stays
    # required for these even when the caller waives it for the others.
    if label.details.get("reading_uncertain") and label.agree is not True:
        return False
    return label.confidence >= threshold


def filter_labels(labels: Iterable[Label], threshold: float, require_agreement: bool = True) -> list[Label]:
    """Teacher labels fit for training; human labels always pass (they are gold)."""
    return [
        label
        for label in labels
        if label.is_human or passes_filter(label, threshold, require_agreement)
    ]


# --- the training set and the coverage/precision report ------------------------------------------

DEFAULT_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)


def training_set(
    teacher_labels: Iterable[Label],
    human_labels: Iterable[Label] = (),
    threshold: float = FILTER_THRESHOLD,
    require_agreement: bool = True,
) -> list[Label]:
    """One label per candidate to train on: the human's when there is one, else the teacher's
    label when it passes the filter (candidates whose teacher label fails are left out)."""
    human = {label.candidate_id: label for label in human_labels}
    chosen = dict(human)
    for label in teacher_labels:
        if label.candidate_id not in human and passes_filter(label, threshold, require_agreement):
            chosen[label.candidate_id] = label
    return list(chosen.values())


@dataclass(frozen=True)
class ThresholdRow:
    """What the filter keeps at one threshold, and how often the kept labels match the humans."""

    threshold: float
    kept: int
    total: int
    judged: int  # kept labels with a human answer
    correct: int  # ... that match it
    kept_soe: int  # kept labels saying SoE
    kept_soe_correct: int

    @property
    def coverage(self) -> float:
        return self.kept / self.total if self.total else 0.0

    @property
    def precision(self) -> Optional[float]:
        """Share of kept labels that match the human label (None when none can be judged)."""
        return self.correct / self.judged if self.judged else None

    @property
    def soe_precision(self) -> Optional[float]:
        """Among kept labels saying SoE and judged by a human: share that are SoE."""
        return self.kept_soe_correct / self.kept_soe if self.kept_soe else None


@dataclass
class FilterReport:
    rows: list[ThresholdRow]
    total: int
    with_truth: int
    require_agreement: bool
    agreement_unknown: int  # teacher labels without an agreement signal (never kept when required)

    def as_dicts(self) -> list[dict]:
        return [
            {"threshold": row.threshold, "kept": row.kept, "coverage": round(row.coverage, 4),
             "judged": row.judged, "precision": _round(row.precision), "soe_precision": _round(row.soe_precision)}
            for row in self.rows
        ]

    def table(self) -> str:
        """A plain-text table for the terminal and docs/BENCHMARKS.md."""
        lines = ["| threshold | kept | coverage | judged | precision | SoE precision |",
                 "|---:|---:|---:|---:|---:|---:|"]
        for row in self.rows:
            lines.append(f"| {row.threshold:.2f} | {row.kept}/{row.total} | {row.coverage:.3f} | {row.judged} | "
                         f"{_fmt(row.precision)} | {_fmt(row.soe_precision)} |")
        return "\n".join(lines)


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)


def _fmt(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def filter_report(
    teacher_labels: Sequence[Label],
    truth: Mapping[str, bool],
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    require_agreement: bool = True,
) -> FilterReport:
    """Coverage (share of candidates kept) and precision (vs `truth`: candidate id -> is SoE) per threshold."""
    rows = []
    for threshold in thresholds:
        kept = [label for label in teacher_labels if passes_filter(label, threshold, require_agreement)]
        judged = [label for label in kept if label.candidate_id in truth]
        soe = [label for label in judged if label.is_soe]
        rows.append(ThresholdRow(
            threshold=float(threshold),
            kept=len(kept),
            total=len(teacher_labels),
            judged=len(judged),
            correct=sum(1 for label in judged if label.is_soe == truth[label.candidate_id]),
            kept_soe=len(soe),
            kept_soe_correct=sum(1 for label in soe if truth[label.candidate_id]),
        ))
    return FilterReport(
        rows=rows,
        total=len(teacher_labels),
        with_truth=sum(1 for label in teacher_labels if label.candidate_id in truth),
        require_agreement=require_agreement,
        agreement_unknown=sum(1 for label in teacher_labels if label.agree is None),
    )


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability_bins(
    teacher_labels: Sequence[Label], truth: Mapping[str, bool], bins: int = 10
) -> list[ReliabilityBin]:
    """Judged labels grouped by confidence in their verdict (0.5-1): mean confidence vs share correct."""
    judged = [(label.confidence, label.is_soe == truth[label.candidate_id])
              for label in teacher_labels if label.candidate_id in truth]
    edges = [0.5 + 0.5 * index / bins for index in range(bins + 1)]
    found = []
    for index, (low, high) in enumerate(zip(edges, edges[1:])):
        last = index == bins - 1
        inside = [(conf, ok) for conf, ok in judged if low <= conf < high or (last and conf >= high)]
        if inside:
            found.append(ReliabilityBin(low, high, len(inside), sum(c for c, _ in inside) / len(inside),
                                        sum(1 for _, ok in inside if ok) / len(inside)))
    return found


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> Optional[float]:
    total = sum(b.count for b in bins)
    if not total:
        return None
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in bins) / total


def reliability_diagram(
    teacher_labels: Sequence[Label], truth: Mapping[str, bool], path: str | Path, bins: int = 10, title: str = ""
) -> Path:
    """Write a reliability diagram PNG (Agg canvas: no display, no global pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    found = reliability_bins(teacher_labels, truth, bins)
    figure = Figure(figsize=(5, 4.2), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot([0.5, 1.0], [0.5, 1.0], linestyle="--", color="grey", label="perfectly calibrated")
    axes.plot([b.mean_confidence for b in found], [b.accuracy for b in found], marker="o", label="teacher labels")
    for b in found:
        axes.annotate(str(b.count), (b.mean_confidence, b.accuracy), textcoords="offset points",
                      xytext=(4, -10), fontsize=7)
    ece = expected_calibration_error(found)
    axes.set_xlim(0.5, 1.0)
    axes.set_ylim(0.0, 1.02)
    axes.set_xlabel("confidence in the label")
    axes.set_ylabel("share matching human labels")
    summary = f"{sum(b.count for b in found)} judged, ECE {_fmt(ece)}"
    axes.set_title(f"{title} ({summary})" if title else f"Reliability ({summary})", fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def corpus_truth(
    candidates: Sequence, soe_pages: Iterable[int], not_scored_pages: Iterable[int] = ()
) -> dict[str, bool]:
    """Page labels as candidate labels: a candidate on an SoE page is SoE; not-scored pages are left out."""
    soe, skip = set(soe_pages), set(not_scored_pages)
    return {candidate.id: candidate.page in soe for candidate in candidates if candidate.page not in skip}
