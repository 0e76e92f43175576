"""One LoRA fine-tuning run: a plain PyTorch loop over a peft-wrapped sequence classifier.

A plain loop (rather than transformers.Trainer) keeps the two things the app needs simple and
exact: a progress report per batch and cancellation within one batch. The run never raises for
ordinary failures; it returns a TrainResult whose status says what happened, so a failed or
cancelled run can be recorded and never activated.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

import numpy as np
import torch

from soe_desktop.core.evaluation.report import scored_report
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import utc_now
from soe_desktop.core.training.arguments import FEATURES_HEAD, TrainingArguments
from soe_desktop.core.training.base_model import load_classifier, load_tokenizer, resolve_base_model
from soe_desktop.core.training.dataset import TrainingSet, document_folds
from soe_desktop.core.training.device import peak_memory_mb, pick_device, reset_peak_memory
from soe_desktop.core.training.features import FeatureScaler, with_table_cues
from soe_desktop.core.training.fusion import FusedStudent, build_fused_model, candidate_logits, lora_config
from soe_desktop.core.training.inference import encode, fit_temperature, soe_probabilities
from soe_desktop.core.training.inputs import student_inputs
from soe_desktop.core.training.threshold import DEFAULT_THRESHOLD, tune_threshold

log = logging.getLogger(__name__)

STATUSES = ("completed", "cancelled", "failed")


@dataclass
class TrainResult:
    """What a run produced. `model`/`tokenizer` are in memory until the registry saves them."""

    status: str
    version: str
    args: TrainingArguments
    dataset: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    device: str = "cpu"
    error: str = ""
    created_at: str = field(default_factory=utc_now)
    base_model_path: str = ""
    temperature: float = 1.0
    threshold: float = DEFAULT_THRESHOLD  # decision threshold on the calibrated P(SoE)
    model: Any = field(default=None, repr=False)
    tokenizer: Any = field(default=None, repr=False)

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def new_version() -> str:
    """Sortable, unique model version id, e.g. 20261125-151200-3fa2."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:4]}"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_peft_model(args: TrainingArguments, base_path: str):
    """Base classifier + LoRA on the attention projections; the new head is trained too (modules_to_save)."""
    from peft import TaskType, get_peft_model

    with warnings.catch_warnings():  # peft calls a transformers API that v5 marks deprecated
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(load_classifier(base_path), lora_config(args, TaskType.SEQ_CLS))


def _labels(dataset: TrainingSet) -> list[int]:
    return [int(example.is_soe) for example in dataset.examples]


def _targets(dataset: TrainingSet, args: TrainingArguments) -> list:
    """Class indices, or (P(not SoE), P(SoE)) rows when training on the teacher's soft probabilities."""
    if not args.soft_targets:
        return _labels(dataset)
    return [(1.0 - example.soft_target, example.soft_target) for example in dataset.examples]


def _example_weights(dataset: TrainingSet, args: TrainingArguments) -> Optional[list[float]]:
    """Per-example loss weights: `args.human_weight` for human labels, 1 for the rest (None: all equal)."""
    if args.human_weight == 1.0:
        return None
    return [args.human_weight if example.is_human else 1.0 for example in dataset.examples]


def _candidates(dataset: TrainingSet) -> list:
    """The examples' candidates with their tables' cues (kept as they are when the set already has them)."""
    return with_table_cues([example.candidate for example in dataset.examples])


def build_model(args: TrainingArguments, base_path: str, train_set: TrainingSet):
    """The student `args.head` asks for; the fused and features-only ones fit their feature scaler on
    the training candidates."""
    if args.head == "text":
        return build_peft_model(args, base_path)
    scaler = FeatureScaler.fit(_candidates(train_set), args.use_screen_logit, args.use_teacher_votes, args.teacher_offset)
    return build_fused_model(args, base_path, scaler)


def _parameter_groups(model, args: TrainingArguments) -> list[dict]:
    """LoRA weights at `learning_rate`; a fused head may get its own (it starts from scratch)."""
    head = list(model.head_parameters()) if isinstance(model, FusedStudent) else []
    head_ids = {id(p) for p in head}
    adapter = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    groups = [{"params": adapter, "lr": args.learning_rate}] if adapter else []
    if head:
        groups.append({"params": head, "lr": args.head_learning_rate or args.learning_rate})
    return groups


def _weighted_mean(losses, targets, weights, class_weights):
    """The batch loss with per-example weights, normalised as CrossEntropyLoss's "mean" is (by the
    class weights of the targets, already inside `losses`), so weights of 1 give the plain loss."""
    if targets.dim() != 1:  # soft targets: "mean" is over the batch
        return (losses * weights).mean()
    norm = weights * class_weights[targets] if class_weights is not None else weights
    return (losses * weights).sum() / norm.sum()


class _Loop:
    """The training loop's state, so each step is a small method."""

    def __init__(self, model, tokenizer, args, device, progress, cancel, total_steps):
        self.model, self.tokenizer, self.args, self.device = model, tokenizer, args, device
        self.progress, self.cancel, self.total_steps = progress, cancel, total_steps
        self.step, self.started = 0, time.perf_counter()
        self.example_weights: Optional[list[float]] = None  # per example (human labels count more), else None
        self.optimizer = torch.optim.AdamW(_parameter_groups(model, args), weight_decay=args.weight_decay)
        from transformers import get_linear_schedule_with_warmup

        warmup = max(1, int(0.06 * total_steps))
        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, warmup, total_steps)

    def run_epoch(self, epoch: int, texts: Optional[list[str]], labels: list, loss_fn, features=None) -> float:
        """One pass in a seeded order; `texts` None for a student that reads the features alone."""
        generator = torch.Generator().manual_seed(self.args.seed + epoch)
        order = torch.randperm(len(labels), generator=generator).tolist()
        self.model.train()
        losses = []
        for start in range(0, len(order), self.args.batch_size):
            check(self.cancel)
            index = order[start : start + self.args.batch_size]
            batch_features = features[index] if features is not None else None
            batch_texts = [texts[i] for i in index] if texts is not None else None
            weights = [self.example_weights[i] for i in index] if self.example_weights is not None else None
            losses.append(self._step(batch_texts, [labels[i] for i in index], loss_fn, batch_features, weights))
            self._report(epoch, losses[-1])
        return float(np.mean(losses)) if losses else 0.0

    def _step(self, texts: Optional[list[str]], labels: list, loss_fn, features=None, weights=None) -> float:
        batch = encode(self.tokenizer, texts, self.args.max_tokens, self.device) if texts is not None else {}
        if features is not None:
            batch["features"] = features.to(self.device)
        logits = self.model(**batch).logits
        targets = torch.tensor(labels, device=self.device)
        loss = loss_fn(logits, targets)
        if weights is not None:
            loss = _weighted_mean(loss, targets, torch.tensor(weights, device=self.device), loss_fn.weight)
        loss.backward()
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return float(loss.item())

    def _report(self, epoch: int, loss: float) -> None:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.step * (self.total_steps - self.step)
        extra = {"epoch": epoch + 1, "epochs": self.args.epochs, "loss": loss, "eta_seconds": eta,
                 "device": self.device.type}
        message = f"epoch {epoch + 1}/{self.args.epochs} loss {loss:.3f}"
        self.progress(Progress("training", self.step, self.total_steps, message, extra))


def _validate(result: TrainResult, validation: TrainingSet, args: TrainingArguments, device, cancel) -> None:
    """Validation metrics, the temperature that calibrates confidences and the decision threshold."""
    if not len(validation):
        return
    logits = candidate_logits(result.model, result.tokenizer, _candidates(validation), args, device,
                              cancel=cancel, stage="validating")
    _calibrate(result, logits, validation.examples, args)


def _calibrate(result: TrainResult, logits: torch.Tensor, examples: list, args: TrainingArguments) -> None:
    """Temperature, threshold and validation metrics from logits of examples the model did not train on.

    A tuned threshold is chosen on the human-labelled examples only: on a teacher's labels it would
    learn where the teacher draws the line (0.5 without enough human labels, threshold.py)."""
    labels = [int(example.is_soe) for example in examples]
    result.temperature = fit_temperature(logits, labels)
    truth = [bool(y) for y in labels]
    probabilities = soe_probabilities(logits, result.temperature)
    if args.tune_threshold:
        human = [index for index, example in enumerate(examples) if example.is_human]
        result.threshold = tune_threshold([probabilities[i] for i in human], [truth[i] for i in human])
    result.metrics["threshold"] = result.threshold
    result.metrics["validation"] = scored_report(probabilities, truth, result.threshold)
    result.metrics["validation_at_0.5"] = scored_report(probabilities, truth)
    result.metrics["validation_uncalibrated_ece"] = scored_report(soe_probabilities(logits), truth)["ece"]


def _cross_fit(result: TrainResult, dataset: TrainingSet, args: TrainingArguments, device, progress, cancel) -> None:
    """Calibrate on out-of-fold logits: one model per document fold scores the documents it did not
    train on, so every document is validation data once and the final model (fitted on all of them
    by the caller) loses no training documents to a held-out split. A fold whose training part has
    a single class is left out."""
    folds = document_folds(dataset.documents, args.calibration_folds, args.seed)
    chunks, scored = [], []
    for index, fold in enumerate(folds):
        progress(Progress("calibrating", index, len(folds), f"fold {index + 1}/{len(folds)}"))
        part = dataset.subset(set(dataset.documents) - set(fold))
        if len(fold) == len(dataset.documents) or part.positives in (0, len(part)):
            continue
        held_out = dataset.subset(fold)
        scratch = TrainResult("failed", result.version, args, base_model_path=result.base_model_path)
        _fit(scratch, part, args, device, no_progress, cancel)
        chunks.append(candidate_logits(scratch.model, scratch.tokenizer, _candidates(held_out), args, device,
                                       cancel=cancel, stage="calibrating"))
        scored += held_out.examples
    result.dataset.update(validation_examples=len(scored), validation_documents=len(dataset.documents),
                          calibration=f"out-of-fold, {len(chunks)} folds by document")
    if chunks:
        _calibrate(result, torch.cat(chunks), scored, args)


def _fit(result: TrainResult, train_set: TrainingSet, args: TrainingArguments, device, progress, cancel) -> None:
    seed_everything(args.seed)
    result.tokenizer = load_tokenizer(result.base_model_path)
    result.model = build_model(args, result.base_model_path, train_set).to(device)
    candidates, labels = _candidates(train_set), _targets(train_set, args)
    fused = isinstance(result.model, FusedStudent)
    reads_text = not fused or result.model.reads_text
    texts = student_inputs(candidates, args.representation, args.use_layout_prefix) if reads_text else None
    features = result.model.feature_tensor(candidates) if fused else None
    weights = torch.tensor(train_set.class_weights() if args.balance_classes else (1.0, 1.0), device=device)
    example_weights = _example_weights(train_set, args)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=args.label_smoothing,
                                        reduction="mean" if example_weights is None else "none")
    steps_per_epoch = -(-len(labels) // args.batch_size)
    loop = _Loop(result.model, result.tokenizer, args, device, progress, cancel, steps_per_epoch * args.epochs)
    loop.example_weights = example_weights
    epoch_losses = [loop.run_epoch(epoch, texts, labels, loss_fn, features) for epoch in range(args.epochs)]
    result.metrics.update({"train_loss": epoch_losses, "steps": loop.step,
                           "train_seconds": time.perf_counter() - loop.started})


def train(
    dataset: TrainingSet,
    args: Optional[TrainingArguments] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    validation: Optional[TrainingSet] = None,
) -> TrainResult:
    """Fine-tune a student on `dataset`; returns status completed, cancelled or failed.

    Unless `validation` is given, confidences are calibrated and validation metrics measured on
    out-of-fold predictions (`args.calibration_folds` models by document, then the final model on
    every document), or with `calibration_folds` < 2 on `args.validation_fraction` of the documents
    held out (split by document).
    """
    args = args or TrainingArguments()
    progress = progress or no_progress
    result = TrainResult(status="failed", version=new_version(), args=args, dataset=dataset.summary())
    started = time.perf_counter()
    threads = torch.get_num_threads()
    try:
        if run_threads(args):
            torch.set_num_threads(run_threads(args))
        device = pick_device(args.device)
        result.device = device.type
        reset_peak_memory(device)
        cross_fit = validation is None and args.calibration_folds > 1
        train_set, validation = (dataset, validation) if validation is not None or cross_fit else dataset.split(
            args.validation_fraction, args.seed)
        _check_trainable(train_set)
        result.dataset.update(train_examples=len(train_set), validation_examples=len(validation or ()),
                              validation_documents=len(validation.documents) if validation else 0)
        result.base_model_path = resolve_base_model(args.base_model)
        _fit(result, train_set, args, device, progress, cancel)
        if cross_fit:
            _cross_fit(result, train_set, args, device, progress, cancel)
        else:
            _validate(result, validation, args, device, cancel)
        result.status = "completed"
    except Cancelled:
        result.status = "cancelled"
    except Exception as error:  # noqa: BLE001 - a failed run is a result the user sees, not a crash
        log.exception("training failed")
        result.status, result.error = "failed", f"{type(error).__name__}: {error}"
    torch.set_num_threads(threads)
    result.seconds = time.perf_counter() - started
    result.peak_memory_mb = peak_memory_mb(torch.device(result.device))
    if not result.completed:
        result.model = None  # never keep half-trained weights around to be saved by mistake
    return result


def run_threads(args: TrainingArguments) -> int:
    """Torch CPU threads for the run: `args.threads`, else 1 for the features head (a small MLP whose
    threads only wait on each other: 14.5 s instead of 350 s for 1,000 candidates on the shared
    2-core machine), else 0 = torch's default."""
    return args.threads or (1 if args.head == FEATURES_HEAD else 0)


def _check_trainable(train_set: TrainingSet) -> None:
    if not len(train_set):
        raise ValueError("the training set is empty: label some documents (or lower the filter threshold)")
    if train_set.positives in (0, len(train_set)):
        raise ValueError("the training set has only one class: it needs SoE and non-SoE examples")
