"""Only the uncertain go to the cloud: where the active student is unsure, Gemini or a person decides.

With an active student, every candidate it labels below `Settings.uncertain_threshold` is routed:
- to Gemini when the document may be sent (the privacy gate of labeling/cloud_gate.py: offline
  off, consent for the document, a key); Gemini's label is appended after the student's, so it is
  the one that counts until a person decides;
- otherwise (or where Gemini could not answer) to the top of the review queue: the student's label
  carries details["routed"] = "review", which the review session sorts first.
Confident candidates stay local. One ledger row per document (representation "routing") records
the candidates, how many went where, the requests sent and those saved against sending every
candidate to Gemini.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

from soe_desktop.core.app.labelers import LabelerContext, make_labeler
from soe_desktop.core.jobs import CancelToken, ProgressCallback
from soe_desktop.core.labeling.gate import GateDecision, decide
from soe_desktop.core.labeling.keys import find_api_key
from soe_desktop.core.model import REPRESENTATIONS, Candidate, Label
from soe_desktop.core.settings import Settings

ROUTED = "routed"  # label details key: where an uncertain student label was sent
TO_CLOUD, TO_REVIEW = "cloud", "review"
ROUTING_ROW = "routing"  # the ledger row's representation


@dataclass
class Routing:
    """What routing did with one document's student labels."""

    candidates: int = 0
    cloud: int = 0  # uncertain and labelled by Gemini
    review: int = 0  # uncertain and waiting for a person
    sent_requests: int = 0
    saved_requests: int = 0  # against sending every candidate (0 when nothing may be sent anyway)
    cloud_labels: list[Label] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def is_routed_to_review(label: Optional[Label]) -> bool:
    return label is not None and label.details.get(ROUTED) == TO_REVIEW


def uncertain(labels: Sequence[Label], threshold: float) -> list[Label]:
    return [label for label in labels if label.confidence < threshold]


def requests_for(candidates: int, batch_size: int) -> int:
    """Requests Gemini needs for `candidates` tables of one document: a batch per representation."""
    return len(REPRESENTATIONS) * math.ceil(candidates / batch_size) if candidates else 0


def cloud_decision(settings: Settings, store, sha256: str, allow_cloud: bool) -> GateDecision:
    """The privacy gate for this document: offline setting, consent (this run's, the default, or
    the stored one), then a key (looked up only once the rest allows sending)."""
    consented = allow_cloud or settings.cloud_consent_default or store.cloud_consent(sha256)
    key = find_api_key() if consented and not settings.offline else None
    return decide(settings, consented, key)


def route(
    settings: Settings,
    store,
    sha256: str,
    candidates: Sequence[Candidate],
    student_labels: list[Label],
    allow_cloud: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Routing:
    """Route the uncertain student labels (marking them in place) and return Gemini's labels for
    those it answered; the caller stores both, the student's first."""
    routing = Routing(candidates=len(student_labels))
    if not student_labels:
        return routing
    doubtful = uncertain(student_labels, settings.uncertain_threshold)
    decision = cloud_decision(settings, store, sha256, allow_cloud)
    answered: set[str] = set()
    if decision.allowed:
        gemini = make_labeler("gemini", LabelerContext(settings, store, allow_cloud=True, strict=True))
        routing.saved_requests = (requests_for(len(student_labels), gemini.batch_size)
                                  - requests_for(len(doubtful), gemini.batch_size))
        if doubtful:
            answered = _ask_gemini(gemini, candidates, doubtful, routing, progress, cancel)
    elif doubtful:
        routing.messages.append(f"{len(doubtful)} uncertain tables wait for review: "
                                f"{decision.message.split(';')[0]}")
    for label in doubtful:
        label.details = {**label.details, ROUTED: TO_CLOUD if label.candidate_id in answered else TO_REVIEW}
    routing.cloud = len(answered)
    routing.review = len(doubtful) - len(answered)
    return routing


def _ask_gemini(gemini, candidates, doubtful, routing: Routing, progress, cancel) -> set[str]:
    """Gemini on the uncertain candidates; returns the ids it answered (the rest go to review)."""
    wanted = {label.candidate_id for label in doubtful}
    asked = [candidate for candidate in candidates if candidate.id in wanted]
    run = gemini.run(asked, progress, cancel)
    by_id = {label.candidate_id: label for label in run.labels}
    answered = [candidate for candidate in asked if candidate.id in by_id]
    # As `run` gave them: a continued table judged as one and misread pages capped (gemini.py);
    # judging the table again here would lift a capped page back to the table's mean.
    labels = [by_id[c.id] for c in answered]
    student = {label.candidate_id: label for label in doubtful}
    for label in labels:
        label.details = {**label.details, ROUTED: TO_CLOUD,
                         "student_confidence": round(student[label.candidate_id].confidence, 4)}
    routing.cloud_labels = labels
    routing.sent_requests = sum(usage.requests for usage in run.usage.values())
    if run.pending:
        first = run.errors[0] if run.errors else next(iter(run.pending.values()))
        routing.messages.append(f"Gemini could not label {len(run.pending)} uncertain tables ({first}); "
                                f"they wait for review")
    return {label.candidate_id for label in labels}


def record(store, sha256: str, routing: Routing, settings: Settings) -> None:
    """The document's routing row in the cost ledger (no request of its own)."""
    store.add_ledger(document_sha256=sha256, model=settings.gemini_model, representation=ROUTING_ROW, requests=0,
                     routed_candidates=routing.candidates, routed_cloud=routing.cloud, routed_review=routing.review,
                     sent_requests=routing.sent_requests, saved_requests=routing.saved_requests)
