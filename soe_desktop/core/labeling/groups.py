"""A table continued over several pages is judged as one: its weak pages are lifted to the table's mean.

Why: an SoE that runs over pages 17-31 is one table; a labeler judging each page alone gives the
later pages lower scores (fewer visit headers, more footnotes) and drops some of them, which the
page metric counts as misses. Detection already links the pages of one table (`Candidate.group`,
grouping.py), so every labeler's page gets P(SoE) = max(its own, the group's mean). Lifting, not
averaging: with a plain mean one strong page dragged down by a weak one lost a protocol's only
SoE pages (a pictured two-page SoE in the dev corpus). On the dev corpus' out-of-fold scores this
raised the students' page F1 by 0.02-0.04 and the teacher's by ~0.01 (docs/EXPERIMENTS.md).
Human labels are gold and are never changed here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Iterable, Optional, Sequence

from soe_desktop.core.model import Candidate, Label, from_p_soe


def groups_of(candidates: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """Group id -> its candidates, standalone tables included (groups of one)."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[candidate.group].append(candidate)
    return dict(groups)


def group_members(candidates: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """Candidates of every group that spans more than one page (standalone tables are left out)."""
    return {group: members for group, members in groups_of(candidates).items() if len({c.page for c in members}) > 1}


def group_consensus(candidates: Sequence[Candidate], labels: Sequence[Label], threshold: float = 0.5) -> list[Label]:
    """`labels` (same order) with each multi-page table's labels at max(own P(SoE), the table's mean).

    The candidate's own probability and reason stay in `details["own_p_soe"]` / `["own_reason"]`,
    and the consensus is always taken over those, so applying it again changes nothing (a caller
    may re-apply it to labels that already had it, e.g. a gate mixing two labelers' labels).
    Human labels pass unchanged
    and do not move the machine labels of their group. Where the labels carry the two
    representations' votes (`details["json"]`, `details["text"]`), agreement is decided for the
    table too: the mean json vote against the mean text vote, so the selective filter keeps or
    drops a continued table as a whole.
    """
    by_id = {label.candidate_id: label for label in labels if not label.is_human}
    consensus: dict[str, Label] = {}
    for members in group_members(candidates).values():
        labelled = [by_id[c.id] for c in members if c.id in by_id]
        if len(labelled) < 2:
            continue
        mean = sum(_own_p_soe(label) for label in labelled) / len(labelled)
        agree = _table_agreement(labelled, threshold)
        pages = sorted({c.page for c in members})
        note = f"one table over pages {pages[0]}-{pages[-1]}: mean P(SoE) {mean:.2f} of {len(labelled)} pages"
        consensus.update({label.candidate_id: _with_consensus(label, mean, agree, note, threshold)
                          for label in labelled})
    return [consensus.get(label.candidate_id, label) if not label.is_human else label for label in labels]


def _mean_vote(labels: Sequence[Label], representation: str) -> Optional[float]:
    votes = [float(v) for label in labels if isinstance(v := label.details.get(representation), (int, float))]
    return sum(votes) / len(votes) if votes else None


def _table_agreement(labels: Sequence[Label], threshold: float) -> Optional[bool]:
    """Do the table's mean json and mean text votes agree? None: the labels carry no votes to compare
    (then each label keeps its own agreement)."""
    json_vote, text_vote = _mean_vote(labels, "json"), _mean_vote(labels, "text")
    if json_vote is None or text_vote is None:
        return None
    return (json_vote >= threshold) == (text_vote >= threshold)


def _own_p_soe(label: Label) -> float:
    """The labeler's own P(SoE) for this page, before any consensus."""
    return float(label.details.get("own_p_soe", label.p_soe))


def _with_consensus(label: Label, mean: float, agree: Optional[bool], note: str, threshold: float) -> Label:
    own_p_soe, own_reason = _own_p_soe(label), label.details.get("own_reason", label.reason)
    is_soe, confidence = from_p_soe(max(own_p_soe, mean), threshold)
    reason = f"{own_reason}; {note}" if own_reason else note
    details = {**label.details, "own_p_soe": own_p_soe, "own_reason": own_reason}
    return replace(label, is_soe=is_soe, confidence=confidence, reason=reason, details=details, id=None,
                   agree=label.agree if agree is None else agree)
