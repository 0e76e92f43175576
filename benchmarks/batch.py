"""`soe batch` throughput: documents/minute at 1 and 2 Dask workers on the same corpus protocols in
one run (and the ratio), peak memory per worker, and the scheduling overhead per document against
`soe ingest`'s in-process loop on a batch of tiny generated PDFs; then a projection, on paper, for
a 64-core machine and a 10-node cluster from the measured per-document cost. With `--gui N`, the
longest GUI-thread stall while the window runs a drop of N generated protocols as a batch (a
10 ms QTimer probe, as benchmarks/gui_responsiveness.py measures), against the idle window's, the
same batch run in the window's own process (as before gui/batch_runner.py) and one by one.

Reads `../shared/corpus` (skips cleanly when it is not there; the overhead part still runs).
Prints a table and appends it to docs/BENCHMARKS.md.

    nice -n 10 .venv/bin/python benchmarks/batch.py [--documents 20] [--no-ocr] [--tiny 40] [--gui 20] [--no-append]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from publish import publish  # same folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("SOE_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
ARCHIVE, CLUSTER_CORES, CLUSTER_NODES, BIG_MACHINE = 10_000, 16, 10, 64  # the projection's assumptions


def corpus_protocols(count: int) -> list[Path]:
    """The `count` shortest labelled protocols (page count from INDEX.csv), a fixed choice."""
    with open(CORPUS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: (int(row["pages"]), row["folder"]))
    return [CORPUS / row["folder"] / "protocol.pdf" for row in rows[:count]]


def tiny_pdfs(folder: Path, count: int, prefix: str = "tiny") -> list[Path]:
    """One-page PDFs, each with its own line (distinct bytes, distinct documents)."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"{prefix}_{number:03d}.pdf"
        canvas = Canvas(str(path), pagesize=LETTER, invariant=1)
        canvas.drawString(72, 720, f"Protocol appendix {prefix} {number}: study procedures as in the synopsis.")
        canvas.save()
        paths.append(path)
    return paths


def settings_for(folder: Path):
    from soe_desktop.core.settings import Settings

    return Settings(data_dir=str(folder))


def batch_run(paths: list[Path], workers: int, ocr: bool, work: Path) -> dict:
    """One `soe batch` run on a fresh library: its wall time and figures. The cluster's start and
    each worker's first imports (paid once per worker, whatever the archive's size) are left out:
    a warm-up batch of tiny documents runs first, in a library of its own."""
    from soe_desktop.core.app.batch import BatchOptions, connect, run_batch
    from soe_desktop.core.store import Store

    folder = work / f"batch{workers}-{len(paths)}-{time.monotonic_ns()}"
    started = time.perf_counter()
    with connect(workers) as client, Store(folder / "soe.db") as store:
        with Store(folder / "warm-up" / "soe.db") as warm:
            run_batch(tiny_pdfs(folder / "warm-up", 2 * workers, "warm"), settings_for(folder / "warm-up"), warm,
                      client, BatchOptions(ocr=ocr))
        ready = time.perf_counter()
        summary = run_batch(paths, settings_for(folder), store, client, BatchOptions(ocr=ocr))
        wall = time.perf_counter() - ready
    report = summary.to_json()
    steps = sum(outcome.seconds for outcome in summary.outcomes)
    return {"workers": workers, "start_s": ready - started, "wall_s": wall, "done": report["done"],
            "failed": report["failed"], "per_min": len(paths) * 60 / wall, "step_s": steps,
            "cpu_s": sum(outcome.cpu_seconds for outcome in summary.outcomes),
            "store_s": sum(outcome.store_seconds for outcome in summary.outcomes),
            "peak_mb": max(report["peak_rss_mb_per_worker"] or [0.0]), "ocr_pages": report["ocr_pages"]}


def _share(run: dict) -> str:
    """How much of a core a document's step had: on a machine that other work also loads, a
    figure well below 100 % says the workers waited for CPU, not for Dask."""
    return f"{run['cpu_s'] / run['step_s']:.0%} of a core" if run["step_s"] else "no steps"


def ingest_loop(paths: list[Path], ocr: bool, work: Path) -> float:
    """`soe ingest`'s path: ingest_document on each file in this process. Returns the wall time."""
    from soe_desktop.core.app.ingest import ingest_document
    from soe_desktop.core.errors import SoeError
    from soe_desktop.core.store import Store

    folder = work / f"ingest-{time.monotonic_ns()}"
    started = time.perf_counter()
    with Store(folder / "soe.db") as store:
        for path in paths:
            try:
                ingest_document(path, settings_for(folder), store, ocr=ocr)
            except SoeError:
                pass
    return time.perf_counter() - started


def projection(per_document_s: float, efficiency: float) -> list[str]:
    """Hours for an archive at the measured single-worker cost per document, scaled by cores at
    the measured parallel efficiency (speed-up / workers); paper figures, not measured."""
    lines = []
    for label, cores in ((f"one {BIG_MACHINE}-core machine", BIG_MACHINE),
                         (f"{CLUSTER_NODES} nodes x {CLUSTER_CORES} cores", CLUSTER_NODES * CLUSTER_CORES)):
        hours = ARCHIVE * per_document_s / (cores * efficiency) / 3600
        lines.append(f"| {ARCHIVE:,} protocols on {label} | {hours:.1f} h |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20, help="corpus protocols (the shortest first)")
    parser.add_argument("--no-ocr", dest="ocr", action="store_false", help="leave pictured pages unread")
    parser.add_argument("--tiny", type=int, default=40, help="tiny PDFs for the overhead")
    parser.add_argument("--gui", type=int, default=0, help="also: GUI stall during a drop of N protocols")
    parser.add_argument("--no-append", dest="append", action="store_false")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"## soe batch: Dask workers ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Machine: {platform.node()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"load average {load:.1f} at the start; Python {platform.python_version()}.",
             f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`", ""]
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        tiny = tiny_pdfs(work / "tiny", args.tiny)
        ingest_loop(tiny[:2], False, work)  # imports and first-use costs out of the measured loop
        loop_s = ingest_loop(tiny, False, work)
        tiny_run = batch_run(tiny, 1, False, work)
        overhead_ms = (tiny_run["wall_s"] - loop_s) / len(tiny) * 1000
        lines += ["| measure | value |", "|---|---|",
                  f"| {len(tiny)} one-page PDFs, `soe ingest` loop in-process | {loop_s:.2f} s |",
                  f"| same, `soe batch` on 1 worker (cluster start and warm-up {tiny_run['start_s']:.1f} s apart) | "
                  f"{tiny_run['wall_s']:.2f} s |",
                  f"| scheduling overhead per document (batch - loop) / documents | {overhead_ms:.0f} ms "
                  f"(target <= 50) |",
                  f"| the worker's time between documents (wall - its step time) / documents | "
                  f"{(tiny_run['wall_s'] - tiny_run['step_s']) / len(tiny) * 1000:.0f} ms |"]
        if args.gui:
            gui = gui_stall(args.gui, work)
            for mode in GUI_MODES:
                run = gui[mode]
                lines += [f"| window: a drop of {gui['count']} generated protocols (17 pages each), {mode} | "
                          f"{run['finished']} finished in {run['seconds']:.1f} s{'' if run['ok'] else ' (timed out)'}; "
                          f"longest GUI-thread stall {run['stall_ms']:.0f} ms (idle {gui['idle_ms']:.0f} ms; "
                          f"target <= 50){'; worst: ' + run['worst'] if run['worst'] else ''} |"]
        if not (CORPUS / "INDEX.csv").exists():
            lines += ["", f"Corpus not found at {CORPUS}: throughput not measured."]
        elif args.documents:
            protocols = corpus_protocols(args.documents)
            pages = sum(_page_count(path) for path in protocols)
            runs = [batch_run(protocols, workers, args.ocr, work) for workers in (1, 2)]
            ratio = runs[1]["per_min"] / runs[0]["per_min"]
            lines += [f"| corpus: the {len(protocols)} shortest protocols, {pages} pages, OCR "
                      f"{'on' if args.ocr else 'off (--no-ocr)'} | |"]
            for run in runs:
                lines.append(f"| {run['workers']} worker(s): documents/minute | {run['per_min']:.2f} "
                             f"({run['wall_s']:.1f} s, {run['done']} done, {run['failed']} failed, "
                             f"{run['ocr_pages']} OCR pages; start and warm-up {run['start_s']:.1f} s apart) |")
                lines.append(f"| {run['workers']} worker(s): peak memory per worker | {run['peak_mb']:.0f} MB |")
                lines.append(f"| {run['workers']} worker(s): where the time went | workers' CPU "
                             f"{run['cpu_s']:.1f} s in {run['step_s']:.1f} s of steps ({_share(run)}: the rest "
                             f"waiting for a core); the client storing results {run['store_s']:.1f} s |")
            lines.append(f"| speed-up 1 -> 2 workers | {ratio:.2f}x (target >= 1.7) |")
            per_document = runs[0]["wall_s"] / len(protocols)
            lines += ["", f"Projection on paper from {per_document:.1f} s per document on one worker and the "
                          f"measured parallel efficiency {ratio / 2:.2f}:", "", "| archive | hours |", "|---|---|",
                      *projection(per_document, ratio / 2)]
    publish("\n".join(lines) + "\n", append=args.append)


GUI_MODES = ("batch", "batch in the window's process", "one by one")


def gui_stall(count: int, work: Path) -> dict:
    """Longest GUI-thread stall (ms) of the idle window, then while it runs a drop of `count`
    generated protocols as a batch (its own child process, as the window does), the same as a batch
    run in the window's process (the queue's worker thread, as before the child: for comparison), and
    one by one (the queue's own path, the batch runner turned off): the same window, other
    protocols each time, no document open before each drop."""
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    os.environ["SOE_DESKTOP_DATA_DIR"] = str(work / "gui-data")
    os.environ["SOE_DESKTOP_CONFIG_DIR"] = str(work / "gui-config")
    from PySide6.QtWidgets import QApplication

    from gui_responsiveness import StallProbe, run_until  # same folder
    from soe_desktop.gui import ingest_queue
    from soe_desktop.gui.app import close_window, create_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = create_window(open_sample=False)
    window.resize(1400, 900)
    window.show()
    window.start_up.finish_now()
    probe = StallProbe()
    run_until(lambda: False, 1.0)
    probe.start()
    run_until(lambda: False, 3.0)
    figures = {"idle_ms": probe.stop(), "count": count}
    batch_at, batch_task = ingest_queue.BATCH_AT, ingest_queue.batch_task
    for number, mode in enumerate(GUI_MODES):
        ingest_queue.BATCH_AT = 10 ** 9 if mode == "one by one" else batch_at
        ingest_queue.batch_task = _batch_in_this_process if "window's process" in mode else batch_task
        seeds = range(100 * (number + 1), 100 * (number + 1) + count)
        figures[mode] = _drop_and_probe(window, probe, _protocols(work / f"gui-{number}", seeds), run_until)
    ingest_queue.BATCH_AT, ingest_queue.batch_task = batch_at, batch_task
    close_window(window)
    del app
    return figures


def _batch_in_this_process(paths: list[str], settings, allow_cloud: bool):
    """The queue's batch task as it was before gui/batch_runner.py: the Dask client, the local
    cluster's scheduler and the store writes in the window's process, on the queue's worker thread."""
    from dataclasses import replace

    from soe_desktop.core.app.batch import BatchOptions, connect, run_batch
    from soe_desktop.core.jobs import Partial, Progress
    from soe_desktop.core.store import Store

    snapshot = replace(settings)

    def task(progress, cancel):
        done = []

        def report(outcome) -> None:
            done.append(outcome)
            progress(Progress("batch", len(done), len(paths), partial=Partial((outcome,))))

        with Store(snapshot.db_path) as store, connect() as client:
            return run_batch([Path(path) for path in paths], snapshot, store, client,
                             BatchOptions(allow_cloud=allow_cloud), on_outcome=report,
                             should_stop=lambda: cancel.cancelled).to_json()

    return task


def _protocols(folder: Path, seeds) -> Path:
    from soe_desktop.core.synthetic.damaged import write_small_protocol

    for seed in seeds:
        write_small_protocol(folder / f"protocol_{seed}.pdf", seed=seed)
    return folder


def _drop_and_probe(window, probe, folder: Path, run_until) -> dict:
    window.show_nothing()
    run_until(lambda: False, 0.5)
    before = len(window.queue.model.entries)
    probe.context = lambda: ", ".join(sorted({entry.status for entry in window.queue.model.entries[before:]}))
    started = time.perf_counter()
    probe.start()
    window.add_paths([str(folder)])
    ok = run_until(lambda: not window.queue.is_busy(), 1800)
    stall = probe.stop()
    entries = window.queue.model.entries[before:]
    return {"ok": ok, "stall_ms": stall, "seconds": time.perf_counter() - started, "worst": probe.worst(3),
            "finished": sum(entry.status in ("needs review", "done") for entry in entries)}


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


if __name__ == "__main__":
    main()
