"""One 0-1 confidence per teacher label that does not depend on the model serving log-probabilities.

The paper's insight is that a teacher label is trustworthy when the teacher gives the same
answer about the same table shown two different ways (`json` structure vs `text` with page
context). This module combines four signals (documented in docs/CONCEPTS.md, "Confidence"):

1. each vote's P(SoE): the model's stated confidence, averaged with the token probability of
   its is_soe answer when the response carried log-probabilities;
2. self-consistency: the share of the n samples per representation that agree with their majority;
3. agreement of the two representations' majority verdicts;
4. (optionally) a calibration map fitted on human labels (see calibration.py).

    p_r   = mean over samples of vote P(SoE) in representation r
    q     = mean over representations of p_r                   (P(SoE) before penalties)
    base  = max(q, 1 - q)                                        (0.5-1, confidence in the verdict)
    C     = mean over representations of majority share         (1 when n = 1)
    A     = 1 when the representations' verdicts agree, else DISAGREEMENT_FACTOR
    confidence = 0.5 + (base - 0.5) * C * A
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import mean
from typing import Mapping, Optional, Sequence

from soe_desktop.core.labeling.cache import Vote
from soe_desktop.core.model import to_p_soe

# How much of the evidence beyond a coin flip survives when the two representations disagree.
DISAGREEMENT_FACTOR = 0.25


def vote_p_soe(vote: Vote) -> float:
    """A vote's P(SoE): stated confidence, blended 50/50 with the token probability when present."""
    stated_p_soe = to_p_soe(vote.is_soe, min(max(vote.confidence, 0.0), 1.0))
    if vote.token_p is None:
        return stated_p_soe
    token_p_soe = to_p_soe(vote.is_soe, min(max(vote.token_p, 0.0), 1.0))
    return (stated_p_soe + token_p_soe) / 2.0


def majority(votes: Sequence[Vote]) -> bool:
    """The majority verdict; ties go to the mean P(SoE)."""
    yes = sum(1 for vote in votes if vote.is_soe)
    no = len(votes) - yes
    if yes != no:
        return yes > no
    return mean(vote_p_soe(vote) for vote in votes) >= 0.5


def consistency(votes: Sequence[Vote]) -> float:
    """Share of samples that agree with the majority verdict (1.0 for a single sample)."""
    verdict = majority(votes)
    return sum(1 for vote in votes if vote.is_soe == verdict) / len(votes)


@dataclass(frozen=True)
class Combined:
    """The combined verdict for one candidate and the signals behind it (stored in Label.details)."""

    is_soe: bool
    confidence: float  # in `is_soe`, 0.5-1
    agree: bool
    p_soe: float  # q above: P(SoE) before the consistency and agreement penalties
    consistency: float
    per_representation: dict[str, dict]

    def details(self) -> dict:
        return {
            "p_soe_raw": round(self.p_soe, 4),
            "consistency": round(self.consistency, 4),
            "agree": self.agree,
            "representations": self.per_representation,
        }


def combine(votes_by_representation: Mapping[str, Sequence[Vote]]) -> Combined:
    """Combine votes per representation into one verdict and confidence (formula in the module doc)."""
    if not votes_by_representation or any(not votes for votes in votes_by_representation.values()):
        raise ValueError("every representation needs at least one vote")
    per_rep: dict[str, dict] = {}
    verdicts = []
    for kind, votes in votes_by_representation.items():
        p_rep = mean(vote_p_soe(vote) for vote in votes)
        verdict = majority(votes)
        verdicts.append(verdict)
        per_rep[kind] = {
            "is_soe": verdict,
            "p_soe": round(p_rep, 4),
            "consistency": round(consistency(votes), 4),
            "samples": len(votes),
            "reason": votes[0].reason,
        }
    q = mean(rep["p_soe"] for rep in per_rep.values())
    agree = len(set(verdicts)) == 1
    cons = mean(rep["consistency"] for rep in per_rep.values())
    factor = 1.0 if agree else DISAGREEMENT_FACTOR
    confidence = 0.5 + (max(q, 1.0 - q) - 0.5) * cons * factor
    return Combined(
        is_soe=q >= 0.5,
        confidence=confidence,
        agree=agree,
        p_soe=q,
        consistency=cons,
        per_representation=per_rep,
    )


def token_probability(logprob: Optional[float]) -> Optional[float]:
    """exp(logprob), or None when the response carried no log-probability."""
    if logprob is None:
        return None
    return math.exp(min(float(logprob), 0.0))
