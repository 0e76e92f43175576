"""The desktop bundle: its size (unpacked, packed), what dominates it, and start-up to a painted window.

Start-up is timed from outside, from launching the process to the window's first paint (the app's
hidden `--report-startup` prints a line then), for the bundle's `soe-desktop` and, in the same
run and alternating with it, for the same app started from the virtual environment
(`python -m soe_desktop`), each with fresh empty data and config folders.

    .venv/bin/python benchmarks/bundle.py [--bundle dist/soe-desktop] [--runs 3] [--xvfb]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def dominating(bundle: Path, top: int = 12) -> list[tuple[str, float]]:
    """The largest top-level parts of the bundle's library folder, in MB."""
    internal = bundle / "_internal"
    parts = [(p.name, (folder_size(p) if p.is_dir() else p.stat().st_size) / MB) for p in internal.iterdir()
             if not p.is_symlink()]
    return sorted(parts, key=lambda item: -item[1])[:top]


def time_to_paint(command: list[str], xvfb: bool, timeout_s: float = 180.0) -> float:
    """Seconds from launch to 'startup: painted' on the child's stdout."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "SOE_DESKTOP_DATA_DIR": f"{scratch}/data", "SOE_DESKTOP_CONFIG_DIR": f"{scratch}/config"}
        if not xvfb:
            env["QT_QPA_PLATFORM"] = "offscreen"
        prefix = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"] if xvfb else []
        started = time.perf_counter()
        child = subprocess.Popen(prefix + command + ["--report-startup", "--quit-after", "3"], env=env, cwd=scratch,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        painted = None
        for line in child.stdout:
            if line.strip() == "startup: painted" and painted is None:
                painted = time.perf_counter() - started
        child.wait(timeout=timeout_s)
        if painted is None:
            raise RuntimeError(f"{command[0]} never painted (exit {child.returncode})")
        return painted


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "soe-desktop")
    parser.add_argument("--archive", type=Path, help="the packed .tar.gz (default: next to the bundle)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xvfb", action="store_true", help="real xcb windows on Xvfb instead of offscreen")
    args = parser.parse_args()
    bundle = args.bundle.resolve()
    archive = args.archive or next(bundle.parent.glob("soe-desktop-*.tar.gz"), None)
    commands = {"bundle": [str(bundle / "soe-desktop")], "venv": [sys.executable, "-m", "soe_desktop"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(time_to_paint(command, args.xvfb))
    unpacked = folder_size(bundle) / MB
    print(f"## Desktop bundle ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, {'Xvfb' if args.xvfb else 'offscreen'})")
    print(f"command: {' '.join(sys.argv)}")
    print(f"| unpacked | packed | start-up to painted window: bundle | same app from the venv | ratio |")
    print(f"|---|---|---|---|---|")
    packed = f"{archive.stat().st_size / MB:,.0f} MB" if archive and archive.exists() else "-"
    ratio = statistics.median(times["bundle"]) / statistics.median(times["venv"])
    print(f"| {unpacked:,.0f} MB | {packed} | {summary(times['bundle'])} | {summary(times['venv'])} | {ratio:.2f} |")
    print("largest parts of _internal/: " + ", ".join(f"{name} {size:,.0f}" for name, size in dominating(bundle)) + " MB")
    return 0


if __name__ == "__main__":
    from _history import recorded_output  # same folder: appends the printed table to the run log

    with recorded_output():
        sys.exit(main())
