"""Grid benchmark: the extractor on corpus protocols with a transcribed printed grid, in two sets.

    nice -n 10 .venv/bin/python benchmarks/grid.py [CORPUS_DIR] [--set tuning|validation|both]
        [--only FOLDER ...] [--no-pictured] [--no-append] [--losses /tmp/team/grid_losses.md]

Two sets of truths, reported apart (a summary table with one row per set, then one per-grid table
per set), since a figure on grids the rules were developed on says little about unseen ones:
- tuning: benchmarks/grid_truth/*.json, the five grids with USDM ground truth the extractor was
  developed on;
- validation: benchmarks/grid_truth/validation/*.json, grids of other protocols and sponsors,
  transcribed by hand for layouts the tuning set lacks, that nobody tunes on (README.md there).

For each truth file (one per corpus folder), in one run:
- candidates: the app's table finder (`core.pdf.candidates.find_candidates`) on the truth's pages
  (not timed), all passed to `core.grid.extract_grid` as one table: the truth's pages are the group;
- the extractor, timed per grid page (text layer), scored with `core.evaluation.grid_metrics`
  against the corrected transcription and, for information, against the raw USDM JSON timeline
  (tuning set only: the validation protocols have no USDM ground truth); an extractor that raises
  on a grid scores it as an empty grid and the error is printed, so one grid cannot hide the rest;
- the alternative: plain pdfplumber `extract_tables` per page (largest table, first row = column
  labels, first column = activity, other non-empty cells = marks, pages concatenated, columns
  shared only when their label text is identical: no stitching, header or footnote handling);
- pictured copies (unless --no-pictured): the same pages rasterised at 200 dpi into an image-only
  PDF, read by the extractor through OCR, timed per OCR page and scored against the same truth.
Prints the tables, appends them to docs/BENCHMARKS.md (date, machine, command; not with
--no-append) and writes what the extractor loses (rows, columns, cells) to --losses. Without the
corpus (../shared/corpus) it prints a line and exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pdfplumber
import pypdfium2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "grid_truth"))

from soe_desktop.core.evaluation.corpus import default_corpus_dir  # noqa: E402
from soe_desktop.core.evaluation.grid_metrics import GridScores, is_mark, score_grid, total  # noqa: E402
from soe_desktop.core.grid import extract_grid  # noqa: E402
from soe_desktop.core.pdf.candidates import find_candidates  # noqa: E402
from soe_desktop.core.pdf.ingest import open_document  # noqa: E402
from soe_desktop.core.pdf.pages import read_pages  # noqa: E402

from publish import publish  # noqa: E402  (same folder)
from seed import ground_truth_files, usdm_grid  # noqa: E402  (grid_truth/)

TRUTH_DIR = REPO / "benchmarks" / "grid_truth"
SETS = {"tuning": TRUTH_DIR, "validation": TRUTH_DIR / "validation"}
PICTURE_DPI = 200


def load_truths(name: str) -> list[dict]:
    """The truth files of one set (a folder's *.json, sorted by name)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SETS[name].glob("*.json"))]


def run_extractor(pdf: Path, pages: list[int]) -> tuple[dict, float, list[int]]:
    """(grid JSON, extraction seconds, OCR'd pages): candidates found as the app finds them."""
    document = open_document(pdf)
    texts = read_pages(pdf)
    candidates = [c for c in find_candidates(pdf, document, texts, pages, pages) if c.page in pages]
    started = time.perf_counter()
    grid = extract_grid(pdf, candidates, ocr=True)
    seconds = time.perf_counter() - started
    return grid.to_json(), seconds, list(getattr(grid, "ocr_pages", []))


def guarded_extractor(pdf: Path, pages: list[int]) -> tuple[dict, float, list[int], str]:
    """run_extractor, with an exception turned into an empty grid and its message (a benchmark
    must show the failing grid, not stop at it)."""
    started = time.perf_counter()
    try:
        predicted, seconds, ocr_pages = run_extractor(pdf, pages)
        return predicted, seconds, ocr_pages, ""
    except Exception as error:  # noqa: BLE001 - any extractor failure is a result to report
        return {"columns": [], "rows": []}, time.perf_counter() - started, [], f"{type(error).__name__}: {error}"


def plumber_grid(pdf: Path, pages: list[int]) -> tuple[dict, float]:
    """The alternative: plain pdfplumber cell reading, page by page, concatenated."""
    started = time.perf_counter()
    columns, by_label, rows = [], {}, []
    with pdfplumber.open(pdf) as document:
        for number in pages:
            tables = document.pages[number - 1].extract_tables()
            if not tables:
                continue
            table = max(tables, key=lambda t: len(t) * max(len(r) for r in t))
            ids = []
            for j, cell in enumerate(table[0][1:]):
                label = " ".join((cell or "").split())
                key = label or f"(blank {number}.{j})"
                if key not in by_label:
                    by_label[key] = f"c{len(columns) + 1}"
                    columns.append({"id": by_label[key], "label": label})
                ids.append(by_label[key])
            for line in table[1:]:
                name = " ".join((line[0] or "").split())
                marks = {ids[j]: " ".join(v.split()) for j, v in enumerate(line[1:len(ids) + 1]) if v and v.strip()}
                if name or marks:
                    rows.append({"activity": name, "marks": marks})
    return {"columns": columns, "rows": rows}, time.perf_counter() - started


def pictured_copy(pdf: Path, pages: list[int], folder: Path) -> Path:
    """An image-only PDF of `pages` (no text layer), so the extractor must OCR every page."""
    document = pypdfium2.PdfDocument(str(pdf))
    images = [document[n - 1].render(scale=PICTURE_DPI / 72).to_pil().convert("RGB") for n in pages]
    document.close()
    target = folder / f"{pdf.parent.name}_pictured.pdf"
    images[0].save(target, save_all=True, append_images=images[1:], resolution=PICTURE_DPI)
    return target


def fmt(value: float) -> str:
    return f"{value:.3f}"


def score_cells(s: GridScores) -> str:
    return f"{fmt(s.cell_precision)} / {fmt(s.cell_recall)} / **{fmt(s.cell_f1)}**"


def result_row(name: str, pages: str, s: GridScores, seconds: str, extra: list[str]) -> str:
    refs = f"{fmt(s.ref_precision)} / {fmt(s.ref_recall)}" if s.ref_tp + s.ref_fn + s.ref_fp else "–"
    cells = [name, pages, f"{fmt(s.activity_precision)} / {fmt(s.activity_recall)} / {fmt(s.activity_f1)}",
             f"{fmt(s.column_precision)} / {fmt(s.column_recall)}", score_cells(s), refs, seconds, *extra]
    return "| " + " | ".join(cells) + " |"


def losses(name: str, predicted: dict, truth: dict, limit: int = 25) -> list[str]:
    """What the extractor lost on one grid, for the grid engineer."""
    match = score_grid(predicted, truth)
    t_rows, p_rows = truth["rows"], predicted.get("rows", [])
    t_cols, p_cols = truth["columns"], predicted.get("columns", [])
    out = [f"\n## {name} (pages {truth['pages']})\n", f"scores: {json.dumps(match.scores.to_dict())}\n"]
    missed_rows = [r["activity"] for j, r in enumerate(t_rows) if j not in match.rows.values()]
    extra_rows = [r.get("activity", "") for i, r in enumerate(p_rows) if i not in match.rows]
    missed_cols = [c["label"] for j, c in enumerate(t_cols) if j not in match.columns.values()]
    extra_cols = [c.get("label", "") for i, c in enumerate(p_cols) if i not in match.columns]
    out += [f"- truth activities not matched ({len(missed_rows)}): {missed_rows[:limit]}",
            f"- predicted rows matching no truth activity ({len(extra_rows)}): {extra_rows[:limit]}",
            f"- truth columns not aligned ({len(missed_cols)}): {missed_cols[:limit]}",
            f"- predicted columns aligned to nothing ({len(extra_cols)}): {extra_cols[:limit]}"]
    p_index = {c.get("id"): i for i, c in enumerate(p_cols)}
    t_ids = [c["id"] for c in t_cols]
    wrong = []
    for i, j in match.rows.items():
        p_marks = {match.columns[p_index[cid]]: v for cid, v in (p_rows[i].get("marks") or {}).items()
                   if p_index.get(cid) in match.columns and is_mark(v)}
        t_marks = {k: v for k, v in t_rows[j]["marks"].items() if is_mark(v)}
        for k in sorted(set(p_marks) | {t_ids.index(c) for c in t_marks}):
            truth_value, got = t_marks.get(t_ids[k]), p_marks.get(k)
            if (truth_value is None) != (got is None):
                wrong.append(f"  - {t_rows[j]['activity']!r} x {t_cols[k]['label']!r} (p{t_rows[j]['pages']}): "
                             f"printed {truth_value!r}, extracted {got!r}")
    out.append(f"- cell disagreements in matched rows and columns ({len(wrong)}):")
    out += wrong[:limit] + ([f"  - ... {len(wrong) - limit} more"] if len(wrong) > limit else [])
    return out


class SetResult:
    """Scores and times of one set of truths, summed over its grids."""

    def __init__(self, name: str):
        self.name = name
        self.ours, self.raw, self.plain, self.pictured = [], [], [], []
        self.text_time, self.ocr_time, self.plain_time = [0.0, 0], [0.0, 0], [0.0, 0]
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.pages = 0


def run_set(name: str, truths: list[dict], corpus: Path, scratch: Path, pictured: bool,
            loss_lines: list[str]) -> SetResult:
    result = SetResult(name)
    for truth in truths:
        folder, pages = truth["document"], truth["pages"]
        pdf = corpus / folder / "protocol.pdf"
        predicted, seconds, ocr_pages, error = guarded_extractor(pdf, pages)
        result.ours.append(score_grid(predicted, truth).scores)
        usdm = corpus / folder / "gt_usdm"
        raw = score_grid(predicted, usdm_grid(ground_truth_files(corpus / folder)[0])).scores if usdm.is_dir() else None
        if raw is not None:
            result.raw.append(raw)
        baseline, baseline_seconds = plumber_grid(pdf, pages)
        result.plain.append(score_grid(baseline, truth).scores)
        timer = result.ocr_time if ocr_pages else result.text_time
        timer[0] += seconds
        timer[1] += len(pages)
        result.plain_time[0] += baseline_seconds
        result.plain_time[1] += len(pages)
        result.pages += len(pages)
        extra = [fmt(raw.cell_f1) if raw is not None else "–", fmt(result.plain[-1].cell_f1)]
        short = folder.removeprefix("d4k_")
        if pictured:
            copy = pictured_copy(pdf, pages, scratch)
            picture, picture_seconds, _, picture_error = guarded_extractor(copy, list(range(1, len(pages) + 1)))
            result.pictured.append(score_grid(picture, truth).scores)
            result.ocr_time[0] += picture_seconds
            result.ocr_time[1] += len(pages)
            extra += [fmt(result.pictured[-1].cell_f1), f"{picture_seconds / len(pages):.2f}"]
            loss_lines += losses(f"{short}, pictured copy read by OCR", picture, truth)
            if picture_error:
                result.errors.append(f"{short} (pictured copy): {picture_error}")
        if error:
            result.errors.append(f"{short}: {error}")
        page_note = f"{len(pages)}{' OCR' if ocr_pages else ''}"
        result.lines.append(result_row(short, page_note, result.ours[-1], f"{seconds / len(pages):.2f}", extra))
        loss_lines += losses(short, predicted, truth)
        print(f"  [{name}] {short}: cell F1 {result.ours[-1].cell_f1:.3f} ({seconds:.1f} s)"
              + (f" ERROR {error}" if error else ""), file=sys.stderr)
    overall = total(result.ours)
    extra = [fmt(total(result.raw).cell_f1) if result.raw else "–", fmt(total(result.plain).cell_f1)]
    if pictured:
        extra += [fmt(total(result.pictured).cell_f1), f"{result.ocr_time[0] / max(result.ocr_time[1], 1):.2f}"]
    result.lines.append(result_row(f"**all {len(truths)} (micro)**", str(result.pages), overall,
                                   f"{result.text_time[0] / max(result.text_time[1], 1):.2f}", extra))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(default_corpus_dir()))
    parser.add_argument("--set", choices=("tuning", "validation", "both"), default="both",
                        help="which truths to score (default both, reported apart)")
    parser.add_argument("--only", nargs="*", default=[], help="score only these corpus folders")
    parser.add_argument("--no-pictured", action="store_true", help="skip the OCR runs on image-only copies")
    parser.add_argument("--no-append", action="store_true", help="do not append to docs/BENCHMARKS.md")
    parser.add_argument("--losses", default="", help="write the extractor's losses (markdown) to this file")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    names = ["tuning", "validation"] if args.set == "both" else [args.set]
    chosen = {name: [t for t in load_truths(name) if (corpus / t["document"] / "protocol.pdf").is_file()
                     and (not args.only or t["document"] in args.only)] for name in names}
    if not any(chosen.values()):
        print(f"skipped: no corpus with the grid-truth protocols at {corpus}")
        return 0
    warnings.filterwarnings("ignore")
    for noisy in ("camelot", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    loss_lines = ["# Grid extractor losses on the corrected truth (benchmarks/grid.py)"]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            if chosen[name]:
                loss_lines.append(f"\n# {name} set\n")
                results.append(run_set(name, chosen[name], corpus, Path(scratch), not args.no_pictured, loss_lines))
    report = build_report(results, not args.no_pictured, argv)
    print(report)
    if args.losses:
        Path(args.losses).write_text("\n".join(loss_lines) + "\n", encoding="utf-8")
        print(f"losses written to {args.losses}", file=sys.stderr)
    if not args.no_append:
        publish(report, append=True)
    return 0


TITLES = {"tuning": "tuning set (the grids the extractor was developed on)",
          "validation": "validation set (not tuned on)"}


def build_report(results: list[SetResult], pictured: bool, argv) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = (f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}")
    command = "nice -n 10 .venv/bin/python benchmarks/grid.py " + " ".join(argv if argv is not None else sys.argv[1:])
    header = ("| protocol | pages | activity P / R / F1 | column P / R | cell P / R / **F1** | ref P / R | s / page "
              "| cell F1 vs raw USDM | pdfplumber cell F1" + (" | pictured (OCR) cell F1 | s / OCR page" if pictured else "")
              + " |")
    rule = "|" + "|".join(["---"] * (header.count("|") - 1)) + "|"
    summary = ["| set | grids | pages | activity F1 | column recall | cell P / R / **F1** | lowest grid cell F1 "
               "| s / text page | pdfplumber cell F1 (ratio)" + (" | pictured (OCR) cell F1" if pictured else "") + " |"]
    summary.append("|" + "|".join(["---"] * (summary[0].count("|") - 1)) + "|")
    sections, targets = [], []
    for result in results:
        overall, plain = total(result.ours), total(result.plain)
        ratio = overall.cell_f1 / plain.cell_f1 if plain.cell_f1 else float("inf")
        lowest = min(result.ours, key=lambda s: s.cell_f1).cell_f1
        row = [TITLES[result.name].split(" (")[0], str(len(result.ours)), str(result.pages), fmt(overall.activity_f1),
               fmt(overall.column_recall), score_cells(overall), fmt(lowest),
               f"{result.text_time[0] / max(result.text_time[1], 1):.2f}", f"{fmt(plain.cell_f1)} ({ratio:.2f})"]
        if pictured:
            row.append(fmt(total(result.pictured).cell_f1))
        summary.append("| " + " | ".join(row) + " |")
        sections += [f"\n### {TITLES[result.name]}\n", header, rule, *result.lines]
        if result.errors:
            sections += ["", "extractor errors (scored as empty grids):", *[f"- {e}" for e in result.errors]]
        ocr_line = (f"{result.ocr_time[0] / result.ocr_time[1]:.2f} s per OCR page ({result.ocr_time[1]} pages)"
                    if result.ocr_time[1] else "no OCR page measured")
        targets.append(
            f"- {result.name}: cell-mark F1 **{overall.cell_f1:.3f}** (lowest grid {lowest:.3f}); activity F1 "
            f"{overall.activity_f1:.3f}; column recall {overall.column_recall:.3f}; "
            f"{result.text_time[0] / max(result.text_time[1], 1):.2f} s per text page, {ocr_line}; "
            f"plain pdfplumber cells {plain.cell_f1:.3f} (ratio {ratio:.2f}, "
            f"{result.plain_time[0] / max(result.plain_time[1], 1):.2f} s per page)")
    return "\n".join([
        f"\n## Grid extraction ({when})\n",
        f"- machine: {machine}",
        f"- command: `{command.strip()}`",
        "- truth: benchmarks/grid_truth/ (tuning set: printed grids corrected from the USDM ground truth) and "
        "benchmarks/grid_truth/validation/ (validation set: grids of other protocols transcribed by hand, not "
        "tuned on); 'vs raw USDM' scores the same output against the USDM JSON main timeline, for information "
        "(tuning set only; its columns are modelled timeline nodes, not the printed headers)",
        "- seconds: `extract_grid` only (candidates found first, not timed); micro sums over each set's grids",
        "- targets: cell-mark F1 ≥ 0.95 overall and none below 0.85 on the validation set; 1.000 on the tuning set; "
        "≤ 1 s per text page\n",
        *summary, *sections, "", *targets,
    ])


if __name__ == "__main__":
    sys.exit(main())
