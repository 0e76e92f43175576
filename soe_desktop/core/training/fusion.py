"""The fused student: LoRA-adapted encoder, mean-pooled, joined to the layout-feature vector, then a head.

Why: the issue asks the student to see layout cues; as numbers next to the pooled embedding they
keep their full resolution (see features.py). The encoder part is a standard PEFT adapter
(`PeftModel.from_pretrained` loads it); the head and the feature scaler are saved beside it in
`feature_head.safetensors` / `feature_head.json`, so a model folder reloads to identical predictions.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Optional, Sequence

import torch
from torch import nn

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import Candidate
from soe_desktop.core.training.arguments import FEATURES_HEAD, TrainingArguments
from soe_desktop.core.training.base_model import load_encoder
from soe_desktop.core.pdf.features import SCREEN_LOGIT
from soe_desktop.core.training.features import MARGIN_NAMES, TEACHER_MARGIN, FeatureScaler, with_table_cues
from soe_desktop.core.training.inference import predict_logits
from soe_desktop.core.training.inputs import student_inputs

HEAD_WEIGHTS_FILE = "feature_head.safetensors"
HEAD_CONFIG_FILE = "feature_head.json"


class ClassifierOutput:
    """Just `.logits`, like a transformers output, so one inference loop serves both students."""

    def __init__(self, logits: torch.Tensor) -> None:
        self.logits = logits


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors that are not padding (how sentence-transformers pools MiniLM)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def build_head(in_features: int, hidden: int, dropout: float) -> nn.Module:
    """A small MLP (or a linear layer when hidden == 0) over [text embedding ⊕ features]."""
    if hidden <= 0:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, 2))
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, hidden), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(hidden, 2))


class FusedStudent(nn.Module):
    """encoder (peft) -> mean pool -> LayerNorm, concatenated with standardised features -> head."""

    def __init__(self, encoder, scaler: FeatureScaler, head_hidden: int = 64, dropout: float = 0.1,
                 offset: str = "") -> None:
        super().__init__()
        self.encoder = encoder
        self.scaler = scaler
        self.head_hidden, self.dropout = head_hidden, dropout
        # Start from a verdict (the page screen's or the teacher's logit, MARGIN_NAMES) and learn a
        # correction to it (a base margin, as in boosting); "" = the head alone.
        if offset and offset not in MARGIN_NAMES:
            raise ValueError(f"unknown offset {offset!r}; expected one of {MARGIN_NAMES}")
        self.offset = offset if offset in scaler.names else ""
        # encoder None: the head reads the layout features alone (head "features", HEAD_CHOICES).
        hidden_size = int(encoder.config.hidden_size) if encoder is not None else 0
        # The pooled MiniLM vector has entries ~0.05 while z-scored features are ~1: normalise it.
        self.text_norm = nn.LayerNorm(hidden_size) if encoder is not None else None
        self.head = build_head(hidden_size + scaler.size, head_hidden, dropout)

    @property
    def reads_text(self) -> bool:
        return self.encoder is not None

    def head_parameters(self) -> list[nn.Parameter]:
        norm = list(self.text_norm.parameters()) if self.text_norm is not None else []
        return [*norm, *self.head.parameters()]

    def feature_tensor(self, candidates: Sequence[Candidate]) -> torch.Tensor:
        return torch.tensor(self.scaler.transform(candidates), dtype=torch.float32).reshape(len(candidates),
                                                                                           self.scaler.size)

    def forward(self, features, input_ids=None, attention_mask=None, token_type_ids=None) -> ClassifierOutput:
        features = features.float()
        if self.encoder is None:
            return self._with_offset(self.head(features), features)
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        pooled = self.text_norm(mean_pool(hidden, attention_mask))
        features = features.to(pooled.dtype)
        return self._with_offset(self.head(torch.cat([pooled, features], dim=-1)), features)

    def _with_offset(self, logits: torch.Tensor, features: torch.Tensor) -> ClassifierOutput:
        if self.offset:
            logits = logits + torch.stack([torch.zeros_like(features[:, 0]), self._margin(features)], dim=-1)
        return ClassifierOutput(logits)

    def _margin(self, features: torch.Tensor) -> torch.Tensor:
        """The offset's logit back from its standardised column."""
        index = self.scaler.names.index(self.offset)
        return features[:, index] * self.scaler.std[index] + self.scaler.mean[index]

    def save_pretrained(self, directory: str) -> None:
        """PEFT adapter files (when it reads text) + the head's weights + the scaler and head shape (JSON)."""
        from safetensors.torch import save_file

        state = {}
        if self.encoder is not None:
            self.encoder.save_pretrained(directory)
            state = {f"text_norm.{k}": v for k, v in self.text_norm.state_dict().items()}
        state.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        save_file({k: v.detach().cpu().contiguous() for k, v in state.items()}, str(Path(directory) / HEAD_WEIGHTS_FILE))
        config = {"scaler": self.scaler.to_dict(), "head_hidden": self.head_hidden, "dropout": self.dropout,
                  "offset": self.offset, "text": self.reads_text}
        (Path(directory) / HEAD_CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")


def lora_config(args: TrainingArguments, task_type: str):
    """LoRA on the attention projections `args` names (shared by both students)."""
    from peft import LoraConfig

    return LoraConfig(
        task_type=task_type,
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=list(args.target_modules),
        layers_to_transform=list(args.layers_to_transform) if args.layers_to_transform else None,
    )


def build_fused_model(args: TrainingArguments, base_path: str, scaler: FeatureScaler) -> FusedStudent:
    """New LoRA adapter on the encoder's attention projections plus a fresh head."""
    from peft import TaskType, get_peft_model

    encoder = None
    if args.head != FEATURES_HEAD:
        with warnings.catch_warnings():  # peft calls a transformers API that v5 marks deprecated
            warnings.simplefilter("ignore", FutureWarning)
            encoder = get_peft_model(load_encoder(base_path), lora_config(args, TaskType.FEATURE_EXTRACTION))
    return FusedStudent(encoder, scaler, args.head_hidden, args.head_dropout, offset_of(args))


def offset_of(args: TrainingArguments) -> str:
    """Which logit the head starts from: the teacher's, the screen's, or none."""
    return TEACHER_MARGIN if args.teacher_offset else SCREEN_LOGIT if args.screen_offset else ""


def load_fused_model(base_path: str, directory: Path) -> FusedStudent:
    """Rebuild a saved FusedStudent: base encoder + its adapter, then the head weights."""
    from peft import PeftModel
    from safetensors.torch import load_file

    config = json.loads((Path(directory) / HEAD_CONFIG_FILE).read_text(encoding="utf-8"))
    encoder = None
    if config.get("text", True):  # folders saved before the features-only head always read text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            encoder = PeftModel.from_pretrained(load_encoder(base_path), str(directory))
    # folders saved before the teacher's offset existed kept a `screen_offset` flag instead
    offset = config.get("offset", SCREEN_LOGIT if config.get("screen_offset") else "")
    model = FusedStudent(encoder, FeatureScaler.from_dict(config["scaler"]), int(config["head_hidden"]),
                         float(config["dropout"]), offset)
    state = load_file(str(Path(directory) / HEAD_WEIGHTS_FILE))
    if model.text_norm is not None:
        model.text_norm.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith("text_norm.")})
    model.head.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith("head.")})
    return model


def is_fused_folder(directory: Path) -> bool:
    return (Path(directory) / HEAD_CONFIG_FILE).exists()


def candidate_logits(
    model,
    tokenizer,
    candidates: Sequence[Candidate],
    args: TrainingArguments,
    device: torch.device,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    stage: str = "predicting",
    batch_size: Optional[int] = None,
) -> torch.Tensor:
    """Logits for candidates with any student (text-only, fused, features-only): builds texts and features."""
    if isinstance(model, FusedStudent) and not model.reads_text:
        return _feature_logits(model, with_table_cues(candidates), batch_size or args.inference_batch_size, device,
                               progress, cancel, stage)
    texts = student_inputs(candidates, args.representation, args.use_layout_prefix)
    features = model.feature_tensor(with_table_cues(candidates)) if isinstance(model, FusedStudent) else None
    return predict_logits(model, tokenizer, texts, args.max_tokens, batch_size or args.inference_batch_size,
                          device, progress, cancel, stage, features=features)


def _feature_logits(model: FusedStudent, candidates: Sequence[Candidate], batch_size: int, device: torch.device,
                    progress: Optional[ProgressCallback], cancel: Optional[CancelToken], stage: str) -> torch.Tensor:
    """Logits (n, 2) on the CPU of a student that reads the layout features alone (no tokenizer)."""
    progress = progress or no_progress
    model.eval()
    features = model.feature_tensor(candidates)
    chunks: list[torch.Tensor] = []
    with torch.inference_mode():
        for start in range(0, len(candidates), batch_size):
            check(cancel)
            chunks.append(model(features=features[start : start + batch_size].to(device)).logits.float().cpu())
            progress(Progress(stage, min(start + batch_size, len(candidates)), len(candidates)))
    return torch.cat(chunks) if chunks else torch.zeros((0, 2))
