"""Document names: what the first pages print is kept with the document (and backfilled for a
library made before), and one display name is used by the queue, the window, the gate and exports."""

from __future__ import annotations

import csv
from dataclasses import replace

from sqlite_utils import Database
from store_factories import label, make_candidate, make_document

from soe_desktop.core.model import PageText
from soe_desktop.core.store import Store
from soe_desktop.core.store.exports import export_effective_labels, export_soe_pages
from soe_desktop.core.store.migrations import migrations
from soe_desktop.core.store.names import SHORT_TITLE, display_name, document_details, document_name


def _page(number: int, text: str) -> PageText:
    return PageText(number=number, width=612.0, height=792.0, rotation=0, text=text, has_text_layer=True)


def _stored(store, name: str, title_page: str, filename: str = "protocol.pdf", folder: str = "/site"):
    doc = replace(make_document(name), path=f"{folder}/{filename}")
    store.add_document(doc, f"/data/{doc.sha256}.pdf", filename)
    store.add_pages(doc.sha256, [_page(1, title_page), _page(2, "Synopsis"), _page(4, "Protocol Number: LATE-1")])
    return doc


def test_display_names_tell_files_called_alike_apart():
    assert display_name("protocol.pdf", "MS200095-0022") == "protocol.pdf — MS200095-0022"
    assert display_name("MS200095-0022_protocol.pdf", "MS200095-0022") == "MS200095-0022_protocol.pdf"
    long = display_name("protocol.pdf", "", "A Phase 2 Study of Something Rather Long in People With a Disease")
    assert long.startswith("protocol.pdf — A Phase 2 Study of") and long.endswith("…")
    assert len(long) == len("protocol.pdf — ") + SHORT_TITLE
    assert display_name("protocol.pdf") == "protocol.pdf"
    assert document_name({"filename": "", "original_path": "/a/b/p.pdf", "sha256": "f" * 64}) == "p.pdf"
    assert document_name({"filename": "", "original_path": "", "sha256": "ab" * 32}) == "ab" * 6


def test_storing_the_first_pages_keeps_the_number_and_title_they_print(store):
    one = _stored(store, "one", "Protocol Number: ABC-101-01\nTitle: A Study of One", folder="/trials/site-a")
    two = _stored(store, "two", "Protocol Number: ABC-202-02\nTitle: A Study of Two", folder="/trials/site-b")
    first, second = store.document(one.sha256), store.document(two.sha256)
    assert (first["protocol_number"], first["title"]) == ("ABC-101-01", "A Study of One")
    assert document_name(first) != document_name(second)
    assert document_details(first) == "Folder: /trials/site-a\nProtocol: ABC-101-01\nTitle: A Study of One"
    store.add_pages(one.sha256, [_page(1, "Protocol Number: ABC-101-09")])  # read again: follows the new text
    assert store.document(one.sha256)["protocol_number"] == "ABC-101-09"
    store.add_pages(two.sha256, [_page(7, "Protocol Number: NOT-777")])  # a later page changes nothing
    assert store.document(two.sha256)["protocol_number"] == "ABC-202-02"


def test_a_library_made_before_gets_the_names_from_its_stored_pages(db_path):
    db_path.parent.mkdir(parents=True)
    old = Database(db_path)
    migrations.apply(old, stop_before="m008_document_identity")
    old["documents"].insert({"sha256": "a" * 64, "filename": "protocol.pdf", "page_count": 2, "added_at": "t",
                             "updated_at": "t"})
    old["documents"].insert({"sha256": "b" * 64, "filename": "empty.pdf", "page_count": 1, "added_at": "t",
                             "updated_at": "t"})
    for number, text in ((1, "CLINICAL STUDY PROTOCOL"), (2, "Protocol Number: OLD-123-04")):
        old["pages"].insert({"document_sha256": "a" * 64, "number": number, "width": 612.0, "height": 792.0,
                             "rotation": 0, "has_text_layer": 1, "text": text})
    old.close()
    with Store(db_path) as store:
        assert store.applied_migrations[0] == "m008_document_identity"
        assert store.document("a" * 64)["protocol_number"] == "OLD-123-04"
        assert store.document("b" * 64)["protocol_number"] == "" and store.document("b" * 64)["title"] == ""


def test_soe_pages_of_the_whole_library_match_each_documents(store):
    docs = [make_document(name) for name in ("p", "q", "r")]
    for doc in docs:
        store.add_document(doc, f"/data/{doc.sha256}.pdf", "protocol.pdf")
    store.replace_candidates(docs[0].sha256, [make_candidate(docs[0], "p1", page=3), make_candidate(docs[0], "p2", page=5)])
    store.replace_candidates(docs[1].sha256, [make_candidate(docs[1], "q1", page=2)])
    store.add_labels([label("p1", True, "heuristic"), label("p2", False, "heuristic"), label("q1", True, "heuristic"),
                      label("q1", False, "human:ann", 1.0)])
    everything = store.soe_pages_by_document()
    assert everything == {docs[0].sha256: [3]}
    assert all(everything.get(doc.sha256, []) == store.soe_pages(doc.sha256) for doc in docs)


def test_exports_name_each_document_as_the_app_does(store, tmp_path):
    doc = _stored(store, "one", "Protocol Number: ABC-101-01")
    store.replace_candidates(doc.sha256, [make_candidate(doc, "c1", page=1)])
    store.add_labels([label("c1", True, "heuristic")])
    for export in (export_soe_pages, export_effective_labels):
        out = tmp_path / f"{export.__name__}.csv"
        export(store, out)
        with open(out, newline="", encoding="utf-8") as handle:
            (row,) = list(csv.DictReader(handle))
        assert row["filename"] == "protocol.pdf" and row["document"] == "protocol.pdf — ABC-101-01"
