"""Routing: with an active student, only its uncertain candidates go to Gemini (consent and a key),
else to the top of the review queue; the ledger says what was sent and saved. Gemini is a fake server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from soe_desktop.core.app import routing
from soe_desktop.core.app.ingest import ingest_document
from soe_desktop.core.model import Document, Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store

from gemini_fakes import make_candidate  # noqa: E402  (tests/unit/conftest.py puts it on the path)

SHA = "ab" * 32


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=str(tmp_path / "data"), auto_accept_threshold=0.0, uncertain_threshold=0.75)


@pytest.fixture
def store(tmp_path):
    """20 candidates; the student is sure of 18 and unsure (0.6) of c3 (an SoE) and c6 (not one)."""
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/x.pdf", SHA, 20), "", "x.pdf")
    store.replace_candidates(SHA, [make_candidate(f"c{i}", soe=i % 2 == 1, sha=SHA, page=i + 1) for i in range(20)])
    yield store
    store.close()


def _student_labels(store) -> list[Label]:
    return [Label(c.id, "Screening" in c.table_text(), 0.6 if c.id in ("c3", "c6") else 0.95, "student:v1")
            for c in store.candidates(SHA)]


def _route(settings, store, allow_cloud=False):
    labels = _student_labels(store)
    routed = routing.route(settings, store, SHA, store.candidates(SHA), labels, allow_cloud=allow_cloud)
    return labels, routed


def test_uncertain_candidates_go_to_gemini_with_consent_and_a_key(settings, store, fake, key):
    labels, routed = _route(settings, store, allow_cloud=True)
    assert (routed.candidates, routed.cloud, routed.review) == (20, 2, 0)
    assert sorted(label.candidate_id for label in routed.cloud_labels) == ["c3", "c6"]
    assert len(fake.requests) == 2 == routed.sent_requests  # one batch in each representation
    assert routed.saved_requests == 6 - 2  # sending all 20 takes 3 batches x 2 representations
    assert [label.details[routing.ROUTED] for label in labels if label.confidence < 0.75] == ["cloud", "cloud"]
    assert all(routing.ROUTED not in label.details for label in labels if label.confidence >= 0.75)
    assert {label.candidate_id: label.is_soe for label in routed.cloud_labels} == {"c3": True, "c6": False}


def test_stored_consent_counts_too(settings, store, fake, key):
    store.set_cloud_consent(SHA, True)
    _, routed = _route(settings, store)
    assert routed.cloud == 2 and fake.requests


@pytest.mark.parametrize("case", ["no consent", "no key", "offline"])
def test_without_consent_key_or_network_they_go_to_review(settings, store, fake, monkeypatch, case):
    allow = case != "no consent"
    if case != "no key":
        monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    if case == "offline":
        settings = replace(settings, offline=True)
    labels, routed = _route(settings, store, allow_cloud=allow)
    assert fake.requests == [] and routed.cloud_labels == []
    assert (routed.cloud, routed.review, routed.sent_requests, routed.saved_requests) == (0, 2, 0, 0)
    assert sorted(label.candidate_id for label in labels if routing.is_routed_to_review(label)) == ["c3", "c6"]
    assert routed.messages and "wait for review" in routed.messages[0]


def test_what_gemini_cannot_answer_goes_to_review(settings, store, fake, key):
    from gemini_fakes import error_response

    fake.failures = [error_response(503, "UNAVAILABLE")] * 2
    labels, routed = _route(settings, store, allow_cloud=True)
    assert (routed.cloud, routed.review) == (0, 2)
    assert "could not label 2 uncertain tables" in routed.messages[0]


class _FakeStudent:
    """Sure of everything but the candidates on the SoE's first page."""

    name = "student:v1"

    def __init__(self, soe_pages):
        self.soe_pages = soe_pages

    def label(self, candidates, progress=None, cancel=None):
        first = min(self.soe_pages)
        return [Label(c.id, c.page in self.soe_pages, 0.55 if c.page == first else 0.99, self.name)
                for c in candidates]


def test_ingest_routes_and_writes_one_ledger_row(tmp_path, settings, sample_protocol, fake, key):
    path, truth = sample_protocol
    with Store(tmp_path / "lib.db") as store:
        store.add_model(version="v1", status="completed", active=True, path=str(tmp_path / "model"))
        settings = replace(settings, teacher="gemini", read_scanned_pages=False)
        result = ingest_document(path, settings, store, allow_cloud=True,
                                 student_for=lambda _path: _FakeStudent(truth.soe_pages))
        assert result.labelers == ["heuristic", "student:v1", "gemini"]  # the first pass stayed local
        (row,) = [row for row in store.ledger(result.sha256) if row["representation"] == routing.ROUTING_ROW]
        uncertain_ids = {c.id for c in store.candidates(result.sha256) if c.page == min(truth.soe_pages)}
        assert row["routed_candidates"] == result.candidates and row["routed_cloud"] == len(uncertain_ids)
        assert row["requests"] == 0 and row["sent_requests"] == len(fake.requests) > 0
        asked = {label.candidate_id for label in store.labels(sha256=result.sha256, source_prefix="gemini")}
        assert asked == uncertain_ids
