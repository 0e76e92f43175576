"""Backup (online API, consistent under writes), restore (refuses a newer library) and rotation."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from store_factories import label, make_candidate, make_document, make_pages

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.store import Store
from soe_desktop.core.store import backup as backup_module
from soe_desktop.core.store.backup import (
    RestoreRefused,
    backup_library,
    manifest_path,
    read_backup_state,
    restore_library,
    rotating_backup,
)


def _fill(store: Store, name: str = "protocol", candidates: int = 3) -> str:
    doc = make_document(name)
    store.add_document(doc, f"/data/{doc.sha256}.pdf", f"{name}.pdf")
    store.add_pages(doc.sha256, make_pages(3))
    store.replace_candidates(doc.sha256, [make_candidate(doc, f"{name}-{n}", page=1 + n % 3) for n in range(candidates)])
    store.add_labels([label(f"{name}-{n}", n % 2 == 0, "heuristic") for n in range(candidates)])
    return doc.sha256


def _model_folder(tmp_path, version: str):
    folder = tmp_path / "models" / version
    folder.mkdir(parents=True)
    (folder / "adapter_model.safetensors").write_bytes(b"weights " + version.encode())
    (folder / "run.json").write_text("{}")
    return folder


def test_backup_copies_everything_and_lists_adapters(store, db_path, tmp_path):
    sha = _fill(store)
    folder = _model_folder(tmp_path, "v1")
    store.add_model(version="v1", status="completed", active=True, path=str(folder))
    target = tmp_path / "out" / "library.db"
    manifest = backup_library(db_path, target, models_dir=tmp_path / "models", copy_models=True)
    with Store(target) as copy:
        assert copy.document(sha)["filename"] == "protocol.pdf"
        assert [lab.id for lab in copy.labels()] == [lab.id for lab in store.labels()]
    assert json.loads(manifest_path(target).read_text()) == manifest
    (model,) = manifest["models"]
    assert (model["version"], model["active"]) == ("v1", True)
    assert {f["name"] for f in model["files"]} == {"adapter_model.safetensors", "run.json"}
    assert (target.parent / "library.db.models" / "v1" / "adapter_model.safetensors").read_bytes() == b"weights v1"
    assert manifest["counts"]["labels"] == 3 and manifest["schema"][0].startswith("m001")
    assert list(target.parent.glob("*.part")) == []
    assert store.audit_entries(action="library.backup")[0]["subject"] == str(target)


def test_backup_is_one_snapshot_while_another_connection_writes(store, db_path, tmp_path, monkeypatch):
    _fill(store, candidates=50)
    monkeypatch.setattr(backup_module, "STEP_PAGES", 2)  # many steps, so writes land between them
    stop, written = threading.Event(), []

    def write() -> None:
        with Store(db_path) as writer:
            while not stop.is_set():
                written.extend(writer.add_labels([label(f"protocol-{len(written) % 50}", True, "human:w", 1.0)]))

    thread = threading.Thread(target=write)
    thread.start()
    try:
        steps = []
        while len(written) < 20:
            stop.wait(0.01)
        before = len(written)
        backup_library(db_path, tmp_path / "b.db", progress=lambda p: (steps.append(p), stop.wait(0.01)))
        during = len(written) - before
    finally:
        stop.set()
        thread.join()
    conn = sqlite3.connect(tmp_path / "b.db")
    labels = conn.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
    audited = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'label.add'").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert labels == audited and 50 + 20 <= labels <= 50 + len(written)  # every label with its audit entry
    assert len(steps) > 3 and steps[-1].done == steps[-1].total and during > 0


def test_a_cancelled_backup_leaves_no_file(store, db_path, tmp_path):
    _fill(store)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        backup_library(db_path, tmp_path / "b.db", cancel=token)
    assert list(tmp_path.glob("*b.db*")) == []


def test_restore_brings_back_the_backed_up_library(store, db_path, tmp_path):
    sha = _fill(store)
    backup_library(db_path, tmp_path / "b.db")
    store.add_labels([label("protocol-0", False, "human:alice", 1.0)])
    store.close()
    with pytest.raises(RestoreRefused, match="newer than the backup.*--force"):
        restore_library(tmp_path / "b.db", db_path)
    summary = restore_library(tmp_path / "b.db", db_path, force=True)
    with Store(db_path) as restored:
        assert not any(lab.is_human for lab in restored.labels()) and restored.document(sha)
        assert restored.audit_entries(action="library.restore")[0]["details"]["forced"] is True
    with Store(summary["previous_saved_as"]) as saved:
        assert any(lab.is_human for lab in saved.labels())  # the overwritten library was kept


def test_restore_of_an_up_to_date_backup_needs_no_force(store, db_path, tmp_path):
    _fill(store)
    backup_library(db_path, tmp_path / "b.db")  # its own audit entry does not make the library newer
    store.close()
    assert restore_library(tmp_path / "b.db", db_path)["counts"]["labels"] == 3


def test_restore_into_an_empty_place_and_of_adapters(store, db_path, tmp_path):
    _fill(store)
    store.add_model(version="v1", status="completed", active=True, path=str(_model_folder(tmp_path, "v1")))
    backup_library(db_path, tmp_path / "b.db", copy_models=True)
    fresh = tmp_path / "new" / "soe.db"
    fresh.parent.mkdir()
    summary = restore_library(tmp_path / "b.db", fresh, models_dir=tmp_path / "new" / "models")
    assert summary["models_restored"] == ["v1"] and summary["previous_saved_as"] == ""
    assert (tmp_path / "new" / "models" / "v1" / "run.json").exists()
    with Store(fresh) as restored:
        assert restored.active_model()["version"] == "v1"


def test_restore_refuses_damaged_and_foreign_files(store, db_path, tmp_path):
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BadInputError, match="not a SoE Desktop library"):
        restore_library(tmp_path / "junk.db", db_path)
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(BadInputError, match="no schema record"):
        read_backup_state(tmp_path / "other.db")
    with pytest.raises(BadInputError, match="no such backup"):
        restore_library(tmp_path / "missing.db", db_path)


def test_restore_refuses_a_backup_from_a_newer_app(store, db_path, tmp_path):
    _fill(store)
    backup_library(db_path, tmp_path / "b.db")
    conn = sqlite3.connect(tmp_path / "b.db")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('soe_desktop', 'm999_future', 't')")
    conn.commit()
    conn.close()
    with pytest.raises(BadInputError, match="newer SoE Desktop"):
        restore_library(tmp_path / "b.db", db_path, force=True)


def test_rotating_backups_keep_the_newest(store, db_path, tmp_path):
    _fill(store)
    made = [rotating_backup(db_path, tmp_path / "backups", keep=2) for _ in range(4)]
    kept = sorted((tmp_path / "backups").glob("soe-*Z.db"))
    assert kept == made[-2:] and all(manifest_path(path).exists() for path in kept)
    assert len(list((tmp_path / "backups").glob("*.manifest.json"))) == 2
    assert rotating_backup(db_path, tmp_path / "off", keep=0) is None and not (tmp_path / "off").exists()
