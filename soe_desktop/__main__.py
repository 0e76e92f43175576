"""`soe-desktop` / `python -m soe_desktop`: the desktop app, or a headless triage when no display works.

Qt aborts the process when its platform plugin cannot load (no X server, or the xcb libraries
that Qt >= 6.5 needs are missing). We check first and, instead of crashing, print how to fix it
and still do something useful: triage the sample protocol (or the PDFs given) and print SoE pages.
"""

from __future__ import annotations

import argparse
import ctypes.util
import multiprocessing
import os
import sys
from dataclasses import replace
from pathlib import Path

APT_HINT = ("sudo apt-get install -y xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
            "libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0")
# Libraries the xcb platform plugin loads that a bare Linux lacks (README, 'Linux desktop notes').
XCB_LIBS = ("xcb-cursor", "xcb-icccm", "xcb-keysyms", "xcb-image", "xcb-render-util", "xkbcommon-x11")


def display_problem(environ: dict | None = None, platform: str | None = None, find_library=ctypes.util.find_library) -> str:
    """Why a window cannot open here ('' when it can). Only Linux/X11 needs checking."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return ""
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return "no display found (DISPLAY and WAYLAND_DISPLAY are not set)"
    if environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
        return ""
    missing = [name for name in XCB_LIBS if not find_library(name)]
    if missing:
        return "Qt's xcb plugin cannot load: missing system libraries " + ", ".join(f"lib{m}" for m in missing)
    return ""


def print_hint(problem: str) -> None:
    print(f"SoE Desktop cannot open a window: {problem}.", file=sys.stderr)
    print("To run the desktop app on Linux, install the X11 libraries Qt needs:", file=sys.stderr)
    print(f"    {APT_HINT}", file=sys.stderr)
    print("then start it on a virtual display:  xvfb-run -a soe-desktop", file=sys.stderr)
    print("Meanwhile, here is a headless triage (same core as the app):", file=sys.stderr)


def headless_triage(paths: list[str], overrides: dict | None = None) -> int:
    """Triage each PDF (the sample protocol when none is given) and print its SoE pages."""
    from soe_desktop.core.errors import SoeError
    from soe_desktop.core.app.triage import triage
    from soe_desktop.core.settings import load_settings

    if not paths:
        from soe_desktop.gui.first_run import ensure_sample

        paths = [str(ensure_sample(replace(load_settings(), **(overrides or {})).data_path))]
    status = 0
    for path in paths:
        try:
            result = triage(path)
        except SoeError as error:
            print(f"{Path(path).name}: error: {error}")
            status = 1
            continue
        pages = ", ".join(map(str, result.soe_pages())) or "none found"
        print(f"{Path(path).name}: {result.document.page_count} pages, {len(result.candidates)} candidate "
              f"tables, SoE pages: {pages} ({result.seconds:.1f} s)")
    return status


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from soe_desktop import __version__

    parser = argparse.ArgumentParser(prog="soe-desktop", description="Find the Schedule of Events in protocol PDFs.")
    parser.add_argument("pdfs", nargs="*", help="PDF files or folders to open (as if dropped on the window)")
    parser.add_argument("--version", action="version", version=f"SoE Desktop {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="use DIR as the data folder (library, models) for this run")
    parser.add_argument("--offline", action="store_true", help="no network for this run (Gemini is not called)")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation: run the whole workflow on the sample protocol, headless")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help="quit after SECONDS (smoke runs)")
    parser.add_argument("--headless", action="store_true", help="do not open a window: triage and print")
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)  # benchmarks/bundle.py
    return parser.parse_args(argv)


def run_overrides(args: argparse.Namespace) -> dict:
    """Settings that hold for this run only (they are applied over the saved ones, not written)."""
    overrides: dict = {}
    if args.data_dir:
        overrides["data_dir"] = str(Path(args.data_dir).expanduser().resolve())
    if args.offline:
        overrides["offline"] = True
    return overrides


def self_test() -> int:
    """Exit 0 when every step passed; else 1 (the failing step is named on the last line)."""
    from soe_desktop.core.app.self_test import run_self_test

    return 0 if run_self_test(lambda line: print(line, flush=True)).ok else 1


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # training runs in a spawned child, also in a PyInstaller build
    args = parse_args(argv)
    if args.self_test:
        return self_test()
    problem = "--headless was given" if args.headless else display_problem()
    if problem:
        if not args.headless:
            print_hint(problem)
        return headless_triage(args.pdfs, run_overrides(args))
    from soe_desktop.gui.app import run

    return run(args.pdfs, args.quit_after, run_overrides(args), args.report_startup)


if __name__ == "__main__":
    sys.exit(main())
