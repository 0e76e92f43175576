"""The pages of the dev corpus whose text layer lies: SoE pages with sideways text, pictured pages.

    nice -n 10 .venv/bin/python benchmarks/reading_cases.py [CORPUS_DIR] [--only NAME] [--list]

For every labelled protocol it reads every page as the pipeline does (core/pdf/pages.py: the page's
orientation decision and its ink-coverage test) and counts, over the labelled SoE pages and over
all pages: pages with text turned sideways (/Rotate 0 or not, text running up or down as
displayed), pages pictured (no text layer, or one covering under 25 % of the ink), and how many
of those a plain character count (the old OCR rule: < 120 characters) would have missed. The cost
of the reading is compared, in the same run, with pypdfium2's bare text extraction (its real
alternative, which the pipeline did before). `--list` prints every such page. Skips cleanly when
the corpus is absent. Prints a table with date, machine and command, appended to docs/history/BENCHMARKS_LOG.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.evaluation.corpus import default_corpus_dir, load_corpus  # noqa: E402
from soe_desktop.core.pdf import features  # noqa: E402
from soe_desktop.core.pdf.ingest import open_pdfium  # noqa: E402
from soe_desktop.core.pdf.pages import read_pages  # noqa: E402


def bare_text_seconds(path: Path) -> float:
    """pypdfium2 page text only (what reading cost before the orientation and coverage steps)."""
    start = time.perf_counter()
    pdf = open_pdfium(path)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_bounded()
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return time.perf_counter() - start


def pipeline_seconds(path: Path) -> float:
    """analyse() without OCR: reading, screen, detection on the screened pages, second look."""
    from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse

    start = time.perf_counter()
    analyse(path, options=AnalysisOptions(ocr=False))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=None)
    parser.add_argument("--only", default="", help="documents whose name contains this")
    parser.add_argument("--list", action="store_true", help="print every sideways or pictured page")
    parser.add_argument("--pipeline", action="store_true",
                        help="also time the whole analysis without OCR (analyse, ocr=False) per document")
    args = parser.parse_args()
    corpus = Path(args.corpus) if args.corpus else default_corpus_dir()
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}: skipped")
        return 0
    documents = [d for d in load_corpus(corpus, include_negatives=False) if args.only in d.name]
    totals = dict(pages=0, soe=0, soe_sideways=0, sideways=0, soe_pictured=0, pictured=0,
                  soe_stamped=0, stamped=0, read_s=0.0, bare_s=0.0, pipeline_s=0.0)
    rows = []
    for document in documents:
        bare = bare_text_seconds(document.pdf_path)
        start = time.perf_counter()
        pages = read_pages(document.pdf_path)
        read = time.perf_counter() - start
        totals["read_s"] += read
        totals["bare_s"] += bare
        totals["pages"] += len(pages)
        totals["soe"] += len(document.soe_pages)
        if args.pipeline:
            totals["pipeline_s"] += pipeline_seconds(document.pdf_path)
        for page in pages:
            soe = page.number in document.soe_pages
            pictured = getattr(page, "pictured", not page.has_text_layer)  # older code: no ink test
            stamped = pictured and len(page.text.strip()) >= features.LOW_TEXT_CHARS
            for key, hit in (("sideways", page.direction != 0), ("pictured", pictured), ("stamped", stamped)):
                if hit:
                    totals[key] += 1
                    totals[f"soe_{key}"] += soe
            if args.list and (page.direction or pictured):
                rows.append(f"{document.name} p{page.number} {'SoE' if soe else '-'} /Rotate {page.rotation} "
                            f"direction {page.direction}: {page.reading}")
    print(f"# Reading cases on the dev corpus: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()} {os.cpu_count()} CPUs, `{' '.join(['python', *sys.argv])}`")
    print(f"{len(documents)} labelled protocols, {totals['pages']} pages, {totals['soe']} SoE pages")
    print("| case | SoE pages | all pages |")
    print("|---|---|---|")
    print(f"| sideways text (page direction 90/270) | {totals['soe_sideways']} | {totals['sideways']} |")
    print(f"| pictured (no text layer or text < 25 % of the ink) | {totals['soe_pictured']} | {totals['pictured']} |")
    print(f"| pictured with >= {features.LOW_TEXT_CHARS} characters (a count misses them) | "
          f"{totals['soe_stamped']} | {totals['stamped']} |")
    pages = max(totals["pages"], 1)
    print(f"reading {1000 * totals['read_s'] / pages:.2f} ms/page against bare pypdfium2 text "
          f"{1000 * totals['bare_s'] / pages:.2f} ms/page (x{totals['read_s'] / max(totals['bare_s'], 1e-9):.2f})")
    if args.pipeline:
        print(f"whole analysis without OCR {1000 * totals['pipeline_s'] / pages:.2f} ms/page "
              f"(x{totals['pipeline_s'] / max(totals['bare_s'], 1e-9):.1f} bare pypdfium2 text)")
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    from _history import recorded_output  # same folder: appends the printed table to the run log

    with recorded_output():
        raise SystemExit(main())
