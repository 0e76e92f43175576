"""Second-reading benchmark: how well the `uncertain` flags point at the grid's wrong cells, and what
the second reading costs next to the cell reading alone.

    nice -n 10 .venv/bin/python benchmarks/grid_second_reading.py [CORPUS_DIR] [--only FOLDER ...]

For each transcribed grid under benchmarks/grid_truth/ (tuning set) and benchmarks/grid_truth/validation/
(validation set, when present), in one run: the app's table finder on the truth's pages (not timed),
then `core.grid.extract_grid` (cell reading + second reading, timed), scored against the truth
with `core.evaluation.grid_metrics.score_grid` and `flag_scores`. The second reading alone (pdfium
characters of the grid's pages + `cross_check`) is timed again on the same grid, so the table
shows both readings per page and the cell reading's share of it (the alternative: no check).
Targets (grid issue): <= 5 % flagged on grids whose cells are all right, >= 80 % of wrong cells
flagged, <= 1 s a text page for both readings. Prints a markdown table with date, machine, command
(appended to docs/history/BENCHMARKS_LOG.md).
Skips cleanly when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pypdfium2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.evaluation.corpus import default_corpus_dir  # noqa: E402
from soe_desktop.core.evaluation.grid_metrics import FlagScores, flag_scores, score_grid  # noqa: E402
from soe_desktop.core.grid import extract_grid  # noqa: E402
from soe_desktop.core.grid.chars import page_chars  # noqa: E402
from soe_desktop.core.grid.cross_check import PageChars, cross_check  # noqa: E402
from soe_desktop.core.pdf.candidates import find_candidates  # noqa: E402
from soe_desktop.core.pdf.ingest import open_document  # noqa: E402
from soe_desktop.core.pdf.pages import read_pages  # noqa: E402
from soe_desktop.core.pdf.rotation import frame_of  # noqa: E402

TRUTH_DIR = REPO / "benchmarks" / "grid_truth"


def truths(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def second_reading_seconds(pdf: Path, grid) -> float:
    """The second reading alone, again: the grid pages' characters and the binning (the document
    is open already, as it is in the extractor)."""
    document = pypdfium2.PdfDocument(str(pdf))
    started = time.perf_counter()
    try:
        pages = {}
        for number in grid.pages:
            if number in grid.ocr_pages:
                continue
            page = document[number - 1]
            frame = frame_of(page)
            pages[number] = PageChars(page_chars(page.get_textpage(), frame), frame.displayed_size)
        cross_check(grid, pages)
        return time.perf_counter() - started
    finally:
        document.close()


def run_one(pdf: Path, truth: dict) -> tuple[dict, FlagScores, float, float, list[int], float]:
    pages = truth["pages"]
    document = open_document(pdf)
    texts = read_pages(pdf)
    candidates = [c for c in find_candidates(pdf, document, texts, pages, pages) if c.page in pages]
    started = time.perf_counter()
    grid = extract_grid(pdf, candidates, ocr=True)
    both = time.perf_counter() - started
    second = second_reading_seconds(pdf, grid)
    predicted = grid.to_json()
    match = score_grid(predicted, truth)
    return predicted, flag_scores(predicted, match, truth), both, second, list(grid.ocr_pages), match.scores.cell_f1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(default_corpus_dir()))
    parser.add_argument("--only", nargs="*", default=[], help="only these corpus folders")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    sets = {"tuning": truths(TRUTH_DIR), "validation": truths(TRUTH_DIR / "validation")}
    sets = {name: [t for t in found if (corpus / t["document"] / "protocol.pdf").is_file()
                   and (not args.only or t["document"] in args.only)] for name, found in sets.items()}
    if not any(sets.values()):
        print(f"skipped: no corpus with the grid-truth protocols at {corpus}")
        return 0
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Grid second reading, {now}, {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs), "
          f"command: `{' '.join(['benchmarks/grid_second_reading.py'] + sys.argv[1:])}`\n")
    print("| set | grid | pages | cell F1 | cells | flagged | flagged share | wrong cells | wrong flagged | "
          "right flagged | both readings s/page | second reading s/page | second / both |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, chosen in sets.items():
        summed, both_total, second_total, text_pages = FlagScores(), 0.0, 0.0, 0
        for truth in chosen:
            pdf = corpus / truth["document"] / "protocol.pdf"
            _, flags, both, second, ocr_pages, f1 = run_one(pdf, truth)
            pages = len(truth["pages"])
            summed = summed + flags
            if not ocr_pages:
                both_total, second_total, text_pages = both_total + both, second_total + second, text_pages + pages
            short = truth["document"].removeprefix("d4k_")
            print(f"| {name} | {short} | {pages}{' OCR' if ocr_pages else ''} | {f1:.3f} | {flags.cells} | "
                  f"{flags.flagged} | {flags.flagged_share:.3f} | {flags.wrong} | {flags.wrong_flagged} | "
                  f"{flags.right_flagged} | {both / pages:.3f} | {second / pages:.3f} | {second / both:.2f} |",
                  flush=True)
        if chosen:
            per_page = both_total / max(text_pages, 1)
            print(f"| {name} | **all {len(chosen)}** | {text_pages} text | | {summed.cells} | {summed.flagged} | "
                  f"**{summed.flagged_share:.3f}** | {summed.wrong} | {summed.wrong_flagged} | {summed.right_flagged} | "
                  f"**{per_page:.3f}** | {second_total / max(text_pages, 1):.3f} | "
                  f"{second_total / both_total if both_total else 0:.2f} |")
            print(f"\n{name}: wrong cells flagged {summed.wrong_flagged_share:.3f} "
                  f"({summed.wrong_flagged} of {summed.wrong})\n")
    return 0


if __name__ == "__main__":
    from _history import recorded_output  # same folder: appends the printed table to the run log

    with recorded_output():
        raise SystemExit(main())
