"""The review workflow: a decision is appended as a human label and the document's status follows;
undo appends a retraction and the status follows back."""

from __future__ import annotations

from soe_desktop.core.app.review import review, undo_review
from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store

SHA = "c" * 64


def _store(tmp_path) -> Store:
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/tmp/doc.pdf", SHA, 2), "/tmp/doc.pdf", "doc.pdf")
    store.replace_candidates(SHA, [Candidate("c-1", SHA, 1, (0, 0, 1, 1), "pdfplumber"),
                                   Candidate("c-2", SHA, 2, (0, 0, 1, 1), "pdfplumber")])
    store.add_labels([Label("c-1", True, 0.9, "heuristic"), Label("c-2", False, 0.9, "heuristic")])
    store.set_status(SHA, "needs review")
    return store


def test_decisions_set_the_status_and_undo_takes_it_back(tmp_path):
    store = _store(tmp_path)
    first = review(store, SHA, "c-1", True, "accepted", actor="human:ana")
    assert store.document(SHA)["status"] == "needs review"  # c-2 is still open
    second = review(store, SHA, "c-2", True, "not a look-alike", actor="human:ana")
    assert store.document(SHA)["status"] == "done"
    assert store.effective_labels(SHA)["c-2"].source == "human:ana" and store.effective_labels(SHA)["c-2"].is_soe
    undo_review(store, SHA, second, actor="human:ana")
    assert store.document(SHA)["status"] == "needs review"
    assert store.effective_labels(SHA)["c-2"].source == "heuristic"
    assert [store.effective_labels(SHA)["c-1"].id] == first
    store.close()


def test_a_decision_on_one_page_of_a_table_settles_all_its_pages_and_undo_takes_them_all_back(tmp_path):
    store = _store(tmp_path)
    store.replace_candidates(SHA, [Candidate("t-1", SHA, 1, (0, 0, 1, 1), "pdfplumber", group="t"),
                                   Candidate("t-2", SHA, 2, (0, 0, 1, 1), "pdfplumber", group="t")])
    store.add_labels([Label("t-1", True, 0.9, "heuristic"), Label("t-2", True, 0.8, "heuristic")])
    decided = review(store, SHA, "t-2", False, "marked not SoE", actor="human:ana")
    effective = store.effective_labels(SHA)
    assert [effective["t-2"].id, effective["t-1"].id] == decided  # the page decided on first
    assert all(effective[c].source == "human:ana" and not effective[c].is_soe for c in ("t-1", "t-2"))
    assert effective["t-1"].details["decided_on"] == "t-2" and "page 2" in effective["t-1"].reason
    assert store.document(SHA)["status"] == "done"  # no page of the table is left open
    undo_review(store, SHA, decided, actor="human:ana")
    assert {c: store.effective_labels(SHA)[c].source for c in ("t-1", "t-2")} == {"t-1": "heuristic", "t-2": "heuristic"}
    assert store.document(SHA)["status"] == "needs review"
    store.close()
