"""Lower confidence on pages whose reading is uncertain: one rule every labeler applies.

The page reading (core/pdf) marks each candidate on a page it could not read plainly (OCR'd or
pictured, sideways, stamped, redacted) with `features["reading_uncertain"] = 1.0`; a candidate read
by OCR (`features["ocr"]`) or standing for the whole picture of a text-less page (detector
`fallback-page`) counts as such even without the mark. A labeler's
confidence on such a page measures how sure it is of *what it read*, not of the page: the issue
that asked for this rule saw a four-page sideways grid called "not SoE" at 0.96-0.98, one of them
auto-accepted. So each label on such a candidate keeps its verdict but has its confidence shrunk
toward the decision threshold and capped at UNCERTAIN_READING_CAP:

    p' = threshold + (p - threshold) * SHRINK        (order kept: the surest misread page stays first)
    confidence in the verdict <= UNCERTAIN_READING_CAP (where the threshold allows it, below)

Why 0.70: it has to sit below the student's "uncertain below" setting (0.75 by default), so
routing sends the table to Gemini or to the top of the review queue, below the selective filter's
threshold (0.8), so such a label never trains the student unless a person confirms it (human
labels are gold and always pass), and far below the auto-accept threshold (0.97). It is a routing
choice, not a calibration fit: measured, the teacher is right on 0.94 of these pages of the dev
corpus and on all of the generated hard layouts once they are read well, so the cap costs ECE
there (docs/BENCHMARKS.md, "Calibration on uncertain readings").

Every machine labeler applies it: the heuristic teacher, the student (training/labeler.py) and the
Gemini teacher (gemini.py, inside `run`, so the routing and the cloud gate get capped labels too).
The rule runs after a continued table's consensus (groups.py): the table's verdict is settled
over all its pages first, then every misread page of it is left for a person. It is idempotent: a
label it already tempered carries the untempered P(SoE) in its details, and is tempered from that.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from soe_desktop.core.evaluation.report import verdict_calibration
from soe_desktop.core.model import Candidate, Detector, Label, from_p_soe

READING_UNCERTAIN = "reading_uncertain"  # candidate feature set by core/pdf; label details flag
UNTEMPERED_P_SOE = "untempered_p_soe"  # label details: the labeler's P(SoE) before this rule
UNCERTAIN_READING_CAP = 0.70  # highest confidence in a verdict on a misread page
SHRINK = (UNCERTAIN_READING_CAP - 0.5) / 0.5  # a 1.0 verdict at threshold 0.5 lands on the cap


def reading_uncertain(candidate: Candidate) -> bool:
    """The page reading flagged this candidate's page as read uncertainly (OCR, sideways, ...), or
    the candidate itself shows it: its text was read by OCR, or it is the whole picture of a page
    without a text layer (those two are uncertain readings whatever the flag says)."""
    features = candidate.features
    return (_on(features.get(READING_UNCERTAIN)) or _on(features.get("ocr"))
            or candidate.detector == Detector.FALLBACK_PAGE)


def _on(value) -> bool:
    return float(value or 0.0) >= 0.5


def reading_note(candidate: Candidate) -> str:
    """A reviewer's words for how the candidate's page was read, from what the candidate carries."""
    features = candidate.features
    if _on(features.get("ocr")):
        return "read by OCR"
    if _on(features.get("redacted")):
        return "redacted"
    if candidate.detector == Detector.FALLBACK_PAGE:
        return "pictured page"
    return "uncertain reading"


def tempered_p_soe(p_soe: float, threshold: float = 0.5, cap: float = UNCERTAIN_READING_CAP) -> float:
    """P(SoE) moved toward `threshold` so the verdict stays and its confidence is at most `cap`.

    Where the threshold itself lies outside [1 - cap, cap] the verdict on its far side cannot be
    that unsure without flipping; the confidence is then as low as the verdict allows (p at the
    threshold for a "yes", just under it for a "no").
    """
    shrunk = threshold + (p_soe - threshold) * SHRINK
    if p_soe >= threshold:
        return max(threshold, min(shrunk, cap))
    return min(max(shrunk, 1.0 - cap), _just_below(threshold))


def _just_below(threshold: float) -> float:
    return max(0.0, threshold - 1e-6)


def temper_label(label: Label, threshold: float = 0.5, note: str = "uncertain reading") -> Label:
    """One machine label on a misread page with its confidence lowered (verdict, votes kept).

    The two representations' votes in `details` ("json", "text": the heuristic teacher's) are
    tempered the same way, so the agreement they show is unchanged but neither reads as sure.
    """
    if label.is_human:
        return label
    untempered = float(label.details.get(UNTEMPERED_P_SOE, label.p_soe))
    p_soe = tempered_p_soe(untempered, threshold)
    is_soe, confidence = from_p_soe(p_soe, threshold)
    details = {**label.details, READING_UNCERTAIN: True, UNTEMPERED_P_SOE: untempered}
    if not label.details.get(READING_UNCERTAIN):  # the votes are tempered once
        for vote in ("json", "text"):
            if isinstance(details.get(vote), (int, float)) and not isinstance(details.get(vote), bool):
                details[vote] = round(tempered_p_soe(float(details[vote]), threshold), 4)
    note = f"{note}: left for review (confidence lowered from {max(untempered, 1 - untempered):.2f})"
    reason = label.reason if note in label.reason else (f"{label.reason}; {note}" if label.reason else note)
    return replace(label, is_soe=is_soe, confidence=confidence, reason=reason, details=details, id=None)


def temper_uncertain(candidates: Sequence[Candidate], labels: Sequence[Label], threshold: float = 0.5) -> list[Label]:
    """`labels` (same order as `candidates`) with those on misread pages tempered; others unchanged."""
    notes = {candidate.id: reading_note(candidate) for candidate in candidates if reading_uncertain(candidate)}
    return [temper_label(label, threshold, notes[label.candidate_id]) if label.candidate_id in notes else label
            for label in labels]


def untempered(label: Label, threshold: float = 0.5) -> Label:
    """The label as its labeler gave it before this rule (itself when the rule did not touch it):
    the "before" of the calibration figures, from the same run."""
    if UNTEMPERED_P_SOE not in label.details:
        return label
    is_soe, confidence = from_p_soe(float(label.details[UNTEMPERED_P_SOE]), threshold)
    return replace(label, is_soe=is_soe, confidence=confidence)


def calibration_rows(labels: Sequence[Label], truth: Mapping[str, bool]) -> list[dict]:
    """Calibration of `labels` against `truth`, before and after this rule, from the same run:
    all labels, those on pages read uncertainly, the rest (`soe filter-report`, the benchmarks)."""
    misread = [label for label in labels if label.details.get(READING_UNCERTAIN)]
    plain = [label for label in labels if not label.details.get(READING_UNCERTAIN)]
    rows = []
    for name, subset in (("all", list(labels)), ("uncertain reading", misread), ("plain reading", plain)):
        before = verdict_calibration([untempered(label) for label in subset], truth)
        after = verdict_calibration(subset, truth)
        rows.append({"labels": name, "judged": after["n"], "accuracy": after["accuracy"],
                     "ece_before": before["ece"], "mean_confidence_before": before["mean_confidence"],
                     "ece_after": after["ece"], "mean_confidence_after": after["mean_confidence"]})
    return rows


def calibration_table(rows: Sequence[dict]) -> str:
    """`calibration_rows` as a Markdown table (terminal and docs/BENCHMARKS.md)."""
    lines = ["| labels | judged | accuracy | mean confidence before / after | ECE before / after |",
             "|---|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['labels']} | {row['judged']} | {_fmt(row['accuracy'])} | "
                     f"{_fmt(row['mean_confidence_before'])} / {_fmt(row['mean_confidence_after'])} | "
                     f"{_fmt(row['ece_before'])} / {_fmt(row['ece_after'])} |")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"
