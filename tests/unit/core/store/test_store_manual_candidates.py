"""One candidate added by hand (a whole-page manual one): kept through re-detection, hidden and shown."""

from __future__ import annotations

import pytest
from store_factories import label, make_candidate

from soe_desktop.core.model import Detector


def test_a_manual_candidate_is_added_once_audited_and_survives_re_detection(store, document):
    manual = make_candidate(document, "m3", page=3)
    manual.detector = Detector.MANUAL
    assert store.add_candidate(manual, actor="human:ann") is True
    assert store.add_candidate(manual) is False  # the same id again changes nothing
    (entry,) = store.audit_entries(action="candidate.add")
    assert (entry["candidate_id"], entry["actor"], entry["new_value"]) == ("m3", "human:ann", "manual")
    store.replace_candidates(document.sha256, [make_candidate(document, "c1", page=1)])
    assert [c.id for c in store.candidates(document.sha256)] == ["c1", "m3"]  # c2 went, unlabelled


def test_a_candidate_can_be_hidden_and_shown_again_with_its_labels(store, document):
    store.add_labels([label("c2", True, "heuristic")])
    store.set_candidate_current("c2", False, actor="human:ann")
    assert [c.id for c in store.candidates(document.sha256)] == ["c1"]
    assert "c2" in {c.id for c in store.candidates(document.sha256, include_stale=True)}
    store.set_candidate_current("c2", True)
    store.set_candidate_current("c2", True)  # no change: no second entry
    assert len(store.audit_entries(action="candidate.current")) == 2
    with pytest.raises(KeyError):
        store.set_candidate_current("nope", False)


def test_an_added_candidate_needs_its_document_and_a_free_id(store, document):
    from soe_desktop.core.model import Document

    other = Document("/o.pdf", "e" * 64, 1)
    store.add_document(other, "", "o.pdf")
    with pytest.raises(ValueError):
        store.add_candidate(make_candidate(other, "c1", page=1))  # c1 belongs to the other document
    with pytest.raises(KeyError):
        store.add_candidate(make_candidate(Document("/x.pdf", "f" * 64, 1), "x1", page=1))


def test_a_routing_row_goes_to_the_ledger_without_counting_as_a_request(store, document):
    store.add_ledger(document_sha256=document.sha256, model="gemini", representation="routing", requests=0,
                     routed_candidates=10, routed_cloud=2, routed_review=1, sent_requests=2, saved_requests=2)
    (row,) = store.ledger(document.sha256)
    assert (row["routed_candidates"], row["routed_cloud"], row["saved_requests"]) == (10, 2, 2)
    assert store.ledger_summary()["requests"] == 0
