"""Every SoE table of the corpus gives a grid or a stated reason: no table is dropped without a word.

    nice -n 10 .venv/bin/python benchmarks/grid_no_silent_tables.py [CORPUS_DIR] [--ocr] [--only FOLDER ...]

For each corpus protocol, `core.app.grid.document_grids` (what `soe grid` runs: triage with the
offline heuristic labeler, then every SoE-labelled table through `read_table`), and against it the
SoE groups the same labels choose (`core.grid.extract.soe_groups`). A group is "silent" when it is
neither a grid nor a `failed` entry (target 0; before the grid issue's item 4 every group that
yielded no grid was silent). Also counted: suspect and redacted grids, unreadable pages, and each
failure's reason. OCR is off unless --ocr (pictured pages then are unreadable, with that reason).
Prints a markdown table with date, machine and command (appended to docs/history/BENCHMARKS_LOG.md).
Skips cleanly when the corpus is absent.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.app.grid import document_grids  # noqa: E402
from soe_desktop.core.evaluation.corpus import default_corpus_dir  # noqa: E402
from soe_desktop.core.grid.extract import soe_groups  # noqa: E402
from soe_desktop.core.pdf.analysis import AnalysisOptions  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(default_corpus_dir()))
    parser.add_argument("--ocr", action="store_true", help="read pictured pages by OCR (slow)")
    parser.add_argument("--only", nargs="*", default=[], help="only these corpus folders")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    folders = [p for p in sorted(corpus.iterdir()) if (p / "protocol.pdf").is_file()] if corpus.is_dir() else []
    folders = [p for p in folders if not args.only or p.name in args.only]
    if not folders:
        print(f"skipped: no corpus at {corpus}")
        return 0
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Grid: no silent SoE tables, {now}, {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs), "
          f"command: `{' '.join(['benchmarks/grid_no_silent_tables.py'] + sys.argv[1:])}`\n")
    print("| protocol | SoE tables | grids | failed | silent | suspect | redacted | unreadable pages | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals, reasons = Counter(), Counter()
    for folder in folders:
        started = time.perf_counter()
        result = document_grids(folder / "protocol.pdf", options=AnalysisOptions(ocr=args.ocr))
        labels = {label.candidate_id: label for label in result.triage.labels}
        groups = len(soe_groups(result.triage.candidates, labels))
        counts = Counter(tables=groups, grids=len(result.grids), failed=len(result.failed),
                         suspect=sum(bool(g.suspect) for g in result.grids),
                         redacted=sum(g.redacted for g in result.grids), unreadable=len(result.unreadable))
        counts["silent"] = groups - counts["grids"] - counts["failed"]
        totals.update(counts)
        reasons.update(failure.reason.split(" (")[0].split(":")[0] for failure in result.failed)
        print(f"| {folder.name} | {groups} | {counts['grids']} | {counts['failed']} | {counts['silent']} | "
              f"{counts['suspect']} | {counts['redacted']} | {counts['unreadable']} | "
              f"{time.perf_counter() - started:.0f} |", flush=True)
    print(f"| **all {len(folders)}** | {totals['tables']} | {totals['grids']} | {totals['failed']} | "
          f"**{totals['silent']}** | {totals['suspect']} | {totals['redacted']} | {totals['unreadable']} | |")
    print("\nfailure reasons: " + "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common()))
    return 0


if __name__ == "__main__":
    from _history import recorded_output  # same folder: appends the printed table to the run log

    with recorded_output():
        raise SystemExit(main())
