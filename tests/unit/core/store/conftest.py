"""Fixtures for the store tests: an on-disk store per test and one stored document."""

from __future__ import annotations

import pytest
from store_factories import make_candidate, make_document, make_pages

from soe_desktop.core.store import Store


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "soe.db"


@pytest.fixture
def store(db_path):
    opened = Store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def document(store):
    """One stored document with three pages and two candidates (c1 on page 1, c2 on page 2)."""
    doc = make_document()
    store.add_document(doc, stored_path=f"/data/{doc.sha256}.pdf", filename="protocol.pdf")
    store.add_pages(doc.sha256, make_pages(3))
    store.replace_candidates(doc.sha256, [make_candidate(doc, "c1", page=1), make_candidate(doc, "c2", page=2)])
    return doc
