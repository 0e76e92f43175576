"""Hard-layout benchmark: pages whose text layer lies (issue #22), generated, triaged as shipped.

    nice -n 10 .venv/bin/python benchmarks/hard_layouts.py [--count 24] [--set DIR] [--no-append]

One run:
- writes the synthetic hard-layout set (core/synthetic/hard_layouts.py: stamped pictured pages,
  pictured runs on either side of a table's text page, sideways grids on upright pages, redacted
  bodies; >= 20 protocols with page truth) into a temporary folder, or reads one given with --set;
- triages every protocol with the shipped pipeline, the workflow `soe triage` runs
  (core/app/triage.triage, the settings' analysis options, the heuristic teacher), and, in the
  same run, with plain text-layer reading (`soe triage --no-ocr`): the alternative it is compared to;
- prints page precision / recall / F1 (targets: recall >= 0.98, precision >= 0.97), recall per
  layout, how many of the misread pages (the set's hard pages, by its truth) the auto-accept rule
  would close (target 0; with the rule as it was, confidence alone, beside it), the calibration
  (ECE of the confidence in the verdict) before and after the uncertain-reading rule, and ms/page;
- appends the table to docs/history/BENCHMARKS_LOG.md with date, machine and command.

Run with the code of an older commit on PYTHONPATH and `--set` pointing at a set written by this
code, it scores that code on the same protocols (what is missing there falls back to the old rule).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.app.review import is_reviewed  # noqa: E402
from soe_desktop.core.app.triage import triage  # noqa: E402
from soe_desktop.core.evaluation.corpus import load_corpus  # noqa: E402
from soe_desktop.core.evaluation.metrics import evaluate_labelled, predicted_pages  # noqa: E402
from soe_desktop.core.labeling.heuristic import HeuristicTeacher  # noqa: E402
from soe_desktop.core.labeling.selective_filter import corpus_truth, expected_calibration_error, reliability_bins  # noqa: E402
from soe_desktop.core.pdf.analysis import AnalysisOptions  # noqa: E402
from soe_desktop.core.settings import Settings  # noqa: E402

from publish import publish  # noqa: E402  (same folder)

try:  # the rule and the calibration of issue 22; absent in code from before it (a before/after run)
    from soe_desktop.core.app.review import auto_accepts
    from soe_desktop.core.labeling.uncertain_reading import reading_uncertain, untempered
except ImportError:
    auto_accepts = None

    def reading_uncertain(candidate) -> bool:
        return False

    def untempered(label, threshold: float = 0.5):
        return label

BENCHMARKS_MD = REPO / "docs" / "history" / "BENCHMARKS_LOG.md"  # the run log publish() appends to


def old_rule(label, candidate, threshold: float) -> bool:
    """The auto-accept rule before issue 22: a confident machine label, whatever the page's reading."""
    return 0 < threshold <= 1 and not is_reviewed(label) and label.confidence >= threshold


@dataclass
class ModeRun:
    """One reading mode over the whole set."""

    name: str
    pairs: dict = field(default_factory=dict)  # document name -> [(Candidate, Label)]
    pages: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    ocr_pages: int = 0


def run_mode(name: str, documents, options: AnalysisOptions) -> ModeRun:
    run = ModeRun(name)
    for document in documents:
        started, cpu = time.perf_counter(), time.process_time()
        result = triage(document.pdf_path, HeuristicTeacher(), options=options)
        run.seconds += time.perf_counter() - started
        run.cpu_seconds += time.process_time() - cpu
        run.pages += result.document.page_count
        run.ocr_pages += len(result.analysis.ocr_pages)
        run.pairs[document.name] = list(zip(result.candidates, result.labels))
        print(f"  {name}: {document.name} {result.document.page_count} pages {run.seconds:.0f} s", file=sys.stderr)
    return run


def hard_pages(documents) -> dict[str, dict[int, str]]:
    """Document name -> {page: layout} of the set's misread pages (its truth's `hard_layouts`)."""
    import json

    found = {}
    for document in documents:
        labels = json.loads((document.pdf_path.parent / "labels.json").read_text(encoding="utf-8"))
        found[document.name] = {int(page): kind for page, kind in labels.get("hard_layouts", {}).items()}
    return found


def auto_accepted_pages(run: ModeRun, rule, threshold: float, before: bool = False) -> dict[str, set[int]]:
    """Pages where the rule would accept at least one candidate's label (`before`: the labels as
    the labeler gave them, before the uncertain-reading rule)."""
    pages: dict[str, set[int]] = {}
    for name, pairs in run.pairs.items():
        for candidate, label in pairs:
            if rule(untempered(label) if before else label, candidate, threshold):
                pages.setdefault(name, set()).add(candidate.page)
    return pages


def count_in(pages: dict[str, set[int]], wanted: dict[str, dict[int, str]]) -> int:
    return sum(len(pages.get(name, set()) & set(kinds)) for name, kinds in wanted.items())


def layout_recall(run: ModeRun, documents, hard: dict[str, dict[int, str]]) -> dict[str, tuple[int, int]]:
    """Per layout (and 'plain' for the other SoE pages): (SoE pages found, SoE pages)."""
    out: dict[str, list[int]] = {}
    for document in documents:
        predicted = set(predicted_pages(run.pairs.get(document.name, [])))
        for page in document.soe_pages:
            kind = hard[document.name].get(page, "plain")
            tally = out.setdefault(kind, [0, 0])
            tally[0] += page in predicted
            tally[1] += 1
    return {kind: (found, total) for kind, (found, total) in sorted(out.items())}


def ece(labels, truth) -> str:
    value = expected_calibration_error(reliability_bins(labels, truth))
    return "-" if value is None else f"{value:.3f}"


def calibration(run: ModeRun, documents, hard) -> tuple[str, str]:
    """ECE of every judged label and of those on the hard pages: 'before / after' the rule."""
    labels, truth, on_hard = [], {}, []
    for document in documents:
        pairs = run.pairs.get(document.name, [])
        truth.update(corpus_truth([c for c, _ in pairs], document.soe_pages, document.not_scored_pages))
        labels += [label for _, label in pairs]
        on_hard += [label for c, label in pairs if c.page in hard[document.name]]
    return tuple(f"{ece([untempered(lab) for lab in subset], truth)} / {ece(subset, truth)} ({len(subset)} labels; "
                 f"accuracy {share_correct(subset, truth)}, mean confidence {mean_confidence(subset, truth, untempered)}"
                 f" / {mean_confidence(subset, truth)})"
                 for subset in (labels, on_hard))


def share_correct(labels, truth) -> str:
    judged = [label.is_soe == truth[label.candidate_id] for label in labels if label.candidate_id in truth]
    return f"{sum(judged) / len(judged):.3f}" if judged else "-"


def mean_confidence(labels, truth, view=lambda label: label) -> str:
    judged = [view(label).confidence for label in labels if label.candidate_id in truth]
    return f"{sum(judged) / len(judged):.3f}" if judged else "-"


def flagged(run: ModeRun, hard) -> tuple[int, int]:
    """(hard pages with a candidate flagged reading_uncertain, hard pages with a candidate)."""
    with_candidate, marked = set(), set()
    for name, pairs in run.pairs.items():
        for candidate, _ in pairs:
            if candidate.page in hard[name]:
                with_candidate.add((name, candidate.page))
                if reading_uncertain(candidate):
                    marked.add((name, candidate.page))
    return len(marked), len(with_candidate)


def mode_rows(run: ModeRun, documents, hard, threshold: float) -> dict[str, str]:
    scores = evaluate_labelled(run.pairs, documents)
    pages = scores.pages
    misread = sum(len(kinds) for kinds in hard.values())
    rule = auto_accepts or old_rule
    now = count_in(auto_accepted_pages(run, rule, threshold), hard)
    before = count_in(auto_accepted_pages(run, old_rule, threshold, before=True), hard)
    marked, with_candidate = flagged(run, hard)
    ece_all, ece_hard = calibration(run, documents, hard)
    recall = layout_recall(run, documents, hard)
    return {
        "page precision / recall / F1": f"{pages.precision:.3f} / {pages.recall:.3f} / {pages.f1:.3f} "
                                        f"(TP {pages.tp}, FP {pages.fp}, FN {pages.fn})",
        "protocol recall": f"{pages.protocol_recall:.3f} ({pages.protocols_found}/{pages.protocols_with_soe})",
        "candidate recall": f"{scores.candidates.recall:.3f} ({scores.candidates.found}/{scores.candidates.total})",
        **{f"recall on {kind} SoE pages": f"{found}/{total}" for kind, (found, total) in recall.items()},
        "misread pages with a candidate / flagged reading_uncertain": f"{with_candidate} / {marked} of {misread}",
        f"misread pages auto-accepted (rule at {threshold:.2f}; target 0)": str(now),
        "... with the rule as it was (confidence alone, labels before the calibration)": str(before),
        "ECE before / after calibration, all judged labels (confidence in the verdict)": ece_all,
        "ECE before / after calibration, labels on misread pages": ece_hard,
        "wall / CPU ms per page": f"{1000 * run.seconds / run.pages:.1f} / {1000 * run.cpu_seconds / run.pages:.1f}",
        "pages read by OCR": str(run.ocr_pages),
    }


def table(runs: list[ModeRun], documents, hard, threshold: float) -> str:
    columns = [mode_rows(run, documents, hard, threshold) for run in runs]
    keys = list(dict.fromkeys(key for column in columns for key in column))
    lines = ["| measure | " + " | ".join(run.name for run in runs) + " |", "|---" + "|---" * len(runs) + "|"]
    lines += [f"| {key} | " + " | ".join(column.get(key, "-") for column in columns) + " |" for key in keys]
    shipped, plain = runs
    lines.append(f"| time ratio shipped / text layer only (wall) | {shipped.seconds / max(plain.seconds, 1e-9):.2f}x | |")
    return "\n".join(lines)


def write_set(folder: Path, count: int) -> None:
    from soe_desktop.core.synthetic.hard_layouts import write_hard_layout_set

    write_hard_layout_set(folder, count)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="SoE detection on generated hard layouts (issue 22)")
    parser.add_argument("--count", type=int, default=24, help="protocols to generate (>= 20)")
    parser.add_argument("--set", dest="set_dir", default=None, help="score an existing set instead of writing one")
    parser.add_argument("--keep", default=None, help="write the set here (and keep it) instead of a temporary folder")
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {BENCHMARKS_MD.name}")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    for noisy in ("camelot", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="soe-hard-") as scratch:
        folder = Path(args.set_dir or args.keep or scratch)
        if not args.set_dir:
            started = time.perf_counter()
            write_set(folder, args.count)
            print(f"wrote {args.count} protocols in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        documents = [document for document in load_corpus(folder, include_negatives=False)]
        hard = hard_pages(documents)
        runs = [run_mode("shipped (soe triage)", documents, AnalysisOptions.from_settings(settings)),
                run_mode("text layer only (--no-ocr)", documents, AnalysisOptions.from_settings(settings, ocr=False))]
        text = table(runs, documents, hard, settings.auto_accept_threshold)
        pages = runs[0].pages
    code = "" if auto_accepts else " (code from before issue 22: old auto-accept rule, no calibration)"
    command = "nice -n 10 .venv/bin/python benchmarks/hard_layouts.py " + " ".join(argv if argv is not None else sys.argv[1:])
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = (f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}")
    block = "\n".join([
        f"## Hard layouts: pages whose text layer lies ({when})\n",
        f"- machine: {machine}",
        f"- command: `{command.strip()}`{code}",
        f"- set: {len(documents)} generated protocols, {pages} pages, "
        f"{sum(len(d.soe_pages) for d in documents)} SoE pages, {sum(len(k) for k in hard.values())} of them misread "
        "(stamped pictured, sideways, redacted); targets: recall >= 0.98, precision >= 0.97, 0 misread pages auto-accepted\n",
        text,
    ])
    publish(block, append=not args.no_append, path=BENCHMARKS_MD)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
