"""A library made by the first released schema (migration m001 only, rows in that shape) is migrated
by today's code with no data lost: every document, page, candidate and label keeps its values."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database

from soe_desktop.core.model import Label
from soe_desktop.core.store import Store
from soe_desktop.core.store.migrations import migrations

ALL_MIGRATIONS = [m.name for m in migrations._migrations]
FIRST_RELEASE = ALL_MIGRATIONS[:1]
SHA_A, SHA_B = "a" * 64, "b" * 64
T0 = "2024-05-01T09:00:00.000+00:00"

DOCUMENTS = [
    {"sha256": SHA_A, "filename": "Protokoll für Studie – Ü.pdf", "original_path": "/home/u/p.pdf",
     "stored_path": f"/data/{SHA_A}.pdf", "page_count": 3, "added_at": T0, "updated_at": T0,
     "status": "needs review", "error": "", "cloud_consent": 1},
    {"sha256": SHA_B, "filename": "broken.pdf", "original_path": "", "stored_path": "", "page_count": 1,
     "added_at": T0, "updated_at": T0, "status": "error", "error": "page 1 cannot be read", "cloud_consent": 0},
]
PAGES = [
    {"document_sha256": SHA_A, "number": n, "width": 612.0, "height": 792.0, "rotation": 90 if n == 2 else 0,
     "has_text_layer": int(n != 3), "text": f"Schedule of Activities page {n}\nVisit 1 ✓" if n != 3 else ""}
    for n in (1, 2, 3)
]
CANDIDATES = [
    {"id": f"c{n}", "document_sha256": SHA_A, "page": n, "x0": 10.5, "top": 20.0 + n, "x1": 500.0, "bottom": 700.25,
     "detector": "pdfplumber" if n < 3 else "camelot-lattice", "group_id": "g1" if n < 3 else "c3",
     "rows_json": json.dumps([["Procedure", "V1"], ["ECG", "X"]]), "context": f"Table {n}",
     "features_json": json.dumps({"mark_density": 0.1 * n}), "created_at": T0, "updated_at": T0,
     "current": int(n != 3)}
    for n in (1, 2, 3)
]
LABELS = [
    {"id": 1, "candidate_id": "c1", "is_soe": 1, "confidence": 0.91, "source": "heuristic", "created_at": T0,
     "reason": "grid of marks", "agree": 1, "details_json": json.dumps({"votes": [0.9, 0.92]}), "retracts": None},
    {"id": 2, "candidate_id": "c1", "is_soe": 0, "confidence": 1.0, "source": "human:alice", "created_at": T0,
     "reason": "rejected", "agree": None, "details_json": "{}", "retracts": None},
    {"id": 3, "candidate_id": "c1", "is_soe": 0, "confidence": 1.0, "source": "human:alice", "created_at": T0,
     "reason": "retracts label 2", "agree": None, "details_json": "{}", "retracts": 2},
    {"id": 4, "candidate_id": "c2", "is_soe": 1, "confidence": 0.99, "source": "rule:auto-accept", "created_at": T0,
     "reason": "auto-accepted", "agree": 1, "details_json": "{}", "retracts": None},
    {"id": 5, "candidate_id": "c3", "is_soe": 0, "confidence": 1.0, "source": "human:bob", "created_at": T0,
     "reason": "", "agree": None, "details_json": "{}", "retracts": None},
]
TABLES = {"documents": DOCUMENTS, "pages": PAGES, "candidates": CANDIDATES, "labels": LABELS}


@pytest.fixture
def first_release_db(db_path):
    """A database as the first release left it: only m001 applied, one row of each kind it held."""
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before=ALL_MIGRATIONS[1])
    assert [m.name for m in migrations.applied(old)] == FIRST_RELEASE
    for table, rows in TABLES.items():
        old[table].insert_all(rows)
    old.close()
    return db_path


def _rows(db_path, table: str, columns: list[str]) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")]
    finally:
        conn.close()


def test_every_old_row_keeps_every_value(first_release_db):
    with Store(first_release_db) as store:
        assert store.applied_migrations == ALL_MIGRATIONS[1:]
    for table, rows in TABLES.items():
        assert _rows(first_release_db, table, list(rows[0])) == rows, table


def test_old_rows_read_back_through_the_store(first_release_db):
    with Store(first_release_db) as store:
        assert [doc["filename"] for doc in store.documents()] == [d["filename"] for d in DOCUMENTS]
        assert store.document(SHA_A)["cloud_consent"] is True and store.document(SHA_B)["error"] == DOCUMENTS[1]["error"]
        pages = store.pages(SHA_A)
        assert [(p.number, p.rotation, p.has_text_layer, p.ocr, p.text) for p in pages] == [
            (r["number"], r["rotation"], bool(r["has_text_layer"]), False, r["text"]) for r in PAGES]
        assert [c.id for c in store.candidates(SHA_A)] == ["c1", "c2"]
        stale = store.candidate("c3")
        assert stale.rows == [["Procedure", "V1"], ["ECG", "X"]] and stale.features == json.loads(CANDIDATES[2]["features_json"])
        assert [c.id for c in store.candidates(SHA_A, include_stale=True)] == ["c1", "c2", "c3"]
        history = store.label_history("c1")
        assert [(lab.id, lab.source, lab.details.get("retracts")) for lab in history] == [
            (1, "heuristic", None), (2, "human:alice", None), (3, "human:alice", 2)]
        effective = store.effective_labels(SHA_A)
        assert (effective["c1"].source, effective["c1"].details) == ("heuristic", {"votes": [0.9, 0.92]})
        assert effective["c2"].source == "rule:auto-accept" and effective["c3"].source == "human:bob"
        assert store.soe_pages(SHA_A) == [1, 2]


def test_migrated_library_keeps_its_guarantees_and_takes_new_work(first_release_db):
    with Store(first_release_db) as store:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("DELETE FROM labels WHERE id = 1")
        (new_id,) = store.add_labels([Label("c2", False, 1.0, "human:carol")])
        assert new_id == 6  # AUTOINCREMENT carries on after the old rows
        assert [(e["action"], e["old_value"], e["new_value"]) for e in store.candidate_history("c1")] == [
            ("label.add", "", "SoE"), ("label.add", "", "not SoE"), ("label.retract", "", "")]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("UPDATE audit SET actor = 'someone else'")


def test_audit_rows_of_the_second_schema_are_kept_and_attributed_to_their_document(db_path):
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before=ALL_MIGRATIONS[2])
    old["documents"].insert(DOCUMENTS[0])
    old["candidates"].insert(CANDIDATES[0])
    entries = [{"at": T0, "actor": "system", "action": "document.add", "subject": SHA_A, "details_json": "{}"},
               {"at": T0, "actor": "human:alice", "action": "label.retract", "subject": "c1",
                "details_json": json.dumps({"label_id": 2})}]
    old["audit"].insert_all(entries)
    old.close()
    with Store(db_path) as store:
        found = store.audit_entries()
    assert [(e["at"], e["actor"], e["action"], e["subject"]) for e in found] == [
        (e["at"], e["actor"], e["action"], e["subject"]) for e in entries]
    assert [(e["document_sha256"], e["candidate_id"], e["source"]) for e in found] == [
        (SHA_A, "", "system"), (SHA_A, "c1", "human:alice")]
    assert found[1]["details"] == {"label_id": 2}
