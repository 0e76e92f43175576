"""One click, every contender: the layout-cue student always, then the LoRA student (the paper's
method: the transformer fine-tuned with LoRA over the text plus the layout cues) when a GPU is there
or the user asks for it. Each is trained, registered and judged by the promotion gate against the
same champion on the same fair documents (training.train_and_register); the gate then chooses among
the champion and both challengers: the challenger with the best page F1 among those that beat the
champion becomes active (on a tie the layout-cue student, the cheaper one).

Why both on a GPU: on a GPU the LoRA run costs seconds, and which student does better depends on
the user's protocols (on the dev corpus the layout-cue student did better on unseen sponsors), so
the gate measures it on the user's own reviewed documents instead of a default deciding it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from soe_desktop.core.app.promotion import CHALLENGER
from soe_desktop.core.app import training
from soe_desktop.core.app.training import GatePlan, TrainOutcome
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.settings import Settings
from soe_desktop.core.training.arguments import FEATURES_HEAD, TrainingArguments
from soe_desktop.core.training.registry import ModelRegistry

LORA_CONTENDER = "features+text"
FAST_DEVICES = ("cuda", "mps")


def lora_wanted(with_lora: Optional[bool], device: str = "auto") -> bool:
    """`with_lora` when said; otherwise (None) only where training would run on a GPU."""
    if with_lora is not None:
        return with_lora
    from soe_desktop.core.training.device import pick_device

    try:
        return pick_device(device).type in FAST_DEVICES
    except ValueError:  # an explicit device that is not there: the run itself will say so
        return False


def contender_arguments(args: TrainingArguments, with_lora: Optional[bool] = None) -> list[TrainingArguments]:
    """The runs of one click: `args` first; the LoRA student after it when it is wanted and `args` is
    the layout-cue student (a user who chose a LoRA head gets that one alone)."""
    runs = [args]
    if args.head == FEATURES_HEAD and lora_wanted(with_lora, args.device):
        runs.append(TrainingArguments.for_head(LORA_CONTENDER, base_model=args.base_model, device=args.device,
                                               seed=args.seed, human_weight=args.human_weight,
                                               threads=args.threads))
    return runs


def _f1(outcome: TrainOutcome) -> float:
    return ((outcome.comparison or {}).get(CHALLENGER) or {}).get("f1", -1.0)


def best_contender(outcomes: list[TrainOutcome], anyway: bool = False) -> Optional[TrainOutcome]:
    """The completed challenger with the best page F1 among those the gate chose over the champion
    (`anyway`: among every completed one); the earlier run on a tie."""
    eligible = [o for o in outcomes if o.completed and (anyway or o.won_gate)]
    if not eligible:
        return None
    return max(eligible, key=lambda o: (_f1(o), -outcomes.index(o)))


def _labelled(progress: ProgressCallback, label: str) -> ProgressCallback:
    def report(item: Progress) -> None:
        progress(replace(item, message=f"{label}: {item.message or item.stage}"))

    return report


def train_contenders(
    settings: Settings,
    store,
    args: TrainingArguments,
    source: str,
    threshold: float,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    activate_anyway: bool = False,
    *,
    activate: bool = True,
    plan: GatePlan = GatePlan(),
    champion: Optional[Labeler] = None,
    with_lora: Optional[bool] = None,
) -> TrainOutcome:
    """Train and judge every contender (contender_arguments), then activate the gate's choice.

    Returns the chosen run's outcome (the first run's when none was chosen) with the other runs in
    `contenders`. A cancel stops after the run in progress; what was registered stays registered.
    """
    progress = progress or no_progress
    runs = contender_arguments(args, with_lora)
    outcomes: list[TrainOutcome] = []
    for index, run_args in enumerate(runs):
        label = f"model {index + 1}/{len(runs)} ({run_args.head})" if len(runs) > 1 else run_args.head
        outcomes.append(training.train_and_register(settings, store, run_args, source, threshold,
                                                    _labelled(progress, label), cancel, activate=False, plan=plan,
                                                    champion=champion))
        if outcomes[-1].status == "cancelled":
            break
    chosen = best_contender(outcomes) or (best_contender(outcomes, anyway=True) if activate_anyway else None)
    primary = chosen or outcomes[0]
    if activate and chosen is not None:
        training.activate_outcome(ModelRegistry(store, settings.models_dir), chosen)
    primary.contenders = [outcome.to_dict() for outcome in outcomes if outcome is not primary]
    return primary
