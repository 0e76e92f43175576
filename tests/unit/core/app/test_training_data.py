"""The training-data view: human labels, teacher labels kept and dropped by the filter per class,
look-alike negatives, and the warning for a class under 30 examples."""

from __future__ import annotations

from soe_desktop.core.app.training_data import MIN_PER_CLASS, default_training_source, training_data_view
from soe_desktop.core.training.arguments import DEFAULT_SOURCE, HUMAN_SOURCE
from soe_desktop.core.model import Label
from soe_desktop.core.store import Store

from gate_fixtures import build_library, sha_of


def _library(tmp_path, n_documents=12, reviewed=2):
    path = tmp_path / "soe.db"
    build_library(path, n_documents, reviewed)
    return Store(path)


def test_counts_per_class_for_human_and_kept_and_dropped_teacher_labels(tmp_path):
    with _library(tmp_path) as store:
        # Two teacher labels the filter drops: the latest one wins, so these replace the confident ones.
        sha = sha_of(5)
        unsure = [c for c in store.candidates(sha) if c.page in (1, 4)]
        store.add_labels([Label(c.id, c.page == 1, 0.6, "heuristic", agree=True) for c in unsure])
        view = training_data_view(store, "human+teacher-filtered", 0.8)
    assert (view.human.soe, view.human.not_soe) == (6, 6)  # two reviewed documents of 3 + 3
    assert (view.teacher_kept.soe, view.teacher_kept.not_soe) == (29, 29)  # 10 other documents, 2 dropped
    assert (view.teacher_dropped.soe, view.teacher_dropped.not_soe) == (1, 1)
    assert view.examples == 70 and view.documents == 12 and view.warnings == []


def test_a_class_under_30_examples_is_warned_about(tmp_path):
    with _library(tmp_path, n_documents=12, reviewed=2) as store:
        view = training_data_view(store, "human", 0.8)
    assert not view.teacher_used and view.teacher_dropped.total == 0 and view.examples == 12
    assert len(view.warnings) == 2 and f"Only 6 SoE example(s), under {MIN_PER_CLASS}" in view.warnings[0]
    assert "not-SoE" in view.warnings[1]


def test_teacher_all_drops_nothing(tmp_path):
    with _library(tmp_path, n_documents=3, reviewed=0) as store:
        view = training_data_view(store, "teacher-all", 0.99)  # the threshold does not apply
    assert view.teacher_dropped.total == 0 and view.teacher_kept.total == 18


def test_lookalike_negatives_are_negatives_the_teacher_called_soe_or_whose_grid_votes_soe(tmp_path):
    with _library(tmp_path, n_documents=2, reviewed=0) as store:
        before = training_data_view(store, "human+teacher-filtered", 0.8).lookalike_negatives
        # A person says two of the SoE-looking tables are not an SoE: look-alikes the teacher fell for.
        fooled = [c for c in store.candidates(sha_of(0)) if c.page in (1, 2)]
        store.add_labels([Label(c.id, False, 1.0, "human:tester") for c in fooled])
        after = training_data_view(store, "human+teacher-filtered", 0.8)
    assert before == 0  # the dose-level tables have no marks under visit headers
    assert after.lookalike_negatives == 2 and after.human.not_soe == 2


def test_one_click_learns_from_reviews_once_there_are_any(tmp_path):
    with _library(tmp_path, n_documents=3, reviewed=0) as store:
        assert default_training_source(store) == DEFAULT_SOURCE
        assert training_data_view(store, None, 0.8).source == DEFAULT_SOURCE
        candidate = store.candidates(sha_of(1))[0]
        store.add_labels([Label(candidate.id, False, 1.0, "human:tester")])
        assert default_training_source(store) == HUMAN_SOURCE
        view = training_data_view(store, None, 0.8)
    assert view.source == HUMAN_SOURCE and view.human.total == 1


def test_a_retracted_review_alone_does_not_switch_the_default(tmp_path):
    with _library(tmp_path, n_documents=2, reviewed=0) as store:
        candidate = store.candidates(sha_of(0))[0]
        [label_id] = store.add_labels([Label(candidate.id, True, 1.0, "human:tester")])
        store.retract(label_id, "tester")
        assert default_training_source(store) == DEFAULT_SOURCE
