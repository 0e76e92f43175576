"""One click, every contender: the LoRA student trains after the layout-cue student where a GPU is
(or when asked), both are judged against the same champion, and the gate activates the better of
the challengers that beat it; a user-chosen LoRA head trains alone."""

from __future__ import annotations

import pytest

import soe_desktop.core.app.contenders as contenders
from soe_desktop.core.app.contenders import LORA_CONTENDER, best_contender, contender_arguments, train_contenders
from soe_desktop.core.app.training import GatePlan, TrainOutcome
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import FEATURES_HEAD, TrainingArguments
from soe_desktop.core.training.registry import read_run_record

from gate_fixtures import PAGES, FakeRuns, PageLabeler, build_library, contrarian, install_fake_runs, oracle

ARGS = TrainingArguments(epochs=1, device="cpu")
PLAN = GatePlan(min_fair_documents=1)


class HeadRuns(FakeRuns):
    """Each head's student calls pages its own way (`by_head`)."""

    def __init__(self) -> None:
        super().__init__()
        self.heads: dict[str, str] = {}
        self.by_head: dict[str, PageLabeler] = {}

    def train(self, dataset, args, progress=None, cancel=None):
        result = super().train(dataset, args, progress, cancel)
        self.heads[result.version] = args.head
        return result

    def student(self, folder, device="auto"):
        version = read_run_record(folder)["version"]
        behaviour = self.by_head.get(self.heads[version], self.default_calls)
        return PageLabeler(f"student:{version}", behaviour.calls)


@pytest.fixture
def runs(monkeypatch):
    return install_fake_runs(monkeypatch, HeadRuns())


@pytest.fixture
def settings(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    settings.data_path.mkdir(parents=True, exist_ok=True)
    build_library(settings.db_path, 4, 2)
    return settings


def half_right(name="half"):
    return PageLabeler(name, lambda _sha, page: page <= PAGES // 2 or page == PAGES)  # one false page each


def test_the_lora_student_is_a_contender_on_a_gpu_or_when_asked(monkeypatch):
    assert [a.head for a in contender_arguments(ARGS, with_lora=True)] == [FEATURES_HEAD, LORA_CONTENDER]
    assert [a.head for a in contender_arguments(ARGS, with_lora=False)] == [FEATURES_HEAD]
    monkeypatch.setattr(contenders, "lora_wanted", lambda with_lora, device="auto": True)  # as on a GPU
    lora = contender_arguments(TrainingArguments(human_weight=2.0))[1]
    assert lora.epochs == 2 and lora.calibration_folds == 0 and lora.human_weight == 2.0  # its measured settings
    chosen = TrainingArguments.for_head("text")
    assert contender_arguments(chosen, with_lora=True) == [chosen]  # a chosen LoRA head trains alone


def test_auto_means_only_where_training_runs_on_a_gpu():
    from soe_desktop.core.training.device import pick_device

    assert contenders.lora_wanted(None, "cpu") is False
    assert contenders.lora_wanted(None, "auto") is (pick_device("auto").type in contenders.FAST_DEVICES)


def test_the_better_challenger_that_beats_the_champion_becomes_active(runs, settings):
    runs.by_head = {FEATURES_HEAD: half_right(), LORA_CONTENDER: oracle()}
    with Store(settings.db_path) as store:
        outcome = train_contenders(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian(),
                                   plan=PLAN, with_lora=True)
        assert outcome.activated and runs.heads[outcome.version] == LORA_CONTENDER
        assert store.active_model()["version"] == outcome.version
        [other] = outcome.contenders
        assert runs.heads[other["version"]] == FEATURES_HEAD and not store.model(other["version"])["active"]
        assert other["comparison"]["winner"] == "challenger"  # it beat the champion too, by less


def test_on_a_tie_the_layout_cue_student_wins(runs, settings):
    with Store(settings.db_path) as store:
        outcome = train_contenders(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian(),
                                   plan=PLAN, with_lora=True)
    assert runs.heads[outcome.version] == FEATURES_HEAD and outcome.activated


def test_when_no_challenger_beats_the_champion_nothing_changes(runs, settings):
    runs.by_head = {FEATURES_HEAD: contrarian(), LORA_CONTENDER: half_right()}
    with Store(settings.db_path) as store:
        outcome = train_contenders(settings, store, ARGS, "teacher-filtered", 0.8, champion=oracle("heuristic"),
                                   plan=PLAN, with_lora=True)
        assert not outcome.activated and store.active_model() is None
    assert runs.heads[outcome.version] == FEATURES_HEAD and len(outcome.contenders) == 1
    anyway = best_contender([TrainOutcome("completed", "a", comparison={"challenger": {"f1": 0.2}}),
                             TrainOutcome("completed", "b", comparison={"challenger": {"f1": 0.6}})], anyway=True)
    assert anyway.version == "b"


def test_without_lora_one_click_is_one_run_as_before(runs, settings):
    with Store(settings.db_path) as store:
        outcome = train_contenders(settings, store, ARGS, "teacher-filtered", 0.8, champion=contrarian(),
                                   plan=PLAN, with_lora=False)
        assert outcome.activated and outcome.contenders == [] and len(store.models()) == 1
