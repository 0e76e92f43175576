"""Labels are append-only; undo appends a retraction; the effective label is human > rule > machine."""

from __future__ import annotations

import sqlite3

import pytest
from store_factories import label, make_candidate, make_document

from soe_desktop.core.model import Label


def test_add_labels_sets_ids_and_round_trips(store, document):
    original = label("c1", True, "gemini", 0.83, reason="visits x procedures", agree=False,
                     details={"votes": {"json": True, "text": False}, "prompt_version": "v2"})
    ids = store.add_labels([original, label("c2", False, "heuristic")])
    assert original.id == ids[0] and ids[1] > ids[0]
    stored = store.labels("c1")
    assert stored == [original]
    assert stored[0].agree is False


def test_agree_none_round_trips(store, document):
    store.add_labels([label("c1", True, "human:bob", 1.0)])
    assert store.labels("c1")[0].agree is None


def test_update_and_delete_on_labels_are_aborted(store, document):
    store.add_labels([label("c1", True, "heuristic")])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE labels SET is_soe = 0")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM labels")
    assert [lab.is_soe for lab in store.labels("c1")] == [True]


def test_a_new_label_never_overwrites_an_old_one(store, document):
    store.add_labels([label("c1", True, "heuristic", 0.7)])
    store.add_labels([label("c1", False, "heuristic", 0.9)])
    assert [(lab.is_soe, lab.confidence) for lab in store.labels("c1")] == [(True, 0.7), (False, 0.9)]


def test_labels_for_unknown_candidates_are_refused_all_or_none(store, document):
    with pytest.raises(KeyError, match="ghost"):
        store.add_labels([label("c1", True, "heuristic"), label("ghost", True, "heuristic")])
    assert store.labels() == []


def test_invalid_confidence_rolls_back_the_batch(store, document):
    with pytest.raises(sqlite3.IntegrityError):
        store.add_labels([label("c1", True, "heuristic", 0.5), label("c2", True, "heuristic", 1.5)])
    assert store.labels() == []


def test_label_filters(store, document):
    other = make_document("other")
    store.add_document(other, "s", "o.pdf")
    store.replace_candidates(other.sha256, [make_candidate(other, "o1")])
    store.add_labels([label("c1", True, "student:v1"), label("o1", False, "student:v2"), label("c2", True, "gemini")])
    assert [lab.candidate_id for lab in store.labels(sha256=document.sha256)] == ["c1", "c2"]
    assert [lab.candidate_id for lab in store.labels(source_prefix="student:")] == ["c1", "o1"]
    assert [lab.source for lab in store.labels(sha256=other.sha256, source_prefix="student:")] == ["student:v2"]


def test_retraction_undoes_a_human_decision_and_restores_the_previous_label(store, document):
    machine, human = label("c1", True, "heuristic", 0.8), label("c1", False, "human:alice", 1.0)
    store.add_labels([machine, human])
    assert store.effective_labels()["c1"].id == human.id
    retraction_id = store.retract(human.id, "alice")
    assert store.effective_labels()["c1"].id == machine.id
    listed = store.labels("c1")
    assert [lab.id for lab in listed] == [machine.id, human.id]  # the retraction row is not listed
    assert listed[1].details["retracted"] is True and listed[1].details["retracted_by"] == retraction_id
    assert "retracted" not in listed[0].details
    assert [lab.id for lab in store.labels("c1", include_retracted=False)] == [machine.id]


def test_retraction_row_is_history(store, document):
    human = label("c1", True, "human:alice", 1.0)
    store.add_labels([human])
    retraction_id = store.retract(human.id, "bob")
    history = store.label_history("c1")
    assert [lab.id for lab in history] == [human.id, retraction_id]
    assert history[1].source == "human:bob" and history[1].details["retracts"] == human.id
    assert store.audit_entries(action="label.retract")[-1]["details"]["label_id"] == human.id


def test_retract_twice_or_retract_a_retraction_or_unknown_is_refused(store, document):
    human = label("c1", True, "human:alice", 1.0)
    store.add_labels([human])
    retraction_id = store.retract(human.id, "alice")
    with pytest.raises(ValueError, match="already retracted"):
        store.retract(human.id, "alice")
    with pytest.raises(ValueError, match="is a retraction"):
        store.retract(retraction_id, "alice")
    with pytest.raises(KeyError):
        store.retract(9999, "alice")


def test_redo_after_undo_is_a_new_label(store, document):
    human = label("c1", False, "human:alice", 1.0)
    store.add_labels([label("c1", True, "heuristic"), human])
    store.retract(human.id, "alice")
    redo = label("c1", False, "human:alice", 1.0)
    store.add_labels([redo])
    assert store.effective_labels()["c1"].id == redo.id


@pytest.mark.parametrize(
    ("sources", "winner"),
    [
        (["heuristic", "human:a", "gemini", "rule:auto-accept", "student:v1"], "human:a"),
        (["rule:auto-accept", "heuristic", "student:v3"], "rule:auto-accept"),
        (["heuristic", "gemini", "student:v2"], "student:v2"),
        (["human:a", "heuristic", "human:b"], "human:b"),
    ],
)
def test_effective_label_precedence(store, document, sources, winner):
    store.add_labels([label("c1", index % 2 == 0, source) for index, source in enumerate(sources)])
    assert store.effective_labels(document.sha256)["c1"].source == winner


def test_effective_label_uses_store_order_not_labeler_timestamps(store, document):
    late_stamp = Label("c1", True, 0.9, "heuristic", created_at="2030-01-01T00:00:00+00:00")
    early_stamp = Label("c1", False, 0.9, "heuristic", created_at="2020-01-01T00:00:00+00:00")
    store.add_labels([late_stamp, early_stamp])
    assert store.effective_labels()["c1"].id == early_stamp.id


def test_every_label_of_a_candidate_retracted_means_no_effective_label(store, document):
    only = label("c2", True, "rule:auto-accept", 0.99)
    store.add_labels([only, label("c1", True, "heuristic")])
    store.retract(only.id, "alice")
    assert set(store.effective_labels()) == {"c1"}


def test_soe_pages_follow_effective_labels(store, document):
    store.add_labels([label("c1", True, "heuristic"), label("c2", True, "heuristic")])
    assert store.soe_pages(document.sha256) == [1, 2]
    store.add_labels([label("c2", False, "human:alice", 1.0)])
    assert store.soe_pages(document.sha256) == [1]


def test_soe_pages_keep_human_labels_on_stale_candidates_only(store, document):
    store.add_labels([label("c1", True, "human:alice", 1.0), label("c2", True, "heuristic")])
    store.replace_candidates(document.sha256, [])
    assert store.soe_pages(document.sha256) == [1]


def test_candidates_without_label_from_a_source(store, document):
    gemini = label("c1", True, "gemini", 0.9)
    store.add_labels([gemini, label("c2", True, "heuristic")])
    assert [c.id for c in store.candidates_without_label("gemini")] == ["c2"]
    assert [c.id for c in store.candidates_without_label("heuristic", document.sha256)] == ["c1"]
    assert store.candidates_without_label("gemini", "0" * 64) == []
    store.retract(gemini.id, "alice")
    assert [c.id for c in store.candidates_without_label("gemini")] == ["c1", "c2"]
