"""The Markdown section, plots and JSON that experiments/selective_finetuning.py writes under docs/.

Kept apart from the experiment so each file stays short; `markdown` renders the results table,
`write_outputs` writes the plots, the raw JSON and appends the section to docs/history/EXPERIMENTS_LOG.md
(docs/EXPERIMENTS.md keeps the current conclusions, updated by hand from that log).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks._history import append_run  # the run log under docs/history/ (REPO is on sys.path)


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


FOLD_WORDS = {"sponsor": "sponsor-out folds", "random": "random folds by document"}
SPONSOR_OUT = ("Sponsor-out folds never split a sponsor's protocols across training and test (the sponsor in "
               "each folder name; the CDISC pilot renderings and their CRF are Eli Lilly's LZZT study); "
               "product defaults are judged on them.")


def markdown(outcomes: dict, items: list, args, threshold: float, command: str,
             seconds: float, group_consensus: bool = True) -> str:
    """The section: the main table per fold kind, per-fold F1 of sponsor-out folds, the gap, targets."""
    n_candidates = sum(len(item.candidates) for item in items)
    k = len(next(iter(outcomes.values()))["folds"])
    lines = [
        "## Selective fine-tuning on the dev corpus",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {len(items)} documents "
        f"({sum(i.document.has_soe for i in items)} with an SoE), {n_candidates} candidates, "
        f"{k}-fold cross-validation ({' and '.join(FOLD_WORDS[kind] for kind in outcomes)}), "
        f"{seconds / 60:.0f} min on the shared 2-core CPU (no GPU).",
        "",
        "```",
        command,
        "```",
        "",
        _student_words(args, threshold, group_consensus),
    ] + (["", SPONSOR_OUT] if "sponsor" in outcomes else [])
    for kind, outcome in outcomes.items():
        lines += ["", f"**{FOLD_WORDS[kind].capitalize()}** (pooled over the folds; in brackets the per-fold "
                  "page F1 mean ± sd):", ""] + _main_table(outcome["results"])
        lines += _threshold_lines(outcome["results"])
    primary = "sponsor" if "sponsor" in outcomes else next(iter(outcomes))
    lines += _fold_table(outcomes[primary], primary, items)
    if len(outcomes) == 2:
        lines += _gap_table(outcomes)
    lines += _target_lines(outcomes[primary]["results"], primary)
    f = outcomes[primary]["filter"]
    lines += [
        "",
        f"Selective filter on the teacher's labels ({FOLD_WORDS[primary]}, each document labelled by its "
        f"fold's teacher): coverage {f['coverage']:.1%} ({f['kept']} of {f['teacher_labels']} labels kept); "
        f"accuracy against the corpus labels {f['accuracy_kept']:.3f} for the kept labels vs {f['accuracy_all']:.3f} for all.",
        "",
        f"Plots ({FOLD_WORDS[primary]}):",
        "",
        "![Page-level precision-recall](selective_finetuning_pr.png)",
        "![Reliability](selective_finetuning_reliability.png)",
    ]
    return "\n".join(lines) + "\n"


def _student_words(args, threshold: float, group_consensus: bool) -> str:
    if args.head == "features":
        model = (f"head `features` (an MLP {args.head_hidden} over the standardised layout features, no text encoder; "
                 f"lr {args.head_learning_rate or args.learning_rate}{_extras(args)})")
    else:
        model = (f"packaged MiniLM-L6 + LoRA r={args.lora_r} on {'/'.join(args.target_modules)}, head "
                 f"`{args.head}`{_head_words(args)}, lr {args.learning_rate}, max {args.max_tokens} tokens, layout "
                 f"prefix {'on' if args.use_layout_prefix else 'off'}")
    calibration = (f"temperature-calibrated on out-of-fold predictions of {args.calibration_folds} models by document "
                   "(the final model trains on every training document)" if args.calibration_folds > 1 else
                   f"temperature-calibrated on {args.validation_fraction:.0%} of the training documents")
    return (f"Students: the product's training path and TrainingArguments (`soe train` defaults unless the command "
            f"changes them): {model}, {args.epochs} epochs, batch {args.batch_size}, class-balanced loss, "
            f"{calibration}. Selective filter threshold {threshold} with agreement of both representations required "
            "(the heuristic teacher's json vote judges the grid alone, its text vote the page and the words). "
            + ("Every method judges a multi-page table as one: a page's P(SoE) is max(own, the table's mean) "
               "(group consensus)." if group_consensus else "No group consensus (each page judged on its own)."))


def _extras(args) -> str:
    """The non-default switches a run used, in words."""
    words = [("soft teacher targets", args.soft_targets), ("the teacher's votes as inputs", args.use_teacher_votes),
             ("the screen's logit as input", args.use_screen_logit), ("screen offset", args.screen_offset),
             ("teacher offset", args.teacher_offset), ("tuned threshold (human labels)", args.tune_threshold),
             (f"label smoothing {args.label_smoothing}", args.label_smoothing > 0)]
    return "".join(f", {word}" for word, on in words if on)


def _main_table(results: dict) -> list[str]:
    from statistics import mean, pstdev

    lines = ["| method | page P | page R | page F1 (folds mean ± sd) | protocol recall | table P | table R | table F1 "
             "| page AP | table ECE |", "|---|---|---|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        page, table, folds_f1 = r["page"], r["table"], r["fold_page_f1"]
        ap = r["page_average_precision"]
        lines.append(
            f"| {method} | {page['precision']:.3f} | {page['recall']:.3f} | **{page['f1']:.3f}** "
            f"({mean(folds_f1):.3f} ± {pstdev(folds_f1):.3f}) | {page['protocol_recall']:.3f} "
            f"| {table['precision']:.3f} | {table['recall']:.3f} | {table['f1']:.3f} "
            f"| {'-' if ap is None else f'{ap:.3f}'} | {table['ece']:.3f} |")
    return lines


def _fold_table(outcome: dict, kind: str, items: list) -> list[str]:
    """Page F1 of every method on every fold, with each fold's sponsors."""
    from statistics import mean

    from selective_finetuning_folds import fold_sponsors

    folds = outcome["folds"]
    soe = {item.name: item.document.has_soe for item in items}
    lines = ["", f"Page F1 per fold ({FOLD_WORDS[kind]}):", "",
             "| method | " + " | ".join(f"fold {i + 1}" for i in range(len(folds))) + " | mean of folds | pooled |",
             "|---|" + "---|" * (len(folds) + 2)]
    for method, r in outcome["results"].items():
        f1 = r["fold_page_f1"]
        lines.append(f"| {method} | " + " | ".join(f"{x:.3f}" for x in f1) + f" | **{mean(f1):.3f}** | {r['page']['f1']:.3f} |")
    lines.append("")
    for index, fold in enumerate(folds):
        lines.append(f"- fold {index + 1}: {len(fold)} documents ({sum(soe[n] for n in fold)} with an SoE), "
                     f"sponsors {', '.join(fold_sponsors(fold))}")
    return lines


def _gap_table(outcomes: dict) -> list[str]:
    """How much random folds overstate each method against sponsor-out folds, from the same run."""
    from statistics import mean

    lines = ["", "Gap between random folds by document and sponsor-out folds (page F1, same run, same seed; "
             "pooled, and in brackets the mean of folds):", "",
             "| method | random folds | sponsor-out folds | sponsor-out − random |", "|---|---|---|---|"]
    random_results, sponsor_results = outcomes["random"]["results"], outcomes["sponsor"]["results"]
    for method in sponsor_results:
        a, b = random_results[method], sponsor_results[method]
        ma, mb = mean(a["fold_page_f1"]), mean(b["fold_page_f1"])
        lines.append(f"| {method} | {a['page']['f1']:.3f} ({ma:.3f}) | {b['page']['f1']:.3f} ({mb:.3f}) | "
                     f"**{b['page']['f1'] - a['page']['f1']:+.3f}** ({mb - ma:+.3f}) |")
    return lines


def _target_lines(results: dict, kind: str) -> list[str]:
    """The issue's targets, judged on the primary fold kind (mean of folds and pooled)."""
    from statistics import mean

    teacher = results.get("teacher alone")
    if teacher is None:
        return []
    if not any(method in results for method in ("student / teacher-filtered", "student / human+filtered")):
        return []
    lines = ["", f"Targets ({FOLD_WORDS[kind]}; mean of folds / pooled):", ""]
    t_mean, t_pool = mean(teacher["fold_page_f1"]), teacher["page"]["f1"]
    checks = (("student / teacher-filtered", 0.0, 0.0), ("student / human+filtered", 0.01, 0.97))
    for method, margin, floor in checks:
        if method not in results:
            continue
        r = results[method]
        s_mean, s_pool = mean(r["fold_page_f1"]), r["page"]["f1"]
        need = f"≥ teacher + {margin}" + (f" and ≥ {floor}" if floor else "") if margin else "≥ teacher"
        met = all(s >= t + margin and s >= floor for s, t in ((s_mean, t_mean), (s_pool, t_pool)))
        folds = sum(s >= t + margin for s, t in zip(r["fold_page_f1"], teacher["fold_page_f1"]))
        lines.append(f"- {method} {need}: {s_mean:.3f} / {s_pool:.3f} vs teacher {t_mean:.3f} / {t_pool:.3f}: "
                     f"**{'met' if met else 'not met'}** (above the teacher's margin on {folds} of "
                     f"{len(r['fold_page_f1'])} folds)")
    return lines


def _head_words(args) -> str:
    if args.head == "text":
        return " (sequence-classification head over the text)"
    return (f" (mean-pooled embedding ⊕ standardised layout features -> MLP {args.head_hidden}, head lr "
            f"{args.head_learning_rate or args.learning_rate}{_extras(args)})")


def write_outputs(outcomes: dict, text: str, docs_dir: Path) -> None:
    """Plots of the primary fold kind (sponsor-out when run; the titles say which), the raw JSON of
    every fold kind, and this experiment's section appended to the run log history/EXPERIMENTS_LOG.md."""
    import json

    from soe_desktop.core.evaluation.plots import pr_curve_png, reliability_png

    primary = "sponsor" if "sponsor" in outcomes else next(iter(outcomes))
    words = "sponsor-out folds" if primary == "sponsor" else "random folds"
    docs_dir.mkdir(parents=True, exist_ok=True)
    curves = outcomes[primary]["curves"]
    pr_curve_png(curves, docs_dir / "selective_finetuning_pr.png", f"Page-level PR, pooled over {words}")
    reliability_png(curves, docs_dir / "selective_finetuning_reliability.png",
                    title=f"Page-level reliability, pooled over {words}")
    raw = {kind: {k: v for k, v in outcome.items() if k != "curves"} for kind, outcome in outcomes.items()}
    (docs_dir / "selective_finetuning.json").write_text(json.dumps(raw, indent=2, default=str), encoding="utf-8")
    # The log sits one folder below the plots, so its image links climb out of history/.
    append_run(text.replace("](selective_finetuning_", "](../selective_finetuning_"),
               docs_dir / "history" / "EXPERIMENTS_LOG.md")

