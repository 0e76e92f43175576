"""Documents, pages and candidates: duplicates, statuses, consent, round trips, re-detection, crash safety."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from store_factories import label, make_candidate, make_document, make_pages

from soe_desktop.core.store import Store


def test_duplicate_document_is_recognised_and_nothing_is_overwritten(store):
    doc = make_document()
    assert store.add_document(doc, "/data/a.pdf", "first.pdf") is True
    store.set_status(doc.sha256, "done")
    assert store.add_document(doc, "/data/b.pdf", "second.pdf") is False
    stored = store.document(doc.sha256)
    assert (stored["filename"], stored["stored_path"], stored["status"]) == ("first.pdf", "/data/a.pdf", "done")
    assert [e["action"] for e in store.audit_entries(subject=doc.sha256)] == ["document.add", "document.duplicate"]


def test_new_document_fields(store):
    doc = make_document(page_count=7)
    store.add_document(doc, "/data/x.pdf", "x.pdf", cloud_consent=True)
    stored = store.document(doc.sha256)
    assert stored["page_count"] == 7 and stored["status"] == "queued" and stored["error"] == ""
    assert stored["original_path"] == doc.path and stored["cloud_consent"] is True
    assert store.document("0" * 64) is None


def test_status_and_error_are_saved_and_validated(store, document):
    store.set_status(document.sha256, "error", "the PDF is damaged")
    assert store.document(document.sha256)["error"] == "the PDF is damaged"
    assert [d["sha256"] for d in store.documents(status="error")] == [document.sha256]
    with pytest.raises(ValueError):
        store.set_status(document.sha256, "finished")
    with pytest.raises(KeyError):
        store.set_status("f" * 64, "done")


def test_documents_listed_in_order_added(store):
    docs = [make_document(name) for name in ("b", "a", "c")]
    for doc in docs:
        store.add_document(doc, "s", f"{doc.path}")
    assert [d["sha256"] for d in store.documents()] == [d.sha256 for d in docs]


def test_interrupted_documents_are_requeued(store):
    reading, done = make_document("r"), make_document("d")
    for doc in (reading, done):
        store.add_document(doc, "s", "f.pdf")
    store.set_status(reading.sha256, "detecting")
    store.set_status(done.sha256, "done")
    assert store.requeue_interrupted() == [reading.sha256]
    assert store.document(reading.sha256)["status"] == "queued"
    assert store.document(done.sha256)["status"] == "done"


def test_cloud_consent_is_per_document_and_audited(store, document):
    other = make_document("other")
    store.add_document(other, "s", "o.pdf")
    assert store.cloud_consent(document.sha256) is False
    store.set_cloud_consent(document.sha256, True, actor="alice")
    assert store.cloud_consent(document.sha256) is True
    assert store.cloud_consent(other.sha256) is False
    assert store.cloud_consent("0" * 64) is False
    entry = store.audit_entries(action="document.cloud_consent")[-1]
    assert (entry["actor"], entry["details"]) == ("alice", {"allowed": True})


def test_pages_round_trip_and_rereading_replaces(store, document):
    assert store.pages(document.sha256) == make_pages(3)
    changed = make_pages(3)
    changed[0].text = "re-read"
    store.add_pages(document.sha256, changed)
    assert store.pages(document.sha256)[0].text == "re-read"
    assert len(store.pages(document.sha256)) == 3


def test_a_page_read_by_ocr_keeps_its_text_and_says_so(store, document):
    pages = make_pages(3)
    pages[2].text, pages[2].ocr = "Schedule of Activities\nVital signs X X", True  # page 3 has no text layer
    store.add_pages(document.sha256, pages)
    reread = store.pages(document.sha256)[2]
    assert (reread.ocr, reread.has_text_layer, reread.has_text) == (True, False, True)
    assert reread.text == pages[2].text and store.pages(document.sha256)[0].ocr is False


def test_pages_of_unknown_document_are_refused(store):
    with pytest.raises(KeyError):
        store.add_pages("9" * 64, make_pages(1))


def test_candidate_round_trip(store, document):
    expected = make_candidate(document, "c1", page=1)
    assert store.candidate("c1") == expected
    assert [c.id for c in store.candidates(document.sha256)] == ["c1", "c2"]
    assert store.candidate("nope") is None


def test_candidate_group_and_empty_fields_survive(store, document):
    grouped = make_candidate(document, "g2", page=3, group="g1", rows=[], features={}, context="")
    store.replace_candidates(document.sha256, [make_candidate(document, "g1", page=2), grouped])
    assert store.candidate("g2") == grouped
    assert store.candidate("g2").group == "g1"


def test_redetection_keeps_labelled_candidates_as_stale_and_drops_unlabelled(store, document):
    store.add_labels([label("c1", True, "human:alice", 1.0)])
    store.replace_candidates(document.sha256, [make_candidate(document, "c3", page=3)])
    assert [c.id for c in store.candidates(document.sha256)] == ["c3"]
    assert [c.id for c in store.candidates(document.sha256, include_stale=True)] == ["c1", "c3"]
    assert store.candidate("c2") is None
    assert [lab.source for lab in store.labels("c1")] == ["human:alice"]


def test_candidate_found_again_is_updated_and_current_again(store, document):
    store.add_labels([label("c1", True, "heuristic")])
    store.replace_candidates(document.sha256, [])
    moved = make_candidate(document, "c1", page=1, bbox=(1.0, 2.0, 3.0, 4.0))
    store.replace_candidates(document.sha256, [moved])
    assert store.candidates(document.sha256) == [moved]


def test_candidates_must_belong_to_the_document(store, document):
    other = make_document("other")
    store.add_document(other, "s", "o.pdf")
    with pytest.raises(ValueError):
        store.replace_candidates(other.sha256, [make_candidate(document, "x", page=1)])
    with pytest.raises(ValueError):  # id already used by the first document
        store.replace_candidates(other.sha256, [make_candidate(other, "c1", page=1)])
    assert store.candidate("c1").document_sha256 == document.sha256


def test_failed_transaction_leaves_no_half_document(store):
    doc = make_document("half")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_document(doc, "s", "half.pdf")
            store.add_pages(doc.sha256, make_pages(2))
            raise RuntimeError("crash while detecting")
    assert store.document(doc.sha256) is None
    assert store.pages(doc.sha256) == []


def test_killed_process_leaves_no_half_document(db_path):
    """A process that dies mid-transaction (no cleanup at all) leaves nothing behind."""
    Store(db_path).close()
    child = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parent)!r})
        from store_factories import make_document, make_pages
        from soe_desktop.core.store import Store
        store = Store({str(db_path)!r})
        doc = make_document("killed")
        with store.transaction():
            store.add_document(doc, "s", "killed.pdf")
            store.add_pages(doc.sha256, make_pages(2))
            os._exit(3)
        """
    )
    assert subprocess.run([sys.executable, "-c", child], timeout=60).returncode == 3
    with Store(db_path) as store:
        assert store.documents() == []
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
