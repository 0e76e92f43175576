"""The privacy gate in front of the Gemini teacher, and the teacher the queue actually uses.

A document goes to Gemini only when (1) the `offline` setting is off, (2) the user consented
for that document and (3) an API key is found. Whenever Gemini cannot label a candidate (gate
closed, bad key, quota, network, a batch that failed) the queue keeps going: the offline teacher
labels it instead, and the label says so in its details (`fallback_for`, `fallback_reason`);
candidates Gemini should still label are also listed in `pending` and asked again next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import httpx

from soe_desktop.core.jobs import CancelToken, ProgressCallback, check
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.labeling.cache import LedgerSink, Prices, ResponseCache
from soe_desktop.core.labeling.calibration import Calibrator, fit_from_labels
from soe_desktop.core.labeling.gate import GateDecision, decide
from soe_desktop.core.labeling.gemini import GeminiError, GeminiLabeler, build_client
from soe_desktop.core.labeling.keys import ApiKey, find_api_key
from soe_desktop.core.model import Candidate, Label, LabelKind, LabelSource
from soe_desktop.core.settings import Settings

def make_gemini_labeler(
    settings: Settings,
    key: ApiKey,
    ledger: Optional[LedgerSink] = None,
    samples: Optional[int] = None,
    calibrator: Optional[Calibrator] = None,
    httpx_client: Optional[httpx.Client] = None,
) -> GeminiLabeler:
    """A GeminiLabeler configured from Settings, caching under `<data>/cache/gemini`."""
    client = build_client(key, httpx_client=httpx_client)
    return GeminiLabeler(
        client,
        model=settings.gemini_model,
        samples=samples or settings.gemini_samples,
        cache=ResponseCache(settings.cache_dir / "gemini"),
        ledger=ledger,
        prices=Prices.from_settings(settings),
        calibrator=calibrator,
        key=key,
    )


def mark_fallback(label: Label, reason: str, pending: bool) -> Label:
    """Record on an offline-teacher label that it stands in for Gemini, and why."""
    label.details = {**label.details, "fallback_for": "gemini", "fallback_reason": reason, "pending_gemini": pending}
    return label


class CloudTeacher:
    """Labeler used when the chosen teacher is Gemini: gate, Gemini, and the offline fallback.

    `consent(sha256)` says whether a document may be sent; `gemini_factory(key)` builds the
    GeminiLabeler once a document passes the gate (so no key is read for offline work).
    """

    name = "gemini"

    def __init__(
        self,
        settings: Settings,
        fallback: Labeler,
        consent: Callable[[str], bool],
        gemini_factory: Optional[Callable[[ApiKey], GeminiLabeler]] = None,
        key_finder: Callable[[], Optional[ApiKey]] = find_api_key,
        ledger: Optional[LedgerSink] = None,
    ) -> None:
        self.settings, self.fallback, self.consent = settings, fallback, consent
        self.gemini_factory = gemini_factory or (lambda key: make_gemini_labeler(settings, key, ledger=ledger))
        self.key_finder = key_finder
        self._gemini: Optional[GeminiLabeler] = None
        self._stopped: Optional[GeminiError] = None  # bad key / quota / network: stop asking this session
        self.pending: dict[str, str] = {}
        self.messages: list[str] = []

    def _gate(self, sha256: str) -> GateDecision:
        if self._stopped is not None:
            return GateDecision(self._stopped.kind, f"{self._stopped}; using the offline teacher")
        consented = False if self.settings.offline else self.consent(sha256)
        if self.settings.offline or not consented:
            return decide(self.settings, consented, None)
        if self._gemini is None:
            key = self.key_finder()
            decision = decide(self.settings, True, key)
            if not decision.allowed:
                return decision
            self._gemini = self.gemini_factory(key)
        return GateDecision("ok")

    def label(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Label]:
        """One label per candidate, in order: Gemini's where it could answer, else the fallback's."""
        by_id: dict[str, Label] = {}
        for sha256, group in _by_document(candidates).items():
            check(cancel)
            by_id.update(self._label_document(sha256, group, progress, cancel))
        return [by_id[candidate.id] for candidate in candidates]

    def _label_document(self, sha256, group, progress, cancel) -> dict[str, Label]:
        decision = self._gate(sha256)
        if not decision.allowed:
            self._note(decision.message)
            pending = decision.kind not in ("offline", "no-consent")
            return self._fallback(group, decision.message, pending, progress, cancel)
        run = self._gemini.run(group, progress, cancel)
        labels = {label.candidate_id: label for label in run.labels}
        if run.fatal is not None:
            self._stopped = run.fatal
        for error in run.errors:
            self._note(f"{error}; the offline teacher labels those tables until Gemini answers")
        missing = [candidate for candidate in group if candidate.id in run.pending]
        if missing:
            labels.update(self._fallback(missing, run.pending, True, progress, cancel))
        return labels

    def _fallback(self, group, reasons: str | dict[str, str], pending: bool, progress, cancel) -> dict[str, Label]:
        """Offline-teacher labels for `group`, marked with why Gemini did not label each one."""
        why = reasons if isinstance(reasons, dict) else {candidate.id: reasons for candidate in group}
        if pending:
            self.pending.update({candidate.id: why[candidate.id] for candidate in group})
        labels = self.fallback.label(group, progress=progress, cancel=cancel)
        return {label.candidate_id: mark_fallback(label, why[label.candidate_id], pending) for label in labels}

    def _note(self, message: str) -> None:
        if message and message not in self.messages:
            self.messages.append(message)


def teacher_for_store(
    settings: Settings,
    store,
    fallback: Labeler,
    allow_cloud: bool = False,
    samples: Optional[int] = None,
) -> CloudTeacher:
    """The Gemini teacher wired to a Store: per-document consent, cost ledger, and calibration on
    the store's human labels once there are enough (the same for the CLI and the GUI).

    `allow_cloud` consents for every document labelled with this teacher (the CLI flag);
    `settings.cloud_consent_default` does the same for all documents.
    """
    calibrator = fit_from_labels(
        store.labels(source_prefix="gemini", include_retracted=False),
        store.labels(source_prefix=LabelSource.prefix(LabelKind.HUMAN), include_retracted=False),
    )

    def consent(sha256: str) -> bool:
        return allow_cloud or settings.cloud_consent_default or store.cloud_consent(sha256)

    def factory(key: ApiKey) -> GeminiLabeler:
        return make_gemini_labeler(settings, key, ledger=store, samples=samples, calibrator=calibrator)

    return CloudTeacher(settings, fallback, consent, gemini_factory=factory)


def _by_document(candidates: Sequence[Candidate]) -> dict[str, list[Candidate]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.document_sha256, []).append(candidate)
    return groups
