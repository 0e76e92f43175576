"""Writes from several threads (one shared Store, or one Store per thread on the same file) don't corrupt."""

from __future__ import annotations

import threading

from store_factories import label, make_candidate, make_document, make_pages

from soe_desktop.core.store import Store
from soe_desktop.core.store.migrations import migrations

DOCS_PER_THREAD = 15


def _write_documents(store: Store, prefix: str, errors: list) -> None:
    try:
        for n in range(DOCS_PER_THREAD):
            doc = make_document(f"{prefix}-{n}", page_count=2)
            with store.transaction():
                store.add_document(doc, "s", f"{prefix}-{n}.pdf")
                store.add_pages(doc.sha256, make_pages(2))
                store.replace_candidates(doc.sha256, [make_candidate(doc, f"{prefix}-{n}-a")])
            store.add_labels([label(f"{prefix}-{n}-a", True, "heuristic"), label(f"{prefix}-{n}-a", False, "human:x", 1.0)])
            store.set_status(doc.sha256, "needs review")
            store.effective_labels(doc.sha256)  # interleave reads with the other thread's writes
    except BaseException as error:  # surfaced by the test thread
        errors.append(error)


def _run_threads(targets) -> list:
    errors: list = []
    threads = [threading.Thread(target=_write_documents, args=(store, prefix, errors)) for store, prefix in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _check_complete(store: Store, prefixes) -> None:
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(store.documents()) == DOCS_PER_THREAD * len(prefixes)
    assert {d["status"] for d in store.documents()} == {"needs review"}
    assert len(store.labels()) == 2 * DOCS_PER_THREAD * len(prefixes)
    effective = store.effective_labels()
    assert len(effective) == DOCS_PER_THREAD * len(prefixes)
    assert all(lab.source == "human:x" for lab in effective.values())
    ids = [lab.id for lab in store.labels()]
    assert len(set(ids)) == len(ids)


def test_two_threads_sharing_one_store(store):
    assert _run_threads([(store, "left"), (store, "right")]) == []
    _check_complete(store, ["left", "right"])


def test_two_stores_on_one_file_in_two_threads(db_path):
    first, second = Store(db_path), Store(db_path)
    try:
        assert _run_threads([(first, "one"), (second, "two")]) == []
    finally:
        first.close()
        second.close()
    with Store(db_path) as reopened:
        _check_complete(reopened, ["one", "two"])


def test_several_threads_opening_a_fresh_database_migrate_it_once(db_path):
    opened: list[Store] = []
    errors: list = []

    def open_store() -> None:
        try:
            opened.append(Store(db_path))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert sorted(len(store.applied_migrations) for store in opened)[:3] == [0, 0, 0]
        assert opened[0].db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == len(migrations._migrations)
    finally:
        for store in opened:
            store.close()
