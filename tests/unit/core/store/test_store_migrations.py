"""Schema comes from sqlite-utils migrations: fresh, re-opened and partly-migrated databases all end current."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from store_factories import make_document

from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.store.migrations import MIGRATION_SET, migrations

TABLES = {"documents", "pages", "candidates", "labels", "audit", "ledger", "models"}
ALL_MIGRATIONS = [m.name for m in migrations._migrations]


def _columns(db_path, table) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_fresh_database_gets_every_table_and_records_the_migrations(db_path):
    store = Store(db_path)
    assert TABLES <= set(store.db.table_names())
    assert store.applied_migrations == ALL_MIGRATIONS
    assert [m.name for m in migrations.applied(store.db)] == ALL_MIGRATIONS
    store.close()
    assert {"sha256", "status", "cloud_consent", "stored_path"} <= _columns(db_path, "documents")
    assert {"retracts", "agree", "details_json", "source"} <= _columns(db_path, "labels")
    assert {"version", "active", "metrics_json", "peak_rss_mb"} <= _columns(db_path, "models")


def test_reopening_applies_nothing_and_keeps_data(db_path):
    doc = make_document()
    with Store(db_path) as store:
        store.add_document(doc, "stored.pdf", "protocol.pdf")
    with Store(db_path) as again:
        assert again.applied_migrations == []
        assert again.document(doc.sha256)["filename"] == "protocol.pdf"
        assert len(migrations.applied(again.db)) == len(ALL_MIGRATIONS)


def test_database_from_an_earlier_migration_set_is_brought_up_to_date(db_path):
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before=ALL_MIGRATIONS[1])
    assert "models" not in old.table_names() and "documents" in old.table_names()
    old["documents"].insert(
        {"sha256": "a" * 64, "filename": "old.pdf", "page_count": 2, "added_at": "t", "updated_at": "t"}
    )
    old.close()
    with Store(db_path) as store:
        assert store.applied_migrations == ALL_MIGRATIONS[1:]
        assert store.document("a" * 64)["filename"] == "old.pdf"
        store.add_model(version="v1", status="completed")
        assert store.models()[0]["version"] == "v1"


def test_ledger_rows_written_before_the_run_count_columns_keep_counting(db_path):
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before="m003_ledger_run_counts")
    old["ledger"].insert({"at": "t", "document_sha256": "d", "input_tokens": 7})
    old.close()
    with Store(db_path) as store:
        assert store.applied_migrations == ALL_MIGRATIONS[ALL_MIGRATIONS.index("m003_ledger_run_counts"):]
        assert store.ledger_totals()[0]["requests"] == 1
        assert store.ledger_summary()["input_tokens"] == 7


def test_pages_stored_before_ocr_existed_read_back_as_not_ocr(db_path):
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before="m004_pages_read_by_ocr")
    old["documents"].insert(
        {"sha256": "a" * 64, "filename": "old.pdf", "page_count": 1, "added_at": "t", "updated_at": "t"}
    )
    old["pages"].insert({"document_sha256": "a" * 64, "number": 1, "width": 612.0, "height": 792.0,
                         "rotation": 0, "has_text_layer": 0, "text": ""})
    old.close()
    with Store(db_path) as store:
        assert store.applied_migrations == ALL_MIGRATIONS[ALL_MIGRATIONS.index("m004_pages_read_by_ocr"):]
        (page,) = store.pages("a" * 64)
        assert page.ocr is False and page.has_text_layer is False


def test_migrations_are_recorded_under_the_app_set(db_path):
    with Store(db_path) as store:
        names = {row["migration_set"] for row in store.db["_sqlite_migrations"].rows}
    assert names == {MIGRATION_SET}


def test_file_store_uses_wal_and_foreign_keys(store):
    assert store.journal_mode == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_memory_store_works_for_tests():
    with Store(":memory:") as store:
        assert store.add_document(make_document(), "s.pdf", "p.pdf") is True
        assert len(store.documents()) == 1


def test_from_settings_honours_the_db_env_override(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "custom.db"
    monkeypatch.setenv("SOE_DESKTOP_DB", str(target))
    with Store.from_settings(Settings()) as store:
        assert store.path == str(target)
    assert target.exists()


def test_from_settings_defaults_into_the_data_folder(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "appdata"))
    with Store.from_settings(settings):
        pass
    assert (tmp_path / "appdata" / "soe.db").exists()
