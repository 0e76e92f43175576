"""Benchmark: retraining as the product does it (`soe train`'s workflow, core.app.training
.train_and_register: build the set from the library, train, register, promotion gate), against the
plain trainer on the same candidates in the same run; append to docs/history/BENCHMARKS_LOG.md.

    nice -n 10 .venv/bin/python benchmarks/retrain.py [--candidates 1000] [--reviewed 5] [--source teacher-filtered]

The library holds benchmarks/train.py's synthetic candidates (20 per document) with confident,
agreeing teacher labels on all and human decisions on the first `--reviewed` documents. With a
teacher-label source the gate holds the reviewed documents out (one run); with a human-label
source and few reviewed documents it adds k check runs (k-fold by document), which this measures.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.model import Document, Label  # noqa: E402

from publish import publish  # noqa: E402  (same folder)
from train import python_command, synthetic_candidate  # noqa: E402  (same folder)

PER_DOCUMENT = 20  # as in train.py's synthetic_candidate


def build_library(settings, n: int, reviewed: int, seed: int) -> None:
    from soe_desktop.core.store import Store

    rng = random.Random(seed)
    pairs = [synthetic_candidate(i, rng) for i in range(n)]
    by_document: dict[str, list] = {}
    for candidate, soe in pairs:
        by_document.setdefault(candidate.document_sha256, []).append((candidate, soe))
    settings.data_path.mkdir(parents=True, exist_ok=True)
    with Store(settings.db_path) as store:
        for index, (name, members) in enumerate(by_document.items()):
            sha = f"{index:064x}"
            store.add_document(Document(f"/bench/{name}.pdf", sha, PER_DOCUMENT), "", f"{name}.pdf")
            candidates = [replace(c, document_sha256=sha, group="") for c, _ in members]
            store.replace_candidates(sha, candidates)
            truth = [(c, soe) for c, (_, soe) in zip(candidates, members)]
            store.add_labels([Label(c.id, soe, 0.95, "heuristic", agree=True) for c, soe in truth])
            if index < reviewed:
                store.add_labels([Label(c.id, soe, 1.0, "human:bench") for c, soe in truth])


def measure(options) -> dict:
    import torch

    from soe_desktop.core.app.training import train_and_register
    from soe_desktop.core.settings import Settings
    from soe_desktop.core.store import Store
    from soe_desktop.core.training.arguments import TrainingArguments
    from soe_desktop.core.training.dataset import training_set_from_store
    from soe_desktop.core.training.device import peak_rss_mb
    from soe_desktop.core.training.trainer import run_threads, train

    args = TrainingArguments(device=options.device, **({"epochs": options.epochs} if options.epochs else {}))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=tmp)
        build_library(settings, options.candidates, options.reviewed, options.seed)
        with Store(settings.db_path) as store:
            warm_up = training_set_from_store(store, "teacher-all", settings.filter_threshold)
            train(warm_up.subset(warm_up.documents[:4]), args)  # imports and first loads, paid by neither below
            started = time.perf_counter()
            plain = train(training_set_from_store(store, options.source, settings.filter_threshold), args)
            plain_s = time.perf_counter() - started
            started = time.perf_counter()
            outcome = train_and_register(settings, store, args, options.source, settings.filter_threshold)
            workflow_s = time.perf_counter() - started
    if not plain.completed or not outcome.completed:
        raise SystemExit(f"training failed: {plain.error or outcome.error}")
    return {"plain_s": plain_s, "workflow_s": workflow_s, "train_s": outcome.seconds, "rss_mb": peak_rss_mb(),
            "comparison": outcome.comparison or {}, "examples": outcome.row["dataset"].get("examples", 0),
            "device": outcome.device, "threads": run_threads(args) or torch.get_num_threads(), "args": args}


def report(m: dict, options, command: str) -> str:
    c, a = m["comparison"], m["args"]
    target = 120 if m["device"] == "cpu" else 15
    meets = lambda ok: "meets" if ok else "MISSES"  # noqa: E731
    figures = (f"new {c['challenger']['f1']:.3f} vs {c['champion']['name']} {c['champion']['f1']:.3f}"
               if c.get("challenger") else c.get("reason", ""))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        f"## Retraining workflow (`soe train`) ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPU cores visible, torch threads "
        f"{m['threads']}, device {m['device']}; load average {load:.1f} when it ended (CPU figures move with it).",
        "",
        "```", command, "```", "",
        f"Library: {options.candidates} synthetic candidates in {options.candidates // PER_DOCUMENT} documents, "
        f"{options.reviewed} reviewed; source `{options.source}`; TrainingArguments: head `{a.head}`, "
        f"{a.epochs} epochs, batch {a.batch_size}, {a.calibration_folds} calibration folds.",
        "",
        "The gate's figures come from synthetic candidates: this times the workflow, it does not rate a labeler.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| plain trainer on the whole set (load + fit), s | {m['plain_s']:.1f} |",
        f"| `train_and_register` (set, train, register, gate), s | {m['workflow_s']:.1f} "
        f"({meets(m['workflow_s'] <= target)} the {target} s target) |",
        f"| of which the registered model's run, s | {m['train_s']:.1f} ({m['examples']} examples) |",
        f"| gate | {c.get('method') or 'not judged'}, {c.get('folds', 0)} check run(s), "
        f"{c.get('documents', 0)} document(s); page F1 {figures} |",
        f"| peak RSS of the process (both runs), MB | {m['rss_mb']:.0f} "
        f"({meets(m['rss_mb'] <= 2048)} the 2 GB target) |",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retraining workflow benchmark")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--reviewed", type=int, default=5, help="documents with human decisions")
    parser.add_argument("--source", default="teacher-filtered")
    parser.add_argument("--epochs", type=int, default=None, help="default: TrainingArguments.epochs")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-append", action="store_true", help="Print only; do not touch docs/history/BENCHMARKS_LOG.md.")
    options = parser.parse_args(argv)
    command = f"{python_command()} benchmarks/retrain.py " + " ".join(argv if argv is not None else sys.argv[1:])
    publish(report(measure(options), options, command.strip()), append=not options.no_append)
    return 0


if __name__ == "__main__":
    sys.exit(main())
