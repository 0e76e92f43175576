"""Per-document counts for the dashboard."""

from __future__ import annotations

from store_factories import label, make_candidate, make_document

from soe_desktop.core.store.summaries import document_summaries, document_summary


def test_summary_counts_effective_labels_and_teacher_agreement(store, document):
    store.replace_candidates(document.sha256, [make_candidate(document, cid, page=page)
                                               for cid, page in (("c1", 1), ("c2", 2), ("c3", 3), ("c4", 3))])
    store.add_labels([
        label("c1", True, "heuristic"), label("c1", True, "human:a", 1.0),  # teacher agrees with human
        label("c2", True, "gemini"), label("c2", False, "human:a", 1.0),  # teacher disagrees
        label("c3", True, "student:v1"), label("c3", True, "rule:auto-accept", 0.99),
    ])
    summary = document_summary(store, document.sha256)
    assert summary == {
        "sha256": document.sha256, "candidates": 4, "labelled": 3, "soe_candidates": 2, "soe_pages": [1, 3],
        "reviewed": 2, "auto_accepted": 1, "teacher_vs_human": 2, "teacher_agrees_with_human": 1,
    }


def test_student_labels_are_not_counted_as_teacher(store, document):
    store.add_labels([label("c1", False, "student:v1"), label("c1", True, "human:a", 1.0)])
    assert document_summary(store, document.sha256)["teacher_vs_human"] == 0


def test_summaries_cover_every_document(store, document):
    other = make_document("empty")
    store.add_document(other, "s", "empty.pdf")
    summaries = document_summaries(store)
    assert [(s["filename"], s["status"], s["candidates"]) for s in summaries] == [
        ("protocol.pdf", "queued", 2), ("empty.pdf", "queued", 0)]
