"""Per-document counts for the queue and the dashboard, computed from the store's effective labels.

"Teacher vs human" compares, per candidate a human decided, the latest non-retracted teacher
label (any machine source that is not a student) with the human's effective label.
"""

from __future__ import annotations

from soe_desktop.core.model import Label, LabelKind
from soe_desktop.core.store.database import Store

def is_teacher(label: Label) -> bool:
    """Machine labels that train the student: not human, not rule, not the student itself."""
    return label.kind is LabelKind.TEACHER


def document_summary(store: Store, sha256: str) -> dict:
    """Counts for one document: candidates, labelled, SoE, human-reviewed, auto-accepted, teacher agreement."""
    candidates = store.candidates(sha256)
    current_ids = {candidate.id for candidate in candidates}
    effective = {cid: lab for cid, lab in store.effective_labels(sha256).items() if cid in current_ids}
    latest_teacher = _latest_teacher_labels(store.labels(sha256=sha256, include_retracted=False))
    compared = [
        (latest_teacher[cid].is_soe, lab.is_soe)
        for cid, lab in effective.items()
        if lab.is_human and cid in latest_teacher
    ]
    return {
        "sha256": sha256,
        "candidates": len(candidates),
        "labelled": len(effective),
        "soe_candidates": sum(lab.is_soe for lab in effective.values()),
        "soe_pages": store.soe_pages(sha256),
        "reviewed": sum(lab.is_human for lab in effective.values()),
        "auto_accepted": sum(lab.kind is LabelKind.RULE for lab in effective.values()),
        "teacher_vs_human": len(compared),
        "teacher_agrees_with_human": sum(teacher == human for teacher, human in compared),
    }


def document_summaries(store: Store) -> list[dict]:
    """`document_summary` for every document, in the order they were added, with filename and status."""
    return [
        {"filename": doc["filename"], "status": doc["status"], **document_summary(store, doc["sha256"])}
        for doc in store.documents()
    ]


def _latest_teacher_labels(labels: list[Label]) -> dict[str, Label]:
    latest: dict[str, Label] = {}
    for label in labels:  # oldest first, so later ones replace earlier ones
        if is_teacher(label):
            latest[label.candidate_id] = label
    return latest
