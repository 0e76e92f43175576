"""The Markdown section, plots and JSON that experiments/selective_finetuning.py writes under docs/.

Kept apart from the experiment so each file stays short; `markdown` renders the results table,
`write_outputs` writes the plots, the raw JSON and replaces the section in EXPERIMENTS.md.
"""

from __future__ import annotations

import time
from pathlib import Path


def _threshold_lines(results: dict) -> list[str]:
    """Students' tuned decision thresholds per fold and their page F1 against deciding at 0.5."""
    rows = [(method, r) for method, r in results.items()
            if any(run.get("threshold", 0.5) != 0.5 for run in r.get("runs", []))]
    if not rows:  # not tuned (the default): every student decided at 0.5, nothing to compare
        return []
    lines = ["", "Students' decision thresholds (tuned on each fold's validation documents) and the same "
             "scores decided at 0.5:", "",
             "| method | thresholds (folds) | page P / R / F1 tuned | page P / R / F1 at 0.5 |", "|---|---|---|---|"]
    for method, r in rows:
        thresholds = "/".join(f"{run['threshold']:.2f}" for run in r["runs"] if "threshold" in run)
        tuned, half = r["page"], r["at_0.5"]["page"]
        lines.append(f"| {method} | {thresholds} | {tuned['precision']:.3f} / {tuned['recall']:.3f} / "
                     f"**{tuned['f1']:.3f}** | {half['precision']:.3f} / {half['recall']:.3f} / {half['f1']:.3f} |")
    return lines


def markdown(outcome: dict, items: list, folds, args, threshold: float, command: str,
             seconds: float, group_consensus: bool = True) -> str:
    from statistics import mean, pstdev

    n_candidates = sum(len(item.candidates) for item in items)
    lines = [
        "## Selective fine-tuning on the dev corpus",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {len(items)} documents "
        f"({sum(i.document.has_soe for i in items)} with an SoE), {n_candidates} candidates, "
        f"{len(folds)}-fold cross-validation by document, {seconds / 60:.0f} min on the shared 2-core CPU (no GPU).",
        "",
        "```",
        command,
        "```",
        "",
        f"Student: packaged MiniLM-L6 + LoRA r={args.lora_r} on {'/'.join(args.target_modules)}, head "
        f"`{args.head}`{_head_words(args)}, {args.epochs} epochs, batch {args.batch_size}, lr {args.learning_rate}, "
        f"max {args.max_tokens} tokens, "
        f"layout prefix {'on' if args.use_layout_prefix else 'off'}, class-balanced loss, temperature-calibrated on "
        f"{args.validation_fraction:.0%} of the training documents. Selective filter threshold {threshold} "
        "with agreement of both representations required (the heuristic teacher's json vote judges the grid "
        "alone, its text vote the page and the words). "
        + ("Every method judges a multi-page table as one: a page's P(SoE) is max(own, the table's mean) (group consensus)."
           if group_consensus else "No group consensus (each page judged on its own)."),
        "",
        "| method | page P | page R | page F1 (folds mean ± sd) | protocol recall | table P | table R | table F1 "
        "| page AP | table ECE |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for method, r in outcome["results"].items():
        page, table, folds_f1 = r["page"], r["table"], r["fold_page_f1"]
        ap = r["page_average_precision"]
        lines.append(
            f"| {method} | {page['precision']:.3f} | {page['recall']:.3f} | **{page['f1']:.3f}** "
            f"({mean(folds_f1):.3f} ± {pstdev(folds_f1):.3f}) | {page['protocol_recall']:.3f} "
            f"| {table['precision']:.3f} | {table['recall']:.3f} | {table['f1']:.3f} "
            f"| {'-' if ap is None else f'{ap:.3f}'} | {table['ece']:.3f} |")
    lines += _threshold_lines(outcome["results"])
    f = outcome["filter"]
    lines += [
        "",
        f"Selective filter on the teacher's labels (all documents): coverage {f['coverage']:.1%} "
        f"({f['kept']} of {f['teacher_labels']} labels kept); accuracy against the corpus labels "
        f"{f['accuracy_kept']:.3f} for the kept labels vs {f['accuracy_all']:.3f} for all.",
        "",
        "![Page-level precision-recall](selective_finetuning_pr.png)",
        "![Reliability](selective_finetuning_reliability.png)",
    ]
    return "\n".join(lines) + "\n"


def _head_words(args) -> str:
    if args.head == "text":
        return " (sequence-classification head over the text)"
    return (f" (mean-pooled embedding ⊕ standardised layout features -> MLP {args.head_hidden}, head lr "
            f"{args.head_learning_rate or args.learning_rate}, label smoothing {args.label_smoothing}"
            f"{', soft teacher targets' if args.soft_targets else ''})")


def write_outputs(outcome: dict, text: str, docs_dir: Path) -> None:
    import json

    from soe_desktop.core.evaluation.plots import pr_curve_png, reliability_png

    docs_dir.mkdir(parents=True, exist_ok=True)
    pr_curve_png(outcome["curves"], docs_dir / "selective_finetuning_pr.png", "Page-level PR, pooled over folds")
    reliability_png(outcome["curves"], docs_dir / "selective_finetuning_reliability.png",
                    title="Page-level reliability, pooled over folds")
    (docs_dir / "selective_finetuning.json").write_text(
        json.dumps({k: v for k, v in outcome.items() if k != "curves"}, indent=2, default=str), encoding="utf-8")
    _replace_section(docs_dir / "EXPERIMENTS.md", text)


def _replace_section(path: Path, section: str) -> None:
    """Keep the rest of EXPERIMENTS.md; replace this experiment's section (it starts with its heading)."""
    heading = section.splitlines()[0]
    old = path.read_text(encoding="utf-8") if path.exists() else "# Experiments\n\n"
    if heading in old:
        start = old.index(heading)
        end = old.find("\n## ", start + len(heading))
        old = old[:start] + (old[end + 1:] if end != -1 else "")
    path.write_text(old.rstrip() + "\n\n" + section, encoding="utf-8")
