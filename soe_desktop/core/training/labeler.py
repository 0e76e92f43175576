"""The local student as a Labeler: base model + LoRA adapter, batched, offline, calibrated.

Loads a model folder written by the registry (see core/training/registry.py): a text-only
sequence classifier, or the fused student (layout features joined to the pooled embedding,
core/training/fusion.py) whose head and feature scaler sit beside the adapter. Confidence is the
temperature-calibrated probability of the predicted class, so 0.9 means "right about 9 times in 10"
on the held-out documents of its training run.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import CancelToken, ProgressCallback
from soe_desktop.core.labeling.groups import group_consensus
from soe_desktop.core.labeling.uncertain_reading import temper_uncertain
from soe_desktop.core.model import Candidate, Label, LabelSource
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.registry import ARGS_FILE, read_run_record


class StudentLabeler:
    """Labels candidates with a trained student; the label source is `student:<version>`."""

    def __init__(self, model_dir: Path | str, device: str = "auto", batch_size: Optional[int] = None) -> None:
        self.model_dir = Path(model_dir)
        record = read_run_record(self.model_dir)
        self.version: str = record["version"]
        self.temperature: float = float(record.get("temperature", 1.0))
        # Folders saved before thresholds were tuned decide at 0.5.
        self.threshold: float = float(record.get("threshold", 0.5))
        self.args = TrainingArguments.load(self.model_dir / ARGS_FILE)
        self.batch_size = batch_size or self.args.inference_batch_size
        from soe_desktop.core.training.device import pick_device  # imports torch: only when a student loads

        self.device = pick_device(device)
        self.name = str(LabelSource.student(self.version))
        self.model, self.tokenizer = self._load(record)

    @classmethod
    def from_store(cls, store, device: str = "auto") -> "StudentLabeler":
        """The active model version of an open store (the caller owns the store)."""
        row = store.active_model()
        if row is None or not row.get("path"):
            raise BadInputError("no active student model: train one first (soe train)")
        return cls(row["path"], device=device)

    def _load(self, record: dict):
        from peft import PeftModel

        from soe_desktop.core.training.base_model import load_classifier, load_tokenizer, resolve_base_model
        from soe_desktop.core.training.fusion import load_fused_model

        base_path = self._local_base_path(record, resolve_base_model)
        tokenizer = load_tokenizer(str(self.model_dir))
        if self.args.head != "text":  # the fused and the features-only students (fusion.py)
            return load_fused_model(base_path, self.model_dir).to(self.device).eval(), tokenizer
        with warnings.catch_warnings():  # peft calls a transformers API that v5 marks deprecated
            warnings.simplefilter("ignore", FutureWarning)
            model = PeftModel.from_pretrained(load_classifier(base_path), str(self.model_dir))
        return model.to(self.device).eval(), tokenizer

    def _local_base_path(self, record: dict, resolve) -> str:
        """Labelling never uses the network: the base model must be on disk (the packaged one is)."""
        for candidate in (resolve(self.args.base_model), record.get("base_model_path", "")):
            if candidate and Path(candidate).is_dir():
                return candidate
        raise BadInputError(f"base model {self.args.base_model!r} of student {self.version} is not on this machine")

    def probabilities(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[float]:
        """Calibrated P(SoE) per candidate, in order."""
        from soe_desktop.core.training.fusion import candidate_logits
        from soe_desktop.core.training.inference import soe_probabilities

        logits = candidate_logits(self.model, self.tokenizer, candidates, self.args, self.device, progress, cancel,
                                  stage="labelling", batch_size=self.batch_size)
        return soe_probabilities(logits, self.temperature)

    def label(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Label]:
        probabilities = self.probabilities(candidates, progress, cancel)
        labels = [self._to_label(candidate, p) for candidate, p in zip(candidates, probabilities)]
        labels = group_consensus(candidates, labels, self.threshold)  # a continued table is judged as one (groups.py)
        # The student's calibration was fitted on pages read plainly: on a misread page (OCR,
        # sideways, redacted) its confidence is lowered below "uncertain below", so routing sends
        # the table to Gemini or a person (core/labeling/uncertain_reading.py, shared with the teacher).
        return temper_uncertain(candidates, labels, self.threshold)

    def _to_label(self, candidate: Candidate, p_soe: float) -> Label:
        return Label.from_probability(
            candidate.id,
            p_soe,
            self.name,
            self.threshold,
            reason=f"student {self.version}: P(SoE)={p_soe:.3f} (threshold {self.threshold:.3f})",
            details={"p_soe": p_soe, "temperature": self.temperature, "threshold": self.threshold},
        )
