import pytest
import torch

from soe_desktop.core.jobs import CancelToken
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import build_training_set
from soe_desktop.core.training.fusion import FusedStudent, candidate_logits
from soe_desktop.core.training.inference import fit_temperature
from soe_desktop.core.training.trainer import train

from .conftest import make_candidates, teacher_labels


def trained_path() -> str:
    from soe_desktop.core.training.base_model import resolve_base_model

    return resolve_base_model("")


def test_one_epoch_completes_with_metrics(trained_result):
    result = trained_result
    assert result.status == "completed" and result.device == "cpu"
    assert result.metrics["steps"] == 3  # 24 training candidates / batch 8
    assert result.dataset["validation_documents"] == 2
    assert result.metrics["validation"]["n"] == result.dataset["validation_examples"]
    assert result.seconds > 0 and result.peak_memory_mb > 100
    assert isinstance(result.model, FusedStudent)  # the default head joins layout features
    trainable = sum(p.numel() for p in result.model.parameters() if p.requires_grad)
    assert 0 < trainable < 200_000  # LoRA + head only, not the 22M base weights


def test_text_head_trains_lora_and_classifier_only(trained_text_result):
    assert not isinstance(trained_text_result.model, FusedStudent)
    trainable = sum(p.numel() for p in trained_text_result.model.parameters() if p.requires_grad)
    assert 0 < trainable < 200_000


def test_fused_head_gets_its_own_learning_rate(tiny_candidates, tiny_args):
    from soe_desktop.core.training.trainer import _parameter_groups, build_model

    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "head_learning_rate": 0.05})
    model = build_model(args, trained_path(), dataset)
    adapter, head = _parameter_groups(model, args)
    assert adapter["lr"] == args.learning_rate and head["lr"] == 0.05
    assert all("lora_" in name for name, p in model.encoder.named_parameters() if p.requires_grad)
    assert sum(p.numel() for p in head["params"]) == sum(p.numel() for p in model.head_parameters())


def test_progress_reports_step_epoch_loss_eta_and_cancel_stops_within_one_batch(tiny_args):
    candidates = make_candidates(n_documents=4, per_document=8)
    dataset = build_training_set(candidates, teacher_labels(candidates), "teacher-all")
    token, reports = CancelToken(), []

    def on_progress(report):
        reports.append(report)
        token.cancel()  # the user clicks Cancel as soon as the first batch is reported

    args = TrainingArguments(**{**tiny_args.to_dict(), "epochs": 3})
    result = train(dataset, args, progress=on_progress, cancel=token)
    assert result.status == "cancelled"
    assert result.model is None
    assert len(reports) == 1
    first = reports[0]
    assert first.stage == "training" and first.done == 1 and first.total > 3
    assert set(first.extra) >= {"epoch", "loss", "eta_seconds", "device"}


def test_single_class_training_set_fails_cleanly(tiny_candidates, tiny_args):
    negatives = [c for c in tiny_candidates if c.features["page_strong"] == 0.0]
    dataset = build_training_set(negatives, teacher_labels(negatives), "teacher-all")
    result = train(dataset, tiny_args)
    assert result.status == "failed"
    assert "one class" in result.error
    assert result.model is None


def test_same_seed_gives_same_model(tiny_args):
    candidates = make_candidates(n_documents=3, per_document=4)
    dataset = build_training_set(candidates, teacher_labels(candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "validation_fraction": 0.0})
    outputs = []
    for _ in range(2):
        result = train(dataset, args)
        outputs.append(candidate_logits(result.model, result.tokenizer, candidates, args, torch.device("cpu")))
    assert torch.equal(outputs[0], outputs[1])


def test_temperature_softens_overconfident_logits():
    logits = torch.tensor([[-4.0, 4.0], [4.0, -4.0], [-4.0, 4.0], [-4.0, 4.0], [4.0, -4.0], [-4.0, 4.0]])
    labels = [1, 0, 0, 1, 1, 1]  # two confident mistakes
    assert fit_temperature(logits, labels) > 1.5
    assert fit_temperature(logits, [1] * 6) == 1.0


def test_soft_targets_train_on_the_teachers_probabilities(tiny_args):
    from soe_desktop.core.training.trainer import _targets

    candidates = make_candidates(n_documents=3, per_document=4)
    dataset = build_training_set(candidates, teacher_labels(candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "soft_targets": True, "validation_fraction": 0.0})
    teacher = {label.candidate_id: label.p_soe for label in teacher_labels(candidates)}
    targets = _targets(dataset, args)
    assert [t[1] for t in targets] == [teacher[e.candidate.id] for e in dataset.examples]
    assert all(t[0] + t[1] == 1.0 for t in targets) and any(0.0 < t[1] < 0.9 for t in targets)
    assert train(dataset, args).completed


def _validation_with_labels_that_move_the_threshold(result):
    """The run's own validation candidates, labelled so the best F1 cut lies away from 0.5.

    Returns the set, the candidates' logits ranked by P(SoE) and k, the number labelled SoE (the top k)."""
    from soe_desktop.core.model import Label

    _, validation = build_training_set(make_candidates(), teacher_labels(make_candidates()), "teacher-all").split(
        result.args.validation_fraction, result.args.seed)
    candidates = [example.candidate for example in validation.examples]
    logits = candidate_logits(result.model, result.tokenizer, candidates, result.args, torch.device("cpu"))
    margin = (logits[:, 1] - logits[:, 0]).tolist()  # P(SoE) >= 0.5 exactly when this is >= 0, at any temperature
    order = sorted(range(len(candidates)), key=lambda i: -margin[i])
    above = sum(m >= 0 for m in margin)
    k = above + 1 if above + 1 < len(order) else above - 1  # one more (or one fewer) SoE than 0.5 finds
    labels = [Label(candidates[i].id, rank < k, 1.0, "human:test", id=rank) for rank, i in enumerate(order)]
    return build_training_set(candidates, labels, "human"), logits[order], k


def test_threshold_is_chosen_on_the_validation_documents(trained_result):
    import dataclasses

    from soe_desktop.core.training.inference import soe_probabilities
    from soe_desktop.core.training.trainer import _validate

    validation, ranked_logits, k = _validation_with_labels_that_move_the_threshold(trained_result)
    tuned = dataclasses.replace(trained_result, metrics={}, args=TrainingArguments(
        **{**trained_result.args.to_dict(), "tune_threshold": True}))
    _validate(tuned, validation, tuned.args, torch.device("cpu"), None)
    ranked = soe_probabilities(ranked_logits, tuned.temperature)
    expected = (ranked[k - 1] + ranked[k]) / 2  # the only cut that puts exactly the top k above it
    assert abs(expected - 0.5) > 1e-9
    assert tuned.threshold == pytest.approx(expected)
    assert tuned.metrics["threshold"] == tuned.threshold
    assert tuned.metrics["validation"]["f1"] == pytest.approx(1.0)
    assert tuned.metrics["validation_at_0.5"]["f1"] < 1.0

    off = dataclasses.replace(trained_result, metrics={})  # the default decides at 0.5
    assert not off.args.tune_threshold
    _validate(off, validation, off.args, torch.device("cpu"), None)
    assert off.threshold == 0.5 and off.temperature == pytest.approx(tuned.temperature)


def test_the_threshold_is_never_tuned_on_teacher_labels(trained_result):
    """The same validation candidates and verdicts as the tuning test, given as teacher labels: 0.5 stays."""
    import dataclasses

    from soe_desktop.core.model import Label
    from soe_desktop.core.training.trainer import _validate

    human, _, _ = _validation_with_labels_that_move_the_threshold(trained_result)
    as_teacher = [Label(e.candidate.id, e.is_soe, 0.95, "heuristic", agree=True, id=i) for i, e in enumerate(human.examples)]
    validation = build_training_set([e.candidate for e in human.examples], as_teacher, "teacher-all")
    assert len(validation) == len(human) and not any(e.is_human for e in validation.examples)
    tuned = dataclasses.replace(trained_result, metrics={}, args=TrainingArguments(
        **{**trained_result.args.to_dict(), "tune_threshold": True}))
    _validate(tuned, validation, tuned.args, torch.device("cpu"), None)
    assert tuned.threshold == 0.5
    _validate(tuned, human, tuned.args, torch.device("cpu"), None)
    assert tuned.threshold != 0.5  # the same verdicts from a person move it


def test_default_run_records_the_one_half_threshold(trained_result):
    assert not trained_result.args.tune_threshold
    assert trained_result.threshold == trained_result.metrics["threshold"] == 0.5


def test_screen_offset_adds_the_screens_logit_to_the_head_and_survives_reload(tiny_candidates, tiny_args, tmp_path):
    from soe_desktop.core.pdf.features import SCREEN_LOGIT
    from soe_desktop.core.training.base_model import load_tokenizer
    from soe_desktop.core.training.fusion import load_fused_model
    from soe_desktop.core.training.trainer import build_model

    for index, candidate in enumerate(tiny_candidates):
        candidate.features[SCREEN_LOGIT] = float(index % 7) - 3.0
    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "screen_offset": True})
    assert args.use_screen_logit  # the offset needs the feature
    model = build_model(args, trained_path(), dataset).eval()
    assert model.offset == SCREEN_LOGIT and model.scaler.names[-1] == SCREEN_LOGIT
    cpu, tokenizer = torch.device("cpu"), load_tokenizer(trained_path())
    with_offset = candidate_logits(model, tokenizer, tiny_candidates, args, cpu, batch_size=8)
    model.offset = ""
    head_only = candidate_logits(model, tokenizer, tiny_candidates, args, cpu, batch_size=8)
    shift = (with_offset[:, 1] - with_offset[:, 0]) - (head_only[:, 1] - head_only[:, 0])
    expected = torch.tensor([candidate.features[SCREEN_LOGIT] for candidate in tiny_candidates])
    assert torch.allclose(shift, expected, atol=1e-4)
    model.offset = SCREEN_LOGIT
    model.save_pretrained(str(tmp_path))
    reloaded = load_fused_model(trained_path(), tmp_path).eval()
    assert reloaded.offset == SCREEN_LOGIT
    assert torch.allclose(candidate_logits(reloaded, tokenizer, tiny_candidates, args, cpu, batch_size=8), with_offset,
                          atol=1e-5)


def test_features_head_reads_no_text_and_survives_reload(tiny_candidates, tiny_args, tmp_path):
    from soe_desktop.core.training.fusion import load_fused_model

    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "head": "features", "epochs": 5})
    result = train(dataset, args)
    assert result.completed, result.error
    model = result.model
    assert isinstance(model, FusedStudent) and not model.reads_text and model.encoder is None
    assert all(p.requires_grad for p in model.parameters())  # the head is the whole model
    assert sum(p.numel() for p in model.parameters()) < 20_000
    cpu = torch.device("cpu")
    logits = candidate_logits(model, result.tokenizer, tiny_candidates, args, cpu, batch_size=8)
    truth = torch.tensor([c.features["page_strong"] == 1.0 for c in tiny_candidates])
    assert torch.equal(logits[:, 1] > logits[:, 0], truth)  # the layout cues separate the tiny set
    model.save_pretrained(str(tmp_path))
    assert not (tmp_path / "adapter_model.safetensors").exists()
    reloaded = load_fused_model(trained_path(), tmp_path)
    assert not reloaded.reads_text
    assert torch.allclose(candidate_logits(reloaded, None, tiny_candidates, args, cpu, batch_size=8), logits, atol=1e-6)


def test_cross_fit_calibrates_on_every_document_and_trains_on_all(tiny_candidates, tiny_args):
    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "head": "features", "calibration_folds": 3, "epochs": 3})
    stages = []
    result = train(dataset, args, progress=lambda report: stages.append(report.stage))
    assert result.completed, result.error
    assert result.dataset["train_examples"] == len(dataset)  # nothing held out of the final model
    assert result.dataset["validation_examples"] == len(dataset)  # every example scored out of fold once
    assert result.dataset["validation_documents"] == len(dataset.documents)
    assert result.dataset["calibration"] == "out-of-fold, 3 folds by document"
    assert result.metrics["validation"]["n"] == len(dataset)
    assert "calibrating" in stages and stages.index("calibrating") > stages.index("training")
    held_out = train(dataset, TrainingArguments(**{**args.to_dict(), "calibration_folds": 0}))
    assert held_out.dataset["train_examples"] < len(dataset) and "calibration" not in held_out.dataset


def test_teacher_offset_starts_from_the_teachers_margin(tiny_candidates, tiny_args):
    from soe_desktop.core.training.features import TEACHER_MARGIN
    from soe_desktop.core.training.trainer import build_model

    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    args = TrainingArguments(**{**tiny_args.to_dict(), "head": "features", "teacher_offset": True})
    model = build_model(args, trained_path(), dataset)
    assert model.offset == TEACHER_MARGIN and model.scaler.names[-1] == TEACHER_MARGIN
    with pytest.raises(ValueError, match="choose one"):
        TrainingArguments(screen_offset=True, teacher_offset=True)


def test_features_head_trains_on_one_thread_and_gives_the_threads_back(tiny_candidates, tiny_args):
    from soe_desktop.core.training.trainer import run_threads

    assert run_threads(TrainingArguments(head="features")) == 1
    assert run_threads(TrainingArguments(head="features", threads=3)) == 3
    assert run_threads(TrainingArguments(head="features+text")) == 0  # torch's default
    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    before = torch.get_num_threads()
    seen = []
    args = TrainingArguments(**{**tiny_args.to_dict(), "head": "features", "threads": 0})
    assert train(dataset, args, progress=lambda _: seen.append(torch.get_num_threads())).completed
    assert set(seen) == {1} and torch.get_num_threads() == before
