"""The audit log: every label, import, activation and consent is attributed, and the log is append-only."""

from __future__ import annotations

import sqlite3

import pytest
from store_factories import label, make_candidate, make_document

from soe_desktop import __version__
from soe_desktop.core.store.audit import normalise_since, os_user


def test_a_human_decision_is_audited_with_full_attribution(store, document):
    store.add_model(version="v7", status="completed", active=True)
    (label_id,) = store.add_labels([label("c1", False, "human:alice", 1.0, reason="rejected")])
    (entry,) = store.audit_entries(action="label.add")
    assert entry["os_user"] == os_user() and entry["at"].endswith("+00:00")
    assert (entry["document_sha256"], entry["candidate_id"], entry["label_id"]) == (document.sha256, "c1", label_id)
    assert (entry["old_value"], entry["new_value"], entry["source"]) == ("", "not SoE", "human:alice")
    assert (entry["actor"], entry["model_version"], entry["app_version"]) == ("human:alice", "v7", __version__)
    assert entry["details"] == {"confidence": 1.0, "reason": "rejected"}


def test_old_value_is_what_counted_before_each_label(store, document):
    store.add_labels([label("c1", True, "heuristic", 0.8)])
    store.add_labels([label("c1", False, "human:bob", 1.0), label("c1", True, "gemini", 0.9),
                      label("c1", True, "human:bob", 1.0), label("c2", True, "rule:auto-accept", 0.99)])
    entries = store.audit_entries(action="label.add")
    assert [(e["candidate_id"], e["old_value"], e["new_value"]) for e in entries] == [
        ("c1", "", "SoE"),
        ("c1", "SoE", "not SoE"),  # the teacher's verdict, overridden by the person
        ("c1", "not SoE", "SoE"),  # a teacher label after a human one: the human verdict still counted
        ("c1", "not SoE", "SoE"),
        ("c2", "", "SoE"),
    ]
    assert [e["actor"] for e in entries] == ["system", "human:bob", "system", "human:bob", "rule:auto-accept"]
    assert entries[2]["model_version"] == ""  # no active model


def test_a_retraction_is_audited_with_what_counts_after_it(store, document):
    store.add_labels([label("c1", True, "heuristic", 0.7)])
    (human,) = store.add_labels([label("c1", False, "human:alice", 1.0)])
    retraction = store.retract(human, "alice")
    (entry,) = store.audit_entries(action="label.retract")
    assert (entry["label_id"], entry["old_value"], entry["new_value"]) == (retraction, "not SoE", "SoE")
    assert (entry["document_sha256"], entry["details"]["label_id"], entry["source"]) == (document.sha256, human, "human:alice")


def test_labels_that_fail_leave_no_audit_entry(store, document):
    before = len(store.audit_entries())
    with pytest.raises(KeyError):
        store.add_labels([label("c1", True, "human:a"), label("ghost", True, "human:a")])
    with pytest.raises(sqlite3.IntegrityError):  # confidence out of range: the CHECK fails on the 2nd label
        store.add_labels([label("c1", True, "human:a"), label("c2", True, "human:a", confidence=2.0)])
    assert len(store.audit_entries()) == before and store.labels() == []


def test_every_stored_label_has_its_audit_entry(store, document):
    store.add_labels([label(cid, n % 2 == 0, "heuristic") for n, cid in enumerate(["c1", "c2"] * 50)])
    label_ids = {lab.id for lab in store.labels()}
    audited = {e["label_id"] for e in store.audit_entries(action="label.add")}
    assert len(label_ids) == 100 and audited == label_ids


def test_the_audit_log_is_append_only(store, document):
    store.add_labels([label("c1", True, "human:alice")])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE audit SET new_value = 'not SoE'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM audit")
    assert store.audit_entries(action="label.add")[0]["new_value"] == "SoE"


def test_import_consent_and_activation_record_old_and_new(store, document):
    store.set_cloud_consent(document.sha256, True, actor="human:alice")
    store.add_model(version="v1", status="completed", active=True)
    store.add_model(version="v2", status="completed")
    store.activate_model("v2", actor="human:alice")
    (added,) = store.audit_entries(action="document.add")
    assert (added["document_sha256"], added["new_value"]) == (document.sha256, "protocol.pdf")
    (consent,) = store.audit_entries(action="document.cloud_consent")
    assert (consent["old_value"], consent["new_value"], consent["actor"]) == ("not allowed", "allowed", "human:alice")
    activations = store.audit_entries(action="model.activate")
    assert [(e["old_value"], e["new_value"]) for e in activations] == [("", "v1"), ("v1", "v2")]
    assert activations[1]["model_version"] == "v2"  # the model active once the entry is written


def test_entries_filter_by_document_candidate_and_time(store, document):
    other = make_document("other")
    store.add_document(other, "o.pdf", "other.pdf")
    store.replace_candidates(other.sha256, [make_candidate(other, "o1")])
    store.add_labels([label("c1", True, "heuristic"), label("o1", False, "heuristic")])
    mine = store.audit_entries(document=document.sha256)
    assert [e["action"] for e in mine] == ["document.add", "label.add"]
    assert [e["candidate_id"] for e in store.audit_entries(candidate="o1")] == ["o1"]
    assert store.audit_entries(since="2999-01-01") == []
    assert len(store.audit_entries(since="2000-01-01T00:00")) == len(store.audit_entries())


def test_since_accepts_iso_dates_and_refuses_the_rest():
    assert normalise_since("2025-03-01") == "2025-03-01T00:00:00.000+00:00"
    assert normalise_since("2025-03-01T12:00+02:00") == "2025-03-01T10:00:00.000+00:00"
    assert normalise_since("2025-03-01T10:00:00Z") == "2025-03-01T10:00:00.000+00:00"
    with pytest.raises(ValueError, match="ISO date"):
        normalise_since("last tuesday")


def test_candidate_history_lists_labels_and_retractions_oldest_first(store, document):
    store.add_labels([label("c1", True, "heuristic", 0.7, reason="grid")])
    (human,) = store.add_labels([label("c1", False, "human:alice", 1.0, reason="rejected")])
    store.retract(human, "alice")
    store.add_labels([label("c2", True, "heuristic")])
    history = store.candidate_history("c1")
    assert [(e["action"], e["source"], e["old_value"], e["new_value"]) for e in history] == [
        ("label.add", "heuristic", "", "SoE"),
        ("label.add", "human:alice", "SoE", "not SoE"),
        ("label.retract", "human:alice", "not SoE", "SoE"),
    ]
    assert history[0]["details"]["reason"] == "grid" and history[2]["details"]["retracts"] == human
    assert all(e["os_user"] == os_user() and e["app_version"] == __version__ for e in history)
    assert store.candidate_history("nobody") == []
