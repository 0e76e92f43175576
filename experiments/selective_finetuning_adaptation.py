"""The adaptation curve: what a user gets from reviewing a few protocols of their own sponsor.

The random and sponsor-out folds compare students with *fold* teachers, whose page model never saw
the test sponsor's neighbours. The teacher users get is the shipped one, fitted on everything the
project has; here it is refitted per sponsor group on every document but that group's (the shipped
teacher's situation on a new sponsor) and labels every document, as it labels a user's library.

For each sponsor group with at least two SoE protocols, and r = 0, 1, 2, 4 of its protocols reviewed
(while at least one is left to score):
  in-group      the r protocols and every other group's are reviewed (their corpus page labels count
                as human labels); the student learns from human + teacher-filtered labels
  cross-sponsor only r random protocols of the other groups are reviewed (the rest of them carry
                teacher labels alone); none of the group is seen
Both are scored, with the teacher, on the group's protocols that were not reviewed, so the two
variants and the teacher are compared on the same pages at each r.

    nice -n 10 .venv/bin/python experiments/selective_finetuning.py --mode adaptation [--human-weight 3]
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import defaultdict
from typing import Callable, Sequence

from benchmarks._history import append_run  # the run log under docs/history/ (REPO is on sys.path)
from selective_finetuning_folds import sponsor_of

REVIEWED_COUNTS = (0, 1, 2, 4)
VARIANTS = ("in-group", "cross-sponsor")
MIN_GROUP_SOE_PROTOCOLS = 2


def adaptation_groups(items) -> dict[str, list]:
    """Sponsor groups with at least two protocols that have an SoE (their other documents go along)."""
    groups: dict[str, list] = defaultdict(list)
    for item in items:
        groups[sponsor_of(item.name)].append(item)
    return {sponsor: members for sponsor, members in sorted(groups.items())
            if sum(item.document.has_soe for item in members) >= MIN_GROUP_SOE_PROTOCOLS}


def label_with_group_out_teacher(items, page_rows, group_names: set[str]) -> None:
    """The shipped-style teacher: one page model fitted on every document outside the group labels
    every document (in-sample on the others, as the shipped one is on the corpus)."""
    from soe_desktop.core.evaluation.page_model_fit import fit
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher

    from selective_finetuning import GROUP_CONSENSUS, _set_screen_logits, _unique_ids

    page_model = fit([row for row in page_rows if row.document.name not in group_names])
    teacher = HeuristicTeacher(page_model=page_model, consensus=GROUP_CONSENSUS)
    for item in items:
        _set_screen_logits(item.candidates, page_model)
        item.teacher = teacher.label(item.candidates) if item.candidates else []
        item.extra_teacher = []
    _unique_ids(items)


def reviewed_sample(members: Sequence, count: int, seed: int) -> list:
    """`count` protocols with an SoE from `members`, the same ones for every variant at one seed."""
    with_soe = sorted((item for item in members if item.document.has_soe), key=lambda item: item.name)
    return random.Random(seed).sample(with_soe, count)


def _labels(train_items, reviewed_names: set[str]) -> list:
    """Teacher labels on every training document, human ones where a document is reviewed."""
    labels = [label for item in train_items for label in item.teacher]
    return labels + [label for item in train_items if item.name in reviewed_names for label in item.human]


def _student_scores(train_items, test, reviewed_names, args, threshold, log):
    import torch

    from soe_desktop.core.training.dataset import build_training_set
    from soe_desktop.core.training.fusion import candidate_logits
    from soe_desktop.core.training.inference import soe_probabilities
    from soe_desktop.core.training.trainer import train

    candidates = [c for item in train_items for c in item.candidates]
    dataset = build_training_set(candidates, _labels(train_items, reviewed_names), "human+teacher-filtered",
                                 threshold)
    result = train(dataset, args)
    log(f"      {result.status}: {len(dataset)} examples, {result.seconds:.0f} s {result.error}")
    if not result.completed:
        return {}, 0.5
    test_candidates = [c for item in test for c in item.candidates]
    logits = candidate_logits(result.model, result.tokenizer, test_candidates, args, torch.device(result.device))
    return dict(zip([c.id for c in test_candidates], soe_probabilities(logits, result.temperature))), result.threshold


def _pages(test, scores: dict[str, float], threshold: float) -> dict:
    """Predicted SoE pages per document, with the student's (or 0.5's) decision threshold."""
    return {item.name: [c.page for c in item.candidates if scores.get(c.id, 0.0) >= threshold] for item in test}


def _one_point(items, members, reviewed, variant, args, threshold, log, seed) -> dict:
    """Train one student for (group, r, variant) and score it and the teacher on the group's rest."""
    from selective_finetuning import consensus_scores, teacher_scores

    group = {item.name for item in members}
    reviewed_names = {item.name for item in reviewed}
    test = [item for item in members if item.name not in reviewed_names]
    others = [item for item in items if item.name not in group]
    if variant == "in-group":
        train_items, human = others + list(reviewed), reviewed_names | {item.name for item in others}
    else:
        pool = sorted((item for item in others if item.document.has_soe), key=lambda item: item.name)
        human = {item.name for item in random.Random(seed).sample(pool, len(reviewed))}
        train_items = others
    scores, student_threshold = _student_scores(train_items, test, human, args, threshold, log)
    return {"test": [item.name for item in test], "reviewed": sorted(reviewed_names if variant == "in-group" else human),
            "student": _pages(test, consensus_scores(test, scores), student_threshold),
            "teacher": _pages(test, teacher_scores(test), 0.5)}


def run_adaptation(items, page_rows, args, threshold: float, log: Callable[[str], None], seed: int = 0,
                   counts: Sequence[int] = REVIEWED_COUNTS) -> dict:
    """Every (group, r, variant) point: predicted pages of student and teacher on the group's rest."""
    points = []
    for sponsor, members in adaptation_groups(items).items():
        label_with_group_out_teacher(items, page_rows, {item.name for item in members})
        soe_protocols = sum(item.document.has_soe for item in members)
        for count in (c for c in counts if c < soe_protocols):
            reviewed = reviewed_sample(members, count, seed)
            for variant in VARIANTS:
                log(f"    {sponsor}: {count} reviewed, {variant}")
                point = _one_point(items, members, reviewed, variant, args, threshold, log, seed)
                points.append({"group": sponsor, "reviewed_count": count, "variant": variant, **point})
    return {"points": points, "seed": seed, "counts": list(counts)}


def score_points(items, outcome: dict) -> list[dict]:
    """Page P/R/F1 (corpus metric) of student and teacher per point, and pooled over the groups per
    (r, variant)."""
    from soe_desktop.core.evaluation.metrics import page_metrics

    documents = {item.name: item.document for item in items}
    rows, pooled = [], defaultdict(lambda: {"student": {}, "teacher": {}, "docs": []})
    for point in outcome["points"]:
        docs = [documents[name] for name in point["test"]]
        row = {key: point[key] for key in ("group", "reviewed_count", "variant")}
        for who in ("student", "teacher"):
            row[who] = page_metrics(point[who], docs).to_dict()
            pooled[(point["reviewed_count"], point["variant"])][who].update(point[who])
        row["documents"] = len(docs)
        pooled[(point["reviewed_count"], point["variant"])]["docs"] += docs
        rows.append(row)
    for (count, variant), data in sorted(pooled.items()):
        row = {"group": "all groups, pooled", "reviewed_count": count, "variant": variant, "documents": len(data["docs"])}
        for who in ("student", "teacher"):
            row[who] = page_metrics(data[who], data["docs"]).to_dict()
        rows.append(row)
    return rows


def adaptation_markdown(rows: list[dict], command: str, seconds: float, args) -> str:
    lines = ["| group | reviewed | variant | documents scored | student page F1 (P / R) | teacher page F1 (P / R) | "
             "student − teacher |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        s, t = row["student"], row["teacher"]
        lines.append(f"| {row['group']} | {row['reviewed_count']} | {row['variant']} | {row['documents']} | "
                     f"{s['f1']:.3f} ({s['precision']:.3f} / {s['recall']:.3f}) | "
                     f"{t['f1']:.3f} ({t['precision']:.3f} / {t['recall']:.3f}) | {s['f1'] - t['f1']:+.3f} |")
    return "\n".join([f"Command: `{command}` ({seconds / 60:.1f} min); student: head {args.head}, "
                      f"{args.epochs} epochs, human_weight {args.human_weight}, seed {args.seed}.", "", *lines])


def adaptation_main(items, page_rows, args, options, log, started: float, argv) -> int:
    """Run, score, print the table and write docs/adaptation_curve[_w<weight>].json."""
    outcome = run_adaptation(items, page_rows, args, options.threshold, log, options.seed)
    rows = score_points(items, outcome)
    command = "nice -n 10 .venv/bin/python experiments/selective_finetuning.py " + " ".join(argv or sys.argv[1:])
    text = adaptation_markdown(rows, command.strip(), time.perf_counter() - started, args)
    suffix = f"_w{args.human_weight:g}" if args.human_weight != 1.0 else ""
    out = options.docs / f"adaptation_curve{suffix}.json"
    out.write_text(json.dumps({"rows": rows, **outcome}, indent=1, default=str) + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {out}")
    append_run("## Adaptation curve (experiments/selective_finetuning.py --mode adaptation)\n\n" + text,
               options.docs / "history" / "EXPERIMENTS_LOG.md")
    return 0
