"""Peak memory and time of `soe triage` on the hostile cases of the bad-input corpus (a 1,000-page
PDF, a page of 50,000 tiny text objects, a 200-inch page), and what the time limits cost on a
normal protocol: the same triage with the watchdog (per-page finder limit) and without it.

Each triage is a fresh `soe triage --json --quiet` child; its peak RSS comes from os.wait4's
ru_maxrss (that child alone). Prints a table and appends it to docs/history/BENCHMARKS_LOG.md.

    nice -n 10 .venv/bin/python benchmarks/bad_inputs.py [--runs 3] [--no-append]
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

ROOT = Path(__file__).resolve().parents[1]
SOE = [str(Path(sys.executable).with_name("soe"))]  # the installed console script
TARGET_MB = 1536


def triage_child(pdf: Path, config_dir: Path, data_dir: Path) -> tuple[float, float, dict]:
    """(seconds, peak RSS MB, JSON payload or {"error": line}) of one `soe triage` child."""
    env = {**os.environ, "SOE_DESKTOP_CONFIG_DIR": str(config_dir), "SOE_DESKTOP_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([*SOE, "triage", str(pdf), "--json", "--quiet"], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, error = out.read().decode(), err.read().decode(errors="replace").strip()
    if child.returncode not in (0, 1):  # 1 is a refusal with its one line; anything else is a crash
        raise SystemExit(f"soe triage {pdf.name} crashed ({child.returncode}): {error[-500:]}")
    payload = json.loads(text) if child.returncode == 0 else {"error": error.splitlines()[-1] if error else "?"}
    return seconds, usage.ru_maxrss / 1024, payload  # ru_maxrss is in KiB on Linux


def settings_dir(root: Path, name: str, **values) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps(values))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the normal protocol per variant")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from soe_desktop.core.synthetic import write_bad_inputs, write_sample_protocol

    work = Path(tempfile.mkdtemp(prefix="soe-bad-bench-"))
    try:
        bad = write_bad_inputs(work / "bad", large=True)
        sample = work / "sample.pdf"
        write_sample_protocol(sample)
        limited = settings_dir(work, "limited")  # the defaults: per-page and per-document limits on
        unlimited = settings_dir(work, "unlimited", page_time_limit_s=0, document_time_limit_s=0)
        rows = []
        for kind in ("pages_1000", "many_objects", "huge_page"):
            seconds, rss, payload = triage_child(bad[kind], limited, work / "data")
            rows.append((kind, seconds, rss, _outcome(payload)))
        timings = {"limits on": [], "limits off": []}
        for _ in range(args.runs):  # alternate, so machine load falls on both alike
            for name, folder in (("limits on", limited), ("limits off", unlimited)):
                seconds, rss, payload = triage_child(sample, folder, work / "data")
                timings[name].append((seconds, rss, _outcome(payload)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    publish(_report(rows, timings, args.runs), append=not args.no_append)


def _outcome(payload: dict) -> str:
    if "error" in payload:
        return f"refused: {payload['error']}"
    unreadable = payload.get("unreadable_pages", [])
    return (f"triaged, {payload['document']['pages']} pages, {len(payload['candidates'])} candidates, "
            f"unreadable {len(unreadable)}")


def _report(rows, timings, runs: int) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Hostile inputs: peak RSS and time limits ({stamp})",
        "",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "- command: `nice -n 10 .venv/bin/python benchmarks/bad_inputs.py`",
        "- each row: one `soe triage --json --quiet` child (default settings, OCR on), peak RSS from wait4",
        "",
        "| input | s | peak RSS, MB | outcome |",
        "|---|---|---|---|",
    ]
    for kind, seconds, rss, outcome in rows:
        lines.append(f"| {kind} | {seconds:.1f} | {rss:.0f} | {outcome} |")
    lines += ["", f"Normal protocol (the first-run sample), {runs} runs per variant, alternating:", "",
              "| variant | median s | min-max s | peak RSS, MB |", "|---|---|---|---|"]
    medians = {}
    for name, runs_of in timings.items():
        seconds = [s for s, _, _ in runs_of]
        medians[name] = statistics.median(seconds)
        lines.append(f"| {name} | {medians[name]:.2f} | {min(seconds):.2f}-{max(seconds):.2f} | "
                     f"{max(r for _, r, _ in runs_of):.0f} |")
    worst = max(rss for _, _, rss, _ in rows)
    overhead = medians["limits on"] - medians["limits off"]
    lines += ["", f"- largest peak RSS {worst:.0f} MB ({'meets' if worst <= TARGET_MB else 'misses'} the "
              f"{TARGET_MB} MB target)",
              f"- watchdog overhead on the normal protocol: {overhead:+.2f} s "
              f"({overhead / medians['limits off']:+.1%}, within run-to-run spread when the ranges overlap)"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
