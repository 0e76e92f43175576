"""Review decisions as store operations: the GUI's review panel and the ingest workflow call these.

Every decision is appended at once, so it survives a crash; undo appends a retraction.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence

from soe_desktop.core.labeling.uncertain_reading import reading_note, reading_uncertain
from soe_desktop.core.model import Candidate, Label, LabelKind, LabelSource

AUTO_ACCEPT_SOURCE = str(LabelSource.rule("auto-accept"))


def os_user() -> str:
    """The login name of the person at the keyboard (what every decision is attributed to)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still a human decision
        return "reviewer"


def reviewer() -> str:
    """Label source of the person at the keyboard: `human:<login>`."""
    return str(LabelSource.human(os_user()))


def review_state(label: Label | None) -> str:
    """The overlay state of a candidate from its effective label (page_view.STATE_COLOURS keys)."""
    if label is None:
        return "unlabelled"
    if label.kind is LabelKind.HUMAN:
        return "human_soe" if label.is_soe else "human_not_soe"
    if label.kind is LabelKind.RULE:
        return "rule" if label.is_soe else "rule_not_soe"
    return "soe" if label.is_soe else "not_soe"


def is_reviewed(label: Label | None) -> bool:
    """A person or the auto-accept rule has settled it."""
    return label is not None and label.kind in (LabelKind.HUMAN, LabelKind.RULE)


def human_label(candidate_id: str, is_soe: bool, reason: str, actor: str | None = None) -> Label:
    return Label(candidate_id=candidate_id, is_soe=is_soe, confidence=1.0, source=actor or reviewer(), reason=reason)


def table_members(candidates: Sequence[Candidate], candidate_id: str) -> list[Candidate]:
    """The candidates of the table `candidate_id` is part of (its group, in page order): a table that
    continues over several pages is one table. Empty when the candidate is not among `candidates`."""
    group = next((c.group for c in candidates if c.id == candidate_id), None)
    members = [c for c in candidates if group is not None and c.group == group]
    return sorted(members, key=lambda c: (c.page, c.bbox[1]))


def review(store, sha256: str, candidate_id: str, is_soe: bool, reason: str = "", actor: str | None = None) -> list[int]:
    """One human decision on one candidate, which is a decision on its whole table: every page of a
    multi-page table gets the same human label (gold, appended, never overwritten), the decided page
    first, all or none, so no page of it is left open. The document's status follows.
    Returns the labels' row ids (what undo retracts)."""
    members = table_members(store.candidates(sha256), candidate_id)
    decided = human_label(candidate_id, is_soe, reason, actor)
    page = next((c.page for c in members if c.id == candidate_id), None)
    same_table = [Label(candidate_id=c.id, is_soe=is_soe, confidence=1.0, source=decided.source,
                        reason=f"{reason} (same table as page {page})".strip(), details={"decided_on": candidate_id})
                  for c in members if c.id != candidate_id]
    label_ids = [int(label_id) for label_id in store.add_labels([decided, *same_table])]
    refresh_status(store, sha256)
    return label_ids


def undo_review(store, sha256: str, label_ids: Sequence[int], actor: str | None = None) -> list[int]:
    """Take a decision back (all the labels `review` appended for it): a retraction is appended for
    each (nothing is deleted) and the status follows. Returns the retractions' row ids."""
    name = LabelSource.parse(actor or reviewer()).name
    retractions = [store.retract(label_id, name) for label_id in label_ids]
    refresh_status(store, sha256)
    return retractions


def auto_accept_refusal(candidate: Candidate | None) -> str:
    """Why the auto-accept rule leaves this candidate to a person ("" when it may accept it).

    A page read uncertainly (OCR'd or pictured, sideways, stamped, redacted: core/pdf marks its
    candidates `reading_uncertain`) is never closed by the rule, however sure the labeler says it
    is: a confident "no" on a misread grid is exactly the error nobody would then see.
    """
    if candidate is None or not reading_uncertain(candidate):
        return ""
    return f"{reading_note(candidate)}: left for review"


def auto_accepts(label: Label, candidate: Candidate | None, threshold: float) -> bool:
    """The rule's decision on one candidate's effective label (used here and by the benchmarks)."""
    if not 0 < threshold <= 1 or is_reviewed(label):
        return False
    return label.confidence >= threshold and not auto_accept_refusal(candidate)


def apply_auto_accept(store, sha256: str, threshold: float) -> int:
    """Accept-by-rule every machine label at or above `threshold`; returns how many were accepted.

    The rule label copies the verdict and confidence and says why, so it shows apart from human
    decisions and can be retracted like any other label. Candidates on pages read uncertainly stay
    for a person (auto_accept_refusal); their machine label already says why in its reason.
    """
    if threshold <= 0 or threshold > 1:
        return 0
    effective = store.effective_labels(sha256)
    candidates = {candidate.id: candidate for candidate in store.candidates(sha256)}
    accepted = [
        Label(candidate_id=cid, is_soe=label.is_soe, confidence=label.confidence, source=AUTO_ACCEPT_SOURCE,
              reason=f"auto-accepted: {label.source} confidence {label.confidence:.2f} ≥ {threshold:.2f}",
              agree=label.agree, details={"accepted_label": label.id, "threshold": threshold})
        for cid, label in effective.items()
        if auto_accepts(label, candidates.get(cid), threshold)
    ]
    if accepted:
        store.add_labels(accepted)
    refresh_status(store, sha256)
    return len(accepted)


def refresh_status(store, sha256: str) -> str:
    """'done' once every candidate is reviewed (by a person or the rule), else 'needs review'."""
    document = store.document(sha256) or {}
    if document.get("status") not in ("needs review", "done"):
        return document.get("status", "")
    effective = store.effective_labels(sha256)
    candidates = store.candidates(sha256)
    done = all(is_reviewed(effective.get(c.id)) for c in candidates)
    status = "done" if done else "needs review"
    if status != document.get("status"):
        store.set_status(sha256, status)
    return status
