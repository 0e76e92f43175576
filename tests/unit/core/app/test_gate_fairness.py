"""The promotion gate judges only fair documents: never those the shipped page model was fitted on,
never those the active student trained on; with too few it decides nothing and activates nothing
unless told to."""

from __future__ import annotations

import pytest

import soe_desktop.core.app.training as training
from soe_desktop.core.app.promotion import CHALLENGER, CHAMPION_TRAINED, TEACHER_FITTED, fair_documents
from soe_desktop.core.app.training import GatePlan, gate_documents, train_and_register
from soe_desktop.core.evaluation.fitted_documents import page_model_documents
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import TrainingArguments

from gate_fixtures import FakeRuns, build_library, contrarian, install_fake_runs, sha_of

ARGS = TrainingArguments(epochs=1, device="cpu")


@pytest.fixture
def runs(monkeypatch):
    return install_fake_runs(monkeypatch, FakeRuns())


@pytest.fixture
def settings(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    settings.data_path.mkdir(parents=True, exist_ok=True)
    return settings


def _fitted_on(monkeypatch, shas):
    monkeypatch.setattr(training, "page_model_documents", lambda: frozenset(shas))


def test_the_shipped_list_names_the_page_models_fitting_documents_by_hash_only():
    hashes = page_model_documents()
    assert len(hashes) >= 30 and all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)


def test_documents_the_teacher_was_fitted_on_are_never_judged(runs, settings, monkeypatch):
    build_library(settings.db_path, n_documents=8, reviewed=5)
    _fitted_on(monkeypatch, {sha_of(0), sha_of(1)})
    with Store(settings.db_path) as store:
        outcome = train_and_register(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian())
    comparison = outcome.comparison
    assert comparison["fair_documents"] == 3 and comparison["left_out"][TEACHER_FITTED] == 2
    assert {"protocol 0.pdf", "protocol 1.pdf"}.isdisjoint(comparison["held_out"])
    assert comparison["winner"] == CHALLENGER and outcome.activated


def test_too_few_fair_documents_decides_nothing_and_activates_nothing(runs, settings, monkeypatch):
    build_library(settings.db_path, n_documents=8, reviewed=4)
    _fitted_on(monkeypatch, {sha_of(0), sha_of(1)})
    with Store(settings.db_path) as store:
        outcome = train_and_register(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian())
        assert not outcome.activated and store.active_model() is None
    comparison = outcome.comparison
    assert comparison["winner"] == "" and comparison["fair_documents"] == 2
    assert "only 2 fair reviewed document(s)" in comparison["reason"] and "at least 3 needed" in comparison["reason"]
    assert comparison["challenger"] is not None  # the figures are still shown, for information


def test_activate_anyway_overrides_too_few_fair_documents(runs, settings, monkeypatch):
    build_library(settings.db_path, n_documents=8, reviewed=4)
    _fitted_on(monkeypatch, {sha_of(0), sha_of(1)})
    with Store(settings.db_path) as store:
        outcome = train_and_register(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian(),
                                     activate_anyway=True)
    assert outcome.activated and outcome.activated_anyway


def test_only_fitted_documents_reviewed_says_so(runs, settings, monkeypatch):
    build_library(settings.db_path, n_documents=4, reviewed=2)
    _fitted_on(monkeypatch, {sha_of(0), sha_of(1)})
    with Store(settings.db_path) as store:
        outcome = train_and_register(settings, store, ARGS, "teacher-filtered", 0.8)
    assert outcome.comparison["winner"] == "" and "no fair documents" in outcome.comparison["reason"]


def test_documents_the_active_student_trained_on_are_left_out(runs, settings, monkeypatch):
    build_library(settings.db_path, n_documents=8, reviewed=6)
    _fitted_on(monkeypatch, set())
    with Store(settings.db_path) as store:
        first = train_and_register(settings, store, ARGS, "human+teacher-filtered", 0.8, activate_anyway=True,
                                   plan=GatePlan(min_fair_documents=1))
        trained = set(store.model(first.version)["dataset"]["document_sha256s"])
        fairness = gate_documents(store)
    reviewed = {sha_of(i) for i in range(6)}
    assert trained & reviewed  # the champion learnt from some reviewed documents ...
    assert {d.sha256 for d in fairness.fair} == reviewed - trained  # ... and is never judged on them
    assert fairness.left_out[CHAMPION_TRAINED] == len(trained & reviewed)


def test_fairness_counts_each_document_once():
    with_hashes = [type("D", (), {"sha256": sha})() for sha in ("a", "b", "c")]
    fairness = fair_documents(with_hashes, frozenset({"a"}), frozenset({"a", "b"}))
    assert [d.sha256 for d in fairness.fair] == ["c"]
    assert fairness.left_out == {TEACHER_FITTED: 1, CHAMPION_TRAINED: 1}
