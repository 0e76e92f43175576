"""train_and_register: the gate picks the right model in both directions, judges only documents the
judged model did not train on (held out, or k-fold by document), keeps the comparison with the
model, and `activate_anyway` overrides. The trainer and the student are fakes here (a run takes a
minute on this machine) except in the one end-to-end test at the bottom."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from soe_desktop.core.app.promotion import CHALLENGER, CHAMPION
from soe_desktop.core.app.training import GATE_ACTOR, GatePlan, train_and_register
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.registry import PROMOTION_FILE, ModelRegistry

from gate_fixtures import PAGES, FakeRuns, build_library, contrarian, install_fake_runs, oracle, sha_of

TRUE_PAGES = lambda page: page <= PAGES // 2  # noqa: E731 - the truth build_library's reviewers give


@pytest.fixture
def runs(monkeypatch):
    return install_fake_runs(monkeypatch, FakeRuns())


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=str(tmp_path / "data"))


def _library(settings, n_documents=4, reviewed=2):
    settings.data_path.mkdir(parents=True, exist_ok=True)
    build_library(settings.db_path, n_documents, reviewed)
    return Store(settings.db_path)


ARGS = TrainingArguments(epochs=1, device="cpu")


def _train(store, settings, **kwargs):
    """The small libraries here have 2-3 reviewed documents: below the gate's minimum of fair ones,
    which test_gate_fairness.py tests; here it is lowered so the gate's choice itself is tested."""
    kwargs["plan"] = replace(kwargs.get("plan", GatePlan()), min_fair_documents=1)
    return train_and_register(settings, store, ARGS, "teacher-filtered", 0.8, **kwargs)


def test_a_better_challenger_becomes_active_and_the_registry_keeps_the_comparison(runs, settings):
    with _library(settings) as store:
        outcome = _train(store, settings, champion=contrarian("heuristic"))
        row = store.model(outcome.version)
        assert outcome.activated and not outcome.activated_anyway and row["active"]
        stored = row["metrics"]["promotion"]
        assert stored == outcome.comparison and stored["winner"] == CHALLENGER
        assert stored["challenger"]["f1"] == 1.0 and stored["champion"]["f1"] == 0.0 and stored["documents"] == 2
        assert stored["different_pages"] == 12 and len(stored["differences"]) == 12
        assert json.loads((settings.models_dir / outcome.version / PROMOTION_FILE).read_text()) == stored
        actions = [(e["action"], e["actor"]) for e in store.audit_entries()]
        assert ("model.compare", "system") in actions and ("model.activate", GATE_ACTOR) in actions
    assert "the new model wins" in outcome.verdict() and "now active" in outcome.verdict()


def test_a_worse_challenger_leaves_the_active_student_active(runs, settings):
    with _library(settings) as store:
        champion = _train(store, settings, activate_anyway=True)
        runs.calls[champion.version] = oracle()  # the earlier student is right on every page
        runs.default_calls = contrarian()
        outcome = _train(store, settings)  # judged against the active student by default
        assert outcome.comparison["winner"] == CHAMPION
        assert outcome.comparison["champion"]["name"] == f"student:{champion.version}"
        assert not outcome.activated and store.active_model()["version"] == champion.version
        assert store.model(outcome.version)["metrics"]["promotion"]["challenger"]["f1"] == 0.0
    assert "the active labeler stays" in outcome.verdict() and "not made active" in outcome.verdict()


def test_activate_anyway_overrides_a_lost_comparison(runs, settings):
    runs.default_calls = contrarian()
    with _library(settings) as store:
        outcome = _train(store, settings, activate_anyway=True, champion=oracle("heuristic"))
        assert outcome.comparison["winner"] == CHAMPION and outcome.activated and outcome.activated_anyway
        assert store.active_model()["version"] == outcome.version
        activation = [e for e in store.audit_entries() if e["action"] == "model.activate"][-1]
        assert activation["actor"].startswith("human:")  # the person who overrode the gate, not the gate
    assert outcome.verdict().endswith("made active anyway")


def test_teacher_sources_hold_every_reviewed_document_out_of_a_single_run(runs, settings):
    with _library(settings, n_documents=6, reviewed=3) as store:
        outcome = _train(store, settings, champion=contrarian())
    (trained,) = runs.training_sets
    assert trained == {sha_of(i) for i in range(3, 6)}  # the three unreviewed documents only
    assert outcome.comparison["method"] == "held-out documents" and outcome.comparison["documents"] == 3


def test_with_few_reviewed_documents_each_is_judged_by_a_run_that_did_not_see_it(runs, settings):
    with _library(settings, n_documents=5, reviewed=3) as store:
        # Human labels are too scarce to set aside: the registered run keeps them, k-fold judges.
        outcome = train_and_register(settings, store, ARGS, "human+teacher-filtered", 0.8, champion=contrarian(),
                                     plan=GatePlan(folds=3))
    everything = {sha_of(i) for i in range(5)}
    registered, *folds = runs.training_sets
    assert registered == everything  # the registered model learns from every document
    left_out = sorted(sorted(everything - fold) for fold in folds)
    assert left_out == [[sha_of(i)] for i in range(3)]  # one reviewed document out per check run
    assert outcome.comparison["method"] == "k-fold by document" and outcome.comparison["folds"] == 3
    assert outcome.comparison["documents"] == 3 and outcome.activated


def test_with_many_reviewed_documents_a_share_is_held_out_of_the_registered_run(runs, settings):
    with _library(settings, n_documents=10, reviewed=8) as store:
        outcome = _train(store, settings, champion=contrarian(), plan=GatePlan(holdout_from=6, holdout_fraction=0.25))
        names = {d["sha256"]: d["filename"] for d in store.documents()}
    (trained,) = runs.training_sets  # one run, no extra checks
    judged = set(outcome.comparison["held_out"])
    assert outcome.comparison["method"] == "held-out documents" and len(judged) == 2
    assert not judged & {names[sha] for sha in trained}  # never judged on a document it trained on
    assert len(trained) == 8 and outcome.row["dataset"]["documents"] == 8


def test_without_reviewed_documents_nothing_is_made_active(runs, settings):
    with _library(settings, reviewed=0) as store:
        outcome = _train(store, settings)
        assert outcome.comparison["winner"] == "" and "no human-reviewed documents" in outcome.comparison["reason"]
        assert not outcome.activated and store.active_model() is None
        assert store.model(outcome.version)["metrics"]["promotion"] == outcome.comparison


def test_activate_false_registers_and_judges_only(runs, settings):
    with _library(settings) as store:
        outcome = _train(store, settings, activate=False, champion=contrarian())
        assert outcome.comparison["winner"] == CHALLENGER and not outcome.activated
        assert store.active_model() is None


def test_a_failed_run_is_recorded_without_a_comparison_and_changes_nothing(runs, settings):
    with _library(settings) as store:
        previous = _train(store, settings, activate_anyway=True)
        runs.status = "failed"
        outcome = _train(store, settings, activate_anyway=True)
        assert outcome.status == "failed" and outcome.comparison is None and not outcome.activated
        assert store.active_model()["version"] == previous.version
        assert store.model(outcome.version)["status"] == "failed"


def test_end_to_end_a_tiny_real_run_is_judged_on_a_held_out_document(settings):
    """The real trainer and student: trained without the reviewed documents, compared, activated."""
    pytest.importorskip("peft")
    args = TrainingArguments(epochs=1, batch_size=8, max_tokens=16, validation_fraction=0.34, device="cpu", threads=1)
    with _library(settings, n_documents=4, reviewed=2) as store:
        outcome = train_and_register(settings, store, args, "teacher-filtered", 0.8, champion=contrarian(),
                                     plan=GatePlan(min_fair_documents=2))
        assert outcome.status == "completed", outcome.error
        comparison = outcome.comparison
        assert comparison["method"] == "held-out documents" and comparison["documents"] == 2
        assert comparison["challenger"]["name"] == f"student:{outcome.version}"
        assert comparison["winner"] == CHALLENGER and outcome.activated  # the champion is wrong on every page
        assert outcome.row["dataset"]["documents"] == 2  # the held-out documents gave no example
        folder = ModelRegistry(store, settings.models_dir).active_folder()
        assert (folder / PROMOTION_FILE).exists() and not list(settings.models_dir.glob("*.part"))
