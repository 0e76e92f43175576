"""Detection benchmark on the dev corpus: speed against camelot/pdfplumber, and page quality.

    nice -n 10 .venv/bin/python benchmarks/detect.py [CORPUS_DIR] [--baseline-every 12] [--no-append]

One run measures, on the same machine and in the same minutes:
- our pipeline, per page over ALL pages of every document: read_pages + page features + page
  score + screen + find_candidates + heuristic teacher;
- camelot lattice and pdfplumber `find_tables` run on every page, timed on a uniform sample of
  pages (every Nth page of every document; both on the same pages) because running them on all
  ~3,300 pages takes most of an hour on a shared 2-core box;
- page P/R/F1, protocol recall, candidate recall and table-level figures.
Quality figures are cross-validated: each document is scored by a page model fitted on the other
folds (6-fold, grouped by document), never by the shipped weights, which saw every document.
The table is appended to docs/history/BENCHMARKS_LOG.md with date, machine and command.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.evaluation.corpus import CorpusDocument, default_corpus_dir, load_corpus  # noqa: E402
from soe_desktop.core.evaluation.metrics import evaluate_labelled, predicted_pages  # noqa: E402
from soe_desktop.core.evaluation import page_model_fit  # noqa: E402
from soe_desktop.core.labeling.heuristic import HeuristicTeacher  # noqa: E402
from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse  # noqa: E402
from soe_desktop.core.pdf.ocr import ocr_available  # noqa: E402
from soe_desktop.core.settings import SECOND_LOOK_PAGES  # noqa: E402

from publish import publish  # noqa: E402  (same folder)

BENCHMARKS_MD = REPO / "docs" / "history" / "BENCHMARKS_LOG.md"  # the run log publish() appends to


@dataclass
class DocumentRun:
    document: CorpusDocument
    pages: int
    seconds: float
    cpu_seconds: float
    opened: int
    pairs: list = field(default_factory=list)  # (Candidate, Label)
    page_info: dict = field(default_factory=dict)  # page -> (has_text, landscape)
    ocr_pages: int = 0  # text-less pages read by OCR (the engine is optional)
    ocr_seconds: float = 0.0  # the screen step, which includes OCR of the pictured pages it opens
    second_looked: int = 0  # pages examined beyond the screen (core.pdf.features.second_look)


def run_pipeline(document: CorpusDocument, page_model, ocr: bool = True,
                 second_look: int = SECOND_LOOK_PAGES) -> DocumentRun:
    """The app's own analysis and teacher (core.pdf.analysis.analyse + the heuristic teacher), with
    a fold's page model."""
    started, cpu_started = time.perf_counter(), time.process_time()
    options = AnalysisOptions(ocr=ocr, second_look=second_look, page_model=page_model)
    analysis = analyse(document.pdf_path, options=options)
    labels = HeuristicTeacher(page_model=page_model).label(analysis.candidates)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    info = {page.number: (page.has_text_layer, page.is_landscape) for page in analysis.pages}
    return DocumentRun(document, len(analysis.pages), seconds, cpu_seconds, len(analysis.opened),
                       list(zip(analysis.candidates, labels)), info, len(analysis.ocr_pages),
                       analysis.seconds.get("screen", 0.0), len(analysis.second_looked))


def sample_pages(page_count: int, every: int) -> list[int]:
    """Every `every`-th page, starting mid-way through the first stride (1-based)."""
    return list(range(1 + every // 2, page_count + 1, every)) or [1]


def time_camelot(path: Path, pages: list[int]) -> tuple[float, float]:
    """(wall, CPU) seconds of camelot lattice on `pages`, one call per page as a user would."""
    import camelot

    started, cpu_started = time.perf_counter(), time.process_time()
    for number in pages:
        try:
            camelot.read_pdf(str(path), pages=str(number), flavor="lattice")
        except Exception as error:  # a page camelot cannot parse still cost its time
            logging.debug("camelot failed on %s p%d: %s", path.name, number, error)
    return time.perf_counter() - started, time.process_time() - cpu_started


def time_pdfplumber(path: Path, pages: list[int]) -> tuple[float, float]:
    """(wall, CPU) seconds of pdfplumber find_tables on `pages` (file opened once)."""
    import pdfplumber

    started, cpu_started = time.perf_counter(), time.process_time()
    with pdfplumber.open(str(path)) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            page.find_tables()
            page.close()
    return time.perf_counter() - started, time.process_time() - cpu_started


def missed_by_class(runs: list[DocumentRun]) -> list[str]:
    """Each missed SoE page with why it is hard: text layer, orientation, which detector saw it."""
    lines = []
    for run in runs:
        predicted = predicted_pages(run.pairs)
        detectors = {}
        for candidate, _ in run.pairs:
            detectors.setdefault(candidate.page, set()).add(candidate.detector)
        for page in sorted(run.document.soe_pages - predicted):
            has_text, landscape = run.page_info.get(page, (False, False))
            kind = ("no text layer" if not has_text else "text") + (", landscape" if landscape else ", portrait")
            seen = "/".join(sorted(detectors.get(page, ()))) or "no candidate"
            lines.append(f"{run.document.name} p{page}: {kind}; {seen}")
    return lines


def markdown_table(rows: list[tuple[str, str]]) -> str:
    out = ["| measure | value |", "|---|---|"]
    out += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="SoE detection benchmark on the dev corpus")
    parser.add_argument("corpus", nargs="?", default=str(default_corpus_dir()))
    parser.add_argument("--baseline-every", type=int, default=12, help="time the baselines on every Nth page")
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {BENCHMARKS_MD.name}")
    parser.add_argument("--no-ocr", action="store_true", help="leave pages without a text layer unread (as before OCR)")
    parser.add_argument("--second-look", type=int, default=SECOND_LOOK_PAGES,
                        help="pages per document examined beyond the screen (the app's setting; 0 = as before)")
    args = parser.parse_args(argv)
    corpus_dir = Path(args.corpus)
    if not (corpus_dir.is_dir() and any(corpus_dir.iterdir())):
        print(f"skipped: no corpus at {corpus_dir} (set SOE_CORPUS_DIR or pass the directory)")
        return 0
    warnings.filterwarnings("ignore")
    for noisy in ("camelot", "pdfminer"):  # font warnings from every page would bury the table
        logging.getLogger(noisy).setLevel(logging.ERROR)
    corpus = load_corpus(corpus_dir)
    print(f"{len(corpus)} documents; fitting {args.folds} fold page models (not timed)...", file=sys.stderr)
    models = page_model_fit.fold_models(page_model_fit.extract(corpus), args.folds)  # text layer only, as shipped

    runs = []
    for document in corpus:
        runs.append(run_pipeline(document, models[document.name], ocr=not args.no_ocr, second_look=args.second_look))
        print(f"  {document.name}: {runs[-1].pages} pages, {runs[-1].seconds:.1f} s", file=sys.stderr)
    total_pages = sum(run.pages for run in runs)
    ours = (1000 * sum(run.seconds for run in runs) / total_pages, 1000 * sum(run.cpu_seconds for run in runs) / total_pages)

    camelot, plumber = [0.0, 0.0], [0.0, 0.0]
    sampled = 0
    for run in runs:
        pages = sample_pages(run.pages, args.baseline_every)
        sampled += len(pages)
        for totals, timer in ((camelot, time_camelot), (plumber, time_pdfplumber)):
            wall, cpu = timer(run.document.pdf_path, pages)
            totals[0] += wall
            totals[1] += cpu
    camelot_ms = (1000 * camelot[0] / sampled, 1000 * camelot[1] / sampled)
    plumber_ms = (1000 * plumber[0] / sampled, 1000 * plumber[1] / sampled)

    evaluation = evaluate_labelled({run.document.name: run.pairs for run in runs}, corpus)
    pages_m, cands, tables = evaluation.pages, evaluation.candidates, evaluation.tables
    opened = sum(run.opened for run in runs)
    rows = [
        ("documents / pages", f"{len(corpus)} / {total_pages} (incl. {sum(not d.labelled for d in corpus)} all-negative PDFs)"),
        ("ours, whole pipeline, all pages (wall / CPU)", f"{ours[0]:.1f} / {ours[1]:.1f} ms/page"),
        ("of which the page screen, incl. OCR of pages without a text layer (wall)",
         f"{sum(r.ocr_seconds for r in runs):.1f} s for {sum(r.ocr_pages for r in runs)} pages"
         + ("" if ocr_available() and not args.no_ocr else " (OCR off or not installed)")),
        ("pages opened by the screen", f"{opened} ({100 * opened / total_pages:.1f} %)"),
        ("pages given a second look (training look-alikes)", str(sum(run.second_looked for run in runs))),
        (f"camelot lattice, every page (wall / CPU; sample: {sampled} pages, every {args.baseline_every}th)",
         f"{camelot_ms[0]:.1f} / {camelot_ms[1]:.1f} ms/page"),
        (f"pdfplumber find_tables, every page (wall / CPU; same {sampled} pages)",
         f"{plumber_ms[0]:.1f} / {plumber_ms[1]:.1f} ms/page"),
        ("speed-up vs camelot lattice (wall / CPU)", f"{camelot_ms[0] / ours[0]:.1f}x / {camelot_ms[1] / ours[1]:.1f}x"),
        ("speed-up vs pdfplumber find_tables (wall / CPU)", f"{plumber_ms[0] / ours[0]:.1f}x / {plumber_ms[1] / ours[1]:.1f}x"),
        ("page precision / recall / F1 (micro, CV by document)",
         f"{pages_m.precision:.3f} / {pages_m.recall:.3f} / {pages_m.f1:.3f} (TP {pages_m.tp}, FP {pages_m.fp}, FN {pages_m.fn})"),
        ("protocol recall", f"{pages_m.protocol_recall:.3f} ({pages_m.protocols_found}/{pages_m.protocols_with_soe})"),
        ("candidate recall", f"{cands.recall:.3f} ({cands.found}/{cands.total})"),
        ("table-level precision / recall / F1", f"{tables.precision:.3f} / {tables.recall:.3f} / {tables.f1:.3f}"),
        ("teacher json/text agreement", f"{tables.agreement:.3f}"),
    ]
    table = markdown_table(rows)
    missed = missed_by_class(runs)
    false = [f"{row.name} p{page}" + (" (hard negative)" if page in row.hard_negative_false_pages else "")
             for row in pages_m.rows for page in row.false_pages]
    print(table)
    print("\nmissed SoE pages:\n  " + "\n  ".join(missed or ["none"]))
    print("false SoE pages:\n  " + "\n  ".join(false or ["none"]))
    print("candidate recall misses: " + (", ".join(f"{n} p{p}" for n, p in cands.missed) or "none"))
    if not args.no_append:
        append_markdown(table, missed, false, argv)
    return 0


def append_markdown(table: str, missed: list[str], false: list[str], argv) -> None:
    command = "nice -n 10 .venv/bin/python benchmarks/detect.py " + " ".join(argv if argv is not None else sys.argv[1:])
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    block = [
        f"\n## Detection benchmark ({when})\n",
        f"- machine: {machine}",
        f"- command: `{command.strip()}`",
        "- quality figures: 6-fold cross-validation grouped by document (page model fitted without the document)\n",
        table,
        "\nMissed SoE pages: " + ("; ".join(missed) or "none"),
        "\nFalse SoE pages: " + ("; ".join(false) or "none") + "\n",
    ]
    publish("\n".join(block), path=BENCHMARKS_MD)
    print(f"appended to {BENCHMARKS_MD}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
