"""Time from launch to the window on screen, before and after deferring the heavy start-up work.

Each run is a fresh Python process (imports are cached per process), with its own empty data
and config folders. Two variants run alternately on the same machine:
  * before: the old order - import the pipeline, camelot/OpenCV and matplotlib (dashboard),
    freeze the GC, build the window, show it;
  * after: what `app.run` does now - a splash screen, then build and show the window; the same
    work runs after its first paint (`StartUp`), and the ingest queue waits for it.
Reported per variant (median of the runs, min-max): from the child script's first line to the
first pixels (the splash, after only), the window's first paint, and "ready" (start-up done:
dropped PDFs are processed). Python's own start (the same for both) is not included. Prints a
table and appends it to docs/history/BENCHMARKS_LOG.md.

    nice -n 10 .venv/bin/python benchmarks/startup.py [--runs 5] [--xvfb] [--no-append]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from publish import publish  # same folder

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("before", "after")


def child(variant: str) -> None:
    """One start-up; prints {"shown": s, "ready": s} measured from this script's first line."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    times: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and "shown" not in times:
                times["shown"] = time.perf_counter() - T0
            return False

    from soe_desktop.gui.app import create_window, preload_core, show_splash

    splash = None
    if variant == "before":
        preload_core()
    else:
        splash = show_splash(app)
        times["splash"] = time.perf_counter() - T0
    window = create_window(open_sample=False)
    if variant == "before":
        window.dashboard.panel()  # the old window built its dashboard (matplotlib) in its constructor
    probe = FirstPaint()
    window.installEventFilter(probe)
    window.show()
    if splash is not None:
        splash.close()

    def on_ready() -> None:
        times["ready"] = time.perf_counter() - T0
        QTimer.singleShot(50, app.quit)

    if window.start_up.is_ready():
        on_ready()
    else:
        window.start_up.ready.connect(on_ready)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    window.shutdown()
    print(json.dumps(times))


def run_child(variant: str, xvfb: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix="soe-startup-"))
    env = {**os.environ, "SOE_DESKTOP_DATA_DIR": str(work / "data"), "SOE_DESKTOP_CONFIG_DIR": str(work / "config")}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", variant]
    if xvfb:
        env.pop("QT_QPA_PLATFORM", None)
        command = ["xvfb-run", "-a", *command]
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def report(args, results: dict[str, list[dict]]) -> str:
    splash = [r["splash"] for r in results["after"] if "splash" in r]
    shown = {v: [r["shown"] for r in results[v]] for v in VARIANTS}
    ready = {v: [r["ready"] for r in results[v]] for v in VARIANTS}
    ratio = statistics.median(shown["after"]) / statistics.median(shown["before"])
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    flags = " --xvfb" if args.xvfb else ""
    lines = [
        f"\n## Start-up: time to the window on screen ({stamp})\n",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load}; Qt platform: "
        f"{'xcb on Xvfb' if args.xvfb else 'offscreen'}",
        f"- command: `nice -n 10 .venv/bin/python benchmarks/startup.py --runs {args.runs}{flags}`",
        f"- {args.runs} fresh processes per variant, alternating; times from the script's first line "
        "(Python's own start excluded); median (min–max)\n",
        "| variant | launch → first pixels | launch → window painted | launch → ready (queue runs) |",
        "|---|---|---|---|",
        f"| before: heavy imports, then show | {summary(shown['before'])} (the window) | {summary(shown['before'])} | "
        f"{summary(ready['before'])} |",
        f"| after: splash, show, then heavy imports after the first paint | "
        f"{summary(splash) + ' (splash)' if splash else '–'} | {summary(shown['after'])} | {summary(ready['after'])} |",
        f"\nWindow on screen after/before = {ratio:.2f}x. 'Ready' is when a dropped PDF starts processing; "
        "until then the queue panel says 'Starting…' and documents wait in the queue.\n",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-ups per variant")
    parser.add_argument("--xvfb", action="store_true", help="real xcb windows on Xvfb instead of offscreen")
    parser.add_argument("--no-append", action="store_true", help="print only; do not touch docs/history/BENCHMARKS_LOG.md")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for _ in range(args.runs):
        for variant in VARIANTS:
            results[variant].append(run_child(variant, args.xvfb))
    publish(report(args, results), append=not args.no_append)
    return 0


if __name__ == "__main__":
    sys.exit(main())
