"""Measure candidate detection on ../shared/corpus (not a test: pytest does not collect it).

Default (ceiling): table_pages = fallback_pages = the labelled SoE pages; prints the share of
labelled SoE pages with >= 1 candidate, ms per detected page for pdfplumber and camelot.
--screen: pages chosen by features.screen (the real pipeline); prints whole-protocol ms/page
(page text + screen + detection) and candidate recall.
--camelot-all: also times camelot lattice on the same labelled pages, for comparison.

    nice -n 10 .venv/bin/python tests/unit/core/pdf/measure_candidates.py [--screen] [--camelot-all] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

import soe_desktop.core.pdf.candidates as candidates_module
from soe_desktop.core.pdf import detect
from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.pages import read_pages

REPO = Path(__file__).resolve().parents[4]
CORPUS = Path(os.environ.get("SOE_CORPUS_DIR", REPO / ".." / "shared" / "corpus"))
TIMES = {"pdfplumber": [0.0, 0], "camelot": [0.0, 0], "camelot-all": [0.0, 0]}


CAMELOT_CALLS: list[str] = []


def _timed(name, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = None
        try:
            result = function(*args, **kwargs)
            return result
        finally:
            TIMES[name][0] += time.perf_counter() - start
            TIMES[name][1] += 1
            if name == "camelot":
                CAMELOT_CALLS.append(f"{Path(args[0]).parent.name} p{args[1]}: {len(result or [])} tables")

    return wrapper


def _pages_to_search(pages, soe, use_screen):
    if not use_screen:
        return soe, soe, 0.0
    from soe_desktop.core.pdf.features import screen

    start = time.perf_counter()
    table_pages, fallback_pages = screen(pages)
    return table_pages, fallback_pages, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--screen", action="store_true")
    parser.add_argument("--camelot-all", action="store_true")
    args = parser.parse_args()
    candidates_module.pdfplumber_tables = _timed("pdfplumber", detect.pdfplumber_tables)
    candidates_module.camelot_tables = _timed("camelot", detect.camelot_tables)
    camelot_all = _timed("camelot-all", detect.camelot_tables)
    import camelot  # noqa: F401  (pay camelot's import once, outside the timings)
    folders = sorted(p for p in CORPUS.iterdir() if (p / "labels.json").exists() and args.only in p.name)
    labelled = covered = total_pages = searched = 0
    detectors: Counter = Counter()
    seconds = 0.0
    cpu_start = time.process_time()
    for folder in folders:
        soe = json.loads((folder / "labels.json").read_text())["soa_table_pages"]
        path = folder / "protocol.pdf"
        start = time.perf_counter()
        document, pages = open_document(path), read_pages(path)
        reading = time.perf_counter() - start
        table_pages, fallback_pages, screening = _pages_to_search(pages, soe, args.screen)
        start = time.perf_counter()
        found = candidates_module.find_candidates(path, document, pages, table_pages, fallback_pages)
        detecting = time.perf_counter() - start
        seconds += detecting + (reading + screening if args.screen else 0.0)
        total_pages += document.page_count
        searched += len(set(table_pages) | set(fallback_pages))
        if args.camelot_all:
            for number in soe:
                camelot_all(path, number)
        hit = {c.page for c in found}
        detectors.update(c.detector for c in found)
        labelled += len(soe)
        covered += len(set(soe) & hit)
        print(
            f"{folder.name:38s} pages={document.page_count:3d} soe={len(soe):2d} searched={len(set(table_pages) | set(fallback_pages)):3d} "
            f"candidates={len(found):3d} groups={len({c.group for c in found}):2d} "
            f"ms/page={(detecting + reading + screening) * 1000 / document.page_count:5.1f} missed={sorted(set(soe) - hit)}"
        )
    print(f"candidate recall: {covered}/{labelled} = {covered / max(labelled, 1):.3f} ({'screen' if args.screen else 'ceiling: labelled pages searched'})")
    if args.screen:
        cpu = time.process_time() - cpu_start
        print(f"whole protocols: {total_pages} pages, {searched} searched, {seconds * 1000 / total_pages:.1f} ms/page wall "
              f"(text + screen + detection), {cpu * 1000 / total_pages:.1f} ms/page CPU (process time, all steps)")
    else:
        print(f"find_candidates: {seconds * 1000 / max(labelled, 1):.0f} ms per labelled page (all steps)")
    for name, (total, calls) in TIMES.items():
        if calls:
            print(f"{name}: {calls} pages, {total * 1000 / calls:.0f} ms/page")
    print("candidates by detector:", dict(detectors))
    print("camelot calls:", "; ".join(CAMELOT_CALLS))


if __name__ == "__main__":
    main()
