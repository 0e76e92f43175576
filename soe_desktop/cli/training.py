"""`soe train` and `soe models list|activate|export|delete`: the local student from the command line."""

from __future__ import annotations

import json
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from soe_desktop.cli.documents import open_store
from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings
from soe_desktop.core.training.arguments import (DEFAULT_SOURCE, DEVICE_CHOICES, FEATURES_HEAD, HEAD_CHOICES,
                                                 HUMAN_SOURCE, LORA_HEAD_DEFAULTS, TRAINING_SOURCES,
                                                 TrainingArguments)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _open_registry(settings: Settings):
    from soe_desktop.core.training.registry import ModelRegistry

    return ModelRegistry(open_store(settings), settings.models_dir)


@contextmanager
def _ctrl_c_cancels(token):
    """Ctrl-C asks the run to stop after the current batch, so it is recorded as cancelled."""
    previous = signal.signal(signal.SIGINT, lambda *_: token.cancel())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@click.command("train")
@click.option("--source", type=click.Choice(TRAINING_SOURCES), default=None,
              help=f"Which labels to learn from (default: {HUMAN_SOURCE} once the library has reviews, "
                   f"else {DEFAULT_SOURCE}).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Selective filter: minimum teacher confidence (default: settings).")
@click.option("--head", type=click.Choice(HEAD_CHOICES), default=FEATURES_HEAD, show_default=True,
              help="features: a small network over the layout cues (the default: best on sponsors it has not "
                   "seen); features+text / text: fine-tune the transformer with LoRA.")
@click.option("--epochs", type=click.IntRange(1), default=None,
              help=f"Default: {TrainingArguments.epochs} for the features head, "
                   f"{LORA_HEAD_DEFAULTS['epochs']} for the LoRA heads.")
@click.option("--batch-size", type=click.IntRange(1), default=TrainingArguments.batch_size, show_default=True)
@click.option("--max-tokens", type=click.IntRange(8, 512), default=TrainingArguments.max_tokens, show_default=True)
@click.option("--lr", "learning_rate", type=float, default=TrainingArguments.learning_rate, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--base-model", default=None, help="Local Hugging Face model folder or hub id (default: packaged MiniLM).")
@click.option("--device", type=click.Choice(DEVICE_CHOICES), default="auto", show_default=True)
@click.option("--with-lora/--no-lora", "with_lora", default=None,
              help="Also train the LoRA transformer student after the layout-cue one, and let the gate choose "
                   "(default: only when a CUDA or MPS GPU is present).")
@click.option("--no-activate", is_flag=True, help="Register the new model without making it active.")
@click.option("--activate-anyway", is_flag=True,
              help="Make the new model active even when it scores lower than the active labeler.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's record as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
def train_command(settings: Settings, source, threshold, head, epochs, batch_size, max_tokens, learning_rate, seed,
                  base_model, device, with_lora, no_activate, activate_anyway, as_json, quiet) -> None:
    """Fine-tune a new student model version on the labels in the store.

    The new model becomes active only if its page F1 on human-reviewed documents it did not train
    on is at least that of the active labeler (the active student, else the heuristic teacher)."""
    from soe_desktop.core.app.contenders import train_contenders
    from soe_desktop.core.jobs import CancelToken

    chosen = {"epochs": epochs} if epochs is not None else {}
    args = TrainingArguments.for_head(head, base_model=settings.base_model if base_model is None else base_model,
                                      batch_size=batch_size, max_tokens=max_tokens, learning_rate=learning_rate,
                                      seed=seed, device=device, **chosen)
    from soe_desktop.core.app.training_data import default_training_source

    store = open_store(settings)
    try:
        source = source or default_training_source(store)
        threshold = settings.filter_threshold if threshold is None else threshold
        token = CancelToken()
        with ProgressBar(not quiet, "train") as bar, _ctrl_c_cancels(token):
            outcome = train_contenders(settings, store, args, source, threshold, progress=bar, cancel=token,
                                       activate_anyway=activate_anyway, activate=not no_activate, with_lora=with_lora)
    except SoeError as error:
        _fail(str(error))
    finally:
        store.close()
    _print_run(outcome.row, outcome.error, as_json)
    if outcome.completed and not as_json:
        click.echo(outcome.verdict())
        _print_differences(outcome.comparison or {})
    if not as_json:
        _print_contenders(outcome.contenders)
    if not outcome.completed:
        sys.exit(1 if outcome.status == "failed" else 130)


def _print_run(row: dict, error: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, indent=2, default=str))
        return
    validation = row["metrics"].get("validation", {})
    line = (f"model {row['version']}: {row['status']} in {row['seconds']:.1f} s, "
            f"{row['dataset'].get('examples', 0)} examples ({row['dataset'].get('source')}), "
            f"peak {row['peak_rss_mb']:.0f} MB")
    if validation:
        line += f", validation F1 {validation['f1']:.3f}"
    click.echo(line + (" [active]" if row["active"] else ""))
    if error:
        click.echo(f"error: {error}", err=True)


def _print_contenders(contenders: list[dict]) -> None:
    """The other runs of the same click, each with the gate's figure (the chosen one is printed above)."""
    for other in contenders:
        f1 = ((other.get("comparison") or {}).get("challenger") or {}).get("f1")
        figure = f", page F1 {f1:.3f} on the fair documents" if f1 is not None else ""
        click.echo(f"  also trained: model {other['version']} ({other['row'].get('args', {}).get('head', '?')}), "
                   f"{other['status']}{figure}; not made active")


def _soe(is_soe: bool) -> str:
    return "SoE" if is_soe else "not SoE"


def _print_differences(comparison: dict, limit: int = 10) -> None:
    """The two page F1s side by side, then the first pages where the two labelers disagree."""
    ours, theirs = comparison.get("challenger"), comparison.get("champion")
    left_out = {why: count for why, count in (comparison.get("left_out") or {}).items() if count}
    if comparison.get("fair_documents") or left_out:
        dropped = "".join(f"; {count} left out: {why}" for why, count in left_out.items())
        click.echo(f"  judged on {comparison.get('fair_documents', 0)} fair reviewed document(s){dropped}")
    if not ours or not theirs:
        return
    click.echo(f"  page F1: new {ours['f1']:.3f} (P {ours['precision']:.3f} R {ours['recall']:.3f})  vs  "
               f"{theirs['name']} {theirs['f1']:.3f} (P {theirs['precision']:.3f} R {theirs['recall']:.3f})")
    for row in comparison.get("differences", [])[:limit]:
        click.echo(f"  {row['document']} p{row['page']}: reviewers {_soe(row['truth'])}, "
                   f"new {_soe(row['challenger'])}, {theirs['name']} {_soe(row['champion'])}")
    hidden = comparison.get("different_pages", 0) - min(limit, len(comparison.get("differences", [])))
    if hidden > 0:
        click.echo(f"  ... and {hidden} more page(s) (soe models list --json)")


@click.group("models")
def models_group() -> None:
    """List, activate, export or delete student model versions."""


@models_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_models(settings: Settings, as_json: bool) -> None:
    registry = _open_registry(settings)
    rows = registry.list()
    registry.store.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("no models yet: run `soe train`")
    for row in rows:
        f1 = row["metrics"].get("validation", {}).get("f1")
        click.echo(f"{'*' if row['active'] else ' '} {row['version']}  {row['status']:<9}  "
                   f"{row['dataset'].get('source', '?'):<22}  {row['dataset'].get('examples', 0):>6} examples  "
                   f"val F1 {'-' if f1 is None else f'{f1:.3f}'}  {_gate_words(row)}  {row['created_at']}")


def _gate_words(row: dict) -> str:
    """The promotion gate's verdict kept with the model (new/active page F1): 'gate won 0.970/0.960',
    'gate lost ...', or 'gate -' when it was not judged."""
    comparison = row["metrics"].get("promotion") or {}
    if not comparison.get("winner"):
        return "gate -"
    ours, theirs = comparison["challenger"]["f1"], comparison["champion"]["f1"]
    return f"gate {'won' if comparison['winner'] == 'challenger' else 'lost'} {ours:.3f}/{theirs:.3f}"


def _registry_action(settings: Settings, action) -> None:
    registry = _open_registry(settings)
    try:
        action(registry)
    except (KeyError, ValueError, SoeError) as error:
        _fail(str(error).strip("'\""))
    finally:
        registry.store.close()


@models_group.command("activate")
@click.argument("version")
@click.pass_obj
def activate_model(settings: Settings, version: str) -> None:
    _registry_action(settings, lambda registry: registry.activate(version))
    click.echo(f"active model: {version}")


@models_group.command("export")
@click.argument("version")
@click.argument("destination", type=click.Path(path_type=Path))
@click.pass_obj
def export_model(settings: Settings, version: str, destination: Path) -> None:
    """Copy a model folder (PEFT adapter + metadata) to DESTINATION (a folder, or a .zip file)."""
    _registry_action(settings, lambda registry: click.echo(str(registry.export(version, destination))))


@models_group.command("delete")
@click.argument("version")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete_model(settings: Settings, version: str, yes: bool) -> None:
    if not yes:
        click.confirm(f"delete model {version} and its files?", abort=True)
    _registry_action(settings, lambda registry: registry.delete(version))
    click.echo(f"deleted model: {version}")


COMMANDS = [train_command, models_group]
