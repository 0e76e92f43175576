import torch

from soe_desktop.core.jobs import CancelToken
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import build_training_set
from soe_desktop.core.training.inference import fit_temperature, predict_logits
from soe_desktop.core.training.inputs import student_inputs
from soe_desktop.core.training.trainer import train

from .conftest import make_candidates, teacher_labels


def test_one_epoch_completes_with_metrics(trained_result):
    result = trained_result
    assert result.status == "completed" and result.device == "cpu"
    assert result.metrics["steps"] == 3  # 24 training candidates / batch 8
    assert result.dataset["validation_documents"] == 2
    assert result.metrics["validation"]["n"] == result.dataset["validation_examples"]
    assert result.seconds > 0 and result.peak_memory_mb > 100
    trainable = sum(p.numel() for p in result.model.parameters() if p.requires_grad)
    assert 0 < trainable < 200_000  # LoRA + head only, not the 22M base weights


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
    texts = student_inputs(candidates)
    outputs = []
    for _ in range(2):
        result = train(dataset, args)
        outputs.append(predict_logits(result.model, result.tokenizer, texts, 48, 16, torch.device("cpu")))
    assert torch.equal(outputs[0], outputs[1])


def test_temperature_softens_overconfident_logits():
    logits = torch.tensor([[-4.0, 4.0], [4.0, -4.0], [-4.0, 4.0], [-4.0, 4.0], [4.0, -4.0], [-4.0, 4.0]])
    labels = [1, 0, 0, 1, 1, 1]  # two confident mistakes
    assert fit_temperature(logits, labels) > 1.5
    assert fit_temperature(logits, [1] * 6) == 1.0
