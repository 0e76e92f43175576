"""Ledger, model registry rows and the audit log."""

from __future__ import annotations

import sqlite3

import pytest
from store_factories import make_document


def test_ledger_rows_and_totals_per_document(store, document):
    other = make_document("other")
    store.add_document(other, "s", "other.pdf")
    first = store.add_ledger(document_sha256=document.sha256, model="gemini-2.5-flash", prompt_version="v1",
                             representation="json", input_tokens=1000, output_tokens=50, cost_usd=0.0004)
    store.add_ledger(document_sha256=document.sha256, model="gemini-2.5-flash", representation="text",
                     input_tokens=2000, output_tokens=70, cost_usd=0.0008)
    store.add_ledger(document_sha256=document.sha256, representation="text", cached=True)
    store.add_ledger(document_sha256=other.sha256, input_tokens=10, output_tokens=1, cost_usd=0.00001)
    entries = store.ledger(document.sha256)
    assert [e["id"] for e in entries][0] == first and len(entries) == 3
    assert entries[2]["cached"] is True and entries[0]["cached"] is False
    assert entries[0]["at"]
    totals = {row["document_sha256"]: row for row in store.ledger_totals()}
    mine = totals[document.sha256]
    assert (mine["entries"], mine["requests"], mine["cached_items"]) == (3, 2, 1)
    assert (mine["input_tokens"], mine["output_tokens"], mine["failed_requests"]) == (3000, 120, 0)
    assert mine["cost_usd"] == pytest.approx(0.0012)
    assert mine["filename"] == "protocol.pdf"
    assert totals[other.sha256]["requests"] == 1
    assert len(store.ledger()) == 4


def test_run_summary_rows_from_the_gemini_teacher(store, document):
    """The shape `Usage.ledger_row` writes: one row per document and run, `created_at` for the time."""
    store.add_ledger(document_sha256=document.sha256, model="gemini-2.5-flash", prompt_version="v1",
                     requests=4, input_tokens=4000, output_tokens=200, cached_items=6, failed_requests=1,
                     created_at="2026-11-25T10:00:00.000+00:00", cost_usd=0.0017)
    store.add_ledger(document_sha256="not-stored", requests=1, input_tokens=5, cost_usd=0.001)
    entry = store.ledger(document.sha256)[0]
    assert entry["at"] == "2026-11-25T10:00:00.000+00:00" and entry["cached"] is False
    summary = store.ledger_summary()
    assert summary["documents"] == 2 and summary["requests"] == 5 and summary["cached_items"] == 6
    assert summary["failed_requests"] == 1 and summary["input_tokens"] == 4005
    assert summary["cost_usd"] == pytest.approx(0.0027)
    totals = store.ledger_totals()
    assert [row["filename"] for row in totals] == ["protocol.pdf", ""]


def test_empty_ledger_summary_is_zero(store):
    assert store.ledger_summary() == {"documents": 0, "entries": 0, "requests": 0, "cached_items": 0,
                                      "failed_requests": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0}
    assert store.ledger_totals() == []


def test_ledger_rejects_unknown_fields(store):
    with pytest.raises(TypeError, match="api_key"):
        store.add_ledger(document_sha256="x", api_key="secret")
    assert store.ledger() == []


def test_models_registry_round_trip_and_single_active(store):
    store.add_model(version="v1", base_model="minilm", status="completed", path="/m/v1",
                    args={"epochs": 1}, dataset={"source": "teacher-filtered", "n": 10},
                    metrics={"f1": 0.8}, seconds=12.5, peak_rss_mb=900.0, active=True)
    store.add_model(version="v2", status="completed", metrics={"f1": 0.9})
    assert store.active_model()["version"] == "v1"
    first = store.model("v1")
    assert (first["args"], first["dataset"]["n"], first["metrics"], first["seconds"]) == ({"epochs": 1}, 10, {"f1": 0.8}, 12.5)
    store.activate_model("v2")
    assert store.active_model()["version"] == "v2"
    assert [m["active"] for m in store.models()] == [False, True]


def test_failed_or_cancelled_runs_never_become_active(store):
    store.add_model(version="good", status="completed", active=True)
    store.add_model(version="bad", status="failed")
    store.add_model(version="stopped", status="cancelled")
    for version in ("bad", "stopped"):
        with pytest.raises(ValueError):
            store.activate_model(version)
    with pytest.raises(ValueError):
        store.add_model(version="worse", status="failed", active=True)
    with pytest.raises(ValueError):
        store.add_model(version="odd", status="running")
    assert store.active_model()["version"] == "good"


def test_schema_refuses_two_active_models(store):
    store.add_model(version="a", status="completed", active=True)
    store.add_model(version="b", status="completed")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE models SET active = 1 WHERE version = 'b'")


def test_update_and_delete_model(store):
    store.add_model(version="v1", status="completed", active=True)
    store.update_model("v1", metrics={"f1": 0.95})
    assert store.model("v1")["metrics"] == {"f1": 0.95}
    with pytest.raises(TypeError):
        store.update_model("v1", active=False)
    store.delete_model("v1")
    assert store.models() == [] and store.active_model() is None
    assert store.audit_entries(action="model.delete")[0]["details"]["was_active"] is True
    with pytest.raises(KeyError):
        store.delete_model("v1")
    with pytest.raises(KeyError):
        store.activate_model("missing")


def test_audit_entries(store):
    first = store.audit("settings.change", "teacher", {"from": "heuristic", "to": "gemini"}, actor="human:alice")
    store.audit("export", "labels.csv")
    entries = store.audit_entries()
    assert entries[0]["id"] == first
    assert (entries[0]["actor"], entries[0]["details"]["to"]) == ("human:alice", "gemini")
    assert entries[1]["actor"] == "system" and entries[1]["details"] == {}
    assert [e["subject"] for e in store.audit_entries(action="export")] == ["labels.csv"]
