"""The privacy gate and the offline fallback in front of the Gemini teacher."""

from __future__ import annotations

import pytest

from soe_desktop.core.errors import OfflineError
from soe_desktop.core.labeling.cloud_gate import CloudTeacher
from soe_desktop.core.labeling.gate import decide, require_allowed
from soe_desktop.core.labeling.gemini import GeminiLabeler
from soe_desktop.core.labeling.keys import ApiKey
from soe_desktop.core.model import Label
from soe_desktop.core.settings import Settings

from gemini_fakes import error_response, make_candidate

KEY = ApiKey("test-key-123", "env:GEMINI_API_KEY")


class OfflineTeacher:
    """Stands in for the heuristic teacher: says 'not SoE', 0.6 sure."""

    name = "heuristic"

    def __init__(self):
        self.seen = []

    def label(self, candidates, progress=None, cancel=None):
        self.seen.extend(candidate.id for candidate in candidates)
        return [Label(candidate.id, False, 0.6, self.name) for candidate in candidates]


def teacher(fake, settings=None, consent=lambda sha: True, key=KEY, attempts=1):
    settings = settings or Settings()
    factory = lambda api_key: GeminiLabeler(fake.client(attempts=attempts), key=api_key)  # noqa: E731
    return CloudTeacher(settings, OfflineTeacher(), consent, gemini_factory=factory, key_finder=lambda: key)


def test_gate_order_offline_then_consent_then_key():
    assert decide(Settings(offline=True), True, KEY).kind == "offline"
    assert decide(Settings(), False, KEY).kind == "no-consent"
    assert decide(Settings(), True, None).kind == "no-key"
    assert decide(Settings(), True, KEY).allowed
    with pytest.raises(OfflineError, match="offline"):
        require_allowed(decide(Settings(offline=True), True, KEY))


def test_offline_setting_blocks_every_call(fake_gemini):
    cloud = teacher(fake_gemini, settings=Settings(offline=True))
    labels = cloud.label([make_candidate("a", True)])
    assert fake_gemini.requests == []
    assert labels[0].source == "heuristic"
    assert labels[0].details["fallback_for"] == "gemini" and "offline" in labels[0].details["fallback_reason"]


def test_consent_refused_sends_nothing_for_that_document_only(fake_gemini):
    cloud = teacher(fake_gemini, consent=lambda sha: sha == "doc-ok")
    labels = cloud.label([make_candidate("a", True, sha="doc-secret"), make_candidate("b", True, sha="doc-ok")])
    sent = "".join(fake_gemini.prompt_of(request) for request in fake_gemini.requests)
    assert "Row of a" not in sent and "Row of b" in sent
    assert [label.source for label in labels] == ["heuristic", "gemini"]
    assert labels[0].details["pending_gemini"] is False
    assert any("consent" in message for message in cloud.messages)


def test_missing_key_falls_back_and_keeps_candidates_pending(fake_gemini):
    cloud = teacher(fake_gemini, key=None)
    labels = cloud.label([make_candidate("a", True)])
    assert fake_gemini.requests == []
    assert labels[0].source == "heuristic" and "GEMINI_API_KEY" in labels[0].details["fallback_reason"]
    assert list(cloud.pending) == ["a"]


def test_bad_key_stops_asking_and_the_queue_goes_on(fake_gemini):
    fake_gemini.failures = [error_response(403, "PERMISSION_DENIED", "API key not valid")]
    cloud = teacher(fake_gemini)
    first = cloud.label([make_candidate("a", True, sha="doc-a")])
    second = cloud.label([make_candidate("b", True, sha="doc-b")])
    assert len(fake_gemini.requests) == 1
    assert first[0].source == second[0].source == "heuristic"
    assert "rejected the API key" in second[0].details["fallback_reason"]
    assert set(cloud.pending) == {"a", "b"}
    assert "test-key-123" not in " ".join(cloud.messages)


def test_partial_failure_labels_the_rest_with_gemini(fake_gemini):
    fake_gemini.failures = [error_response(500, "INTERNAL")]
    cloud = teacher(fake_gemini)
    labels = cloud.label([make_candidate("a", True, sha="doc-a"), make_candidate("b", True, sha="doc-b")])
    assert [label.source for label in labels] == ["heuristic", "gemini"]
    assert list(cloud.pending) == ["a"] and labels[0].details["pending_gemini"] is True
    assert cloud.fallback.seen == ["a"]


def test_network_down_is_reported_once_and_the_queue_goes_on(fake_gemini):
    import httpx

    fake_gemini.failures = [httpx.ConnectError("no route to host")]
    cloud = teacher(fake_gemini)
    labels = cloud.label([make_candidate("a", True, sha="doc-a"), make_candidate("b", True, sha="doc-b")])
    assert len(fake_gemini.requests) == 1
    assert [label.source for label in labels] == ["heuristic", "heuristic"]
    assert any("cannot reach Gemini" in message for message in cloud.messages)
    assert set(cloud.pending) == {"a", "b"}
