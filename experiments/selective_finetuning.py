"""The paper's experiment on the real corpus: does selective filtering of teacher labels help the student?

k-fold cross-validation over `../shared/corpus` (labelled protocols plus the all-negative folders),
with sponsor-out folds (a sponsor's protocols are never split across training and test; product
defaults are chosen on these), random folds by document, or both in one run with the gap between
them (selective_finetuning_folds.py). Per fold, on the held-out documents:
  teacher alone          the heuristic teacher's own labels (page model refitted on the training folds)
  classical baseline     scikit-learn gradient boosting on the candidates' layout features, human labels
  student / teacher-all       LoRA student on every teacher label
  student / teacher-filtered  ... on teacher labels kept by the selective filter (the paper's method)
  student / human             ... on the corpus' page labels (treated as human labels)
  student / human+filtered    ... human labels on half the training documents, filtered teacher on the rest
Page and table P/R/F1 (pooled, and per fold), protocol recall, average precision, and the filter's
coverage are appended to docs/history/EXPERIMENTS_LOG.md; the PR-curve and reliability plots go to docs/.

    nice -n 10 .venv/bin/python experiments/selective_finetuning.py [--folds both|sponsor|random] [-k 3] [--seed 0]

Students are trained by the product's own path (dataset.build_training_set, trainer.train) with the
product's TrainingArguments defaults, what `soe train` uses; a flag such as `--epochs 4` or
`--teacher-offset/--no-teacher-offset` changes one field for a comparison and is printed in the command.

Candidates are cached per document under /tmp (the pipeline is the slow, deterministic part).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from soe_desktop.core.evaluation.corpus import CorpusDocument, default_corpus_dir, load_corpus  # noqa: E402
from soe_desktop.core.evaluation.metrics import page_metrics  # noqa: E402
from soe_desktop.core.evaluation.report import confusion, scored_report  # noqa: E402
from soe_desktop.core.labeling.groups import group_consensus  # noqa: E402
from soe_desktop.core.model import Candidate, Label  # noqa: E402
from soe_desktop.core.training.features import layout_feature_names, with_table_cues  # noqa: E402

from selective_finetuning_data import (cached_candidates, cached_near_misses, cached_page_rows,  # noqa: E402
                                      filter_quality, human_labels)
from selective_finetuning_folds import make_folds  # noqa: E402
from selective_finetuning_report import markdown, write_outputs  # noqa: E402  (same folder)

GROUP_CONSENSUS = True  # --no-group-consensus: judge every page of a multi-page table on its own
METHODS = ("teacher alone", "classical (GBM, human)", "student / teacher-all", "student / teacher-filtered",
           "student / human", "student / human+filtered")
STUDENT_SOURCES = {"student / teacher-all": "teacher-all", "student / teacher-filtered": "teacher-filtered",
                   "student / human": "human", "student / human+filtered": "human+teacher-filtered"}


@dataclass
class CorpusItem:
    """One corpus document with its candidates, teacher labels and human (corpus) labels."""

    document: CorpusDocument
    candidates: list[Candidate]
    teacher: list[Label] = field(default_factory=list)
    human: list[Label] = field(default_factory=list)
    # --near-misses: tables of the pages the screen came closest to opening; training only, never scored
    extra: list[Candidate] = field(default_factory=list)
    extra_teacher: list[Label] = field(default_factory=list)
    extra_human: list[Label] = field(default_factory=list)

    @property
    def training_candidates(self) -> list[Candidate]:
        return self.candidates + self.extra

    @property
    def training_teacher(self) -> list[Label]:
        return self.teacher + self.extra_teacher

    @property
    def training_human(self) -> list[Label]:
        return self.human + self.extra_human

    @property
    def name(self) -> str:
        return self.document.name


# --- data --------------------------------------------------------------------------------------


def load_items(corpus_dir: Path, log, near_misses: int = 0) -> tuple[list[CorpusItem], list]:
    items, page_rows = [], []
    for document in load_corpus(corpus_dir):
        started = time.perf_counter()
        candidates = with_table_cues(cached_candidates(document))  # as the students see them (and the GBM)
        page_rows.append(cached_page_rows(document))
        items.append(CorpusItem(document, candidates, [], human_labels(document, candidates)))
        if near_misses:
            items[-1].extra = cached_near_misses(document, page_rows[-1], near_misses)
            items[-1].extra_human = human_labels(document, items[-1].extra)
        log(f"  {document.name}: {len(candidates)} candidates ({time.perf_counter() - started:.1f} s)")
    return items, page_rows


def relabel_with_fold_teacher(items: list[CorpusItem], page_rows: list, train_names: set[str]) -> None:
    """Teacher labels that never saw the labels of the document they label.

    The shipped page model was fitted on this whole corpus, so it is refitted here: test documents
    are labelled by a model fitted on the training documents, and each training document by a model
    fitted on the other training documents (inner 5-fold), as a real teacher labels unseen protocols.
    """
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher
    from soe_desktop.core.evaluation.page_model_fit import fit, fold_models

    train_rows = [row for row in page_rows if row.document.name in train_names]
    outer = fit(train_rows)
    inner = fold_models(train_rows, folds=5)
    for item in items:
        page_model = inner.get(item.name, outer)
        _set_screen_logits(item.candidates, page_model)
        teacher = HeuristicTeacher(page_model=page_model, consensus=GROUP_CONSENSUS)
        item.teacher = teacher.label(item.candidates) if item.candidates else []
        _set_screen_logits(item.extra, page_model)
        item.extra_teacher = teacher.label(item.extra) if item.extra else []
    _unique_ids(items)


def _set_screen_logits(candidates: list[Candidate], page_model) -> None:
    """The screen's logit the students and the GBM see, from the same fold model as the teacher's prior
    (the pipeline stored the shipped model's, which was fitted on this corpus and would leak)."""
    from soe_desktop.core.labeling.heuristic import page_prior
    from soe_desktop.core.pdf.features import SCREEN_LOGIT

    for candidate in candidates:
        candidate.features[SCREEN_LOGIT] = page_prior(candidate.features, page_model)


# --- methods: each returns {candidate id: P(SoE)} for the test documents -----------------------


def teacher_scores(test: list[CorpusItem]) -> dict[str, float]:
    return {label.candidate_id: label.p_soe for item in test for label in item.teacher}


def _feature_matrix(candidates: list[Candidate], names: list[str]):
    import numpy as np

    return np.array([[float(c.features.get(n, 0.0)) for n in names] for c in candidates], dtype=float)


def classical_scores(train_items: list[CorpusItem], test: list[CorpusItem], seed: int,
                     with_screen: bool = False) -> dict[str, float]:
    """Gradient boosting on the same layout features the student sees, trained on human labels."""
    from sklearn.ensemble import GradientBoostingClassifier

    by_id = {c.id: c for item in train_items for c in item.training_candidates}
    pairs = [(by_id[label.candidate_id], label.is_soe) for item in train_items for label in item.training_human]
    names = layout_feature_names([c for c, _ in pairs], with_screen)  # the screen logit is the fold model's
    model = GradientBoostingClassifier(random_state=seed)
    model.fit(_feature_matrix([c for c, _ in pairs], names), [int(y) for _, y in pairs])
    candidates = [c for item in test for c in item.candidates]
    if not candidates:
        return {}
    probabilities = model.predict_proba(_feature_matrix(candidates, names))[:, 1]
    return {c.id: float(p) for c, p in zip(candidates, probabilities)}


def _training_labels(train_items: list[CorpusItem], source: str, seed: int) -> list[Label]:
    """Human labels on every training document, or (human+teacher) on half of them, plus teacher labels."""
    labels = [label for item in train_items for label in item.training_teacher]
    if source == "human":
        return [label for item in train_items for label in item.training_human]
    if source == "human+teacher-filtered":
        names = sorted(item.name for item in train_items)
        human_docs = set(random.Random(seed).sample(names, len(names) // 2))
        labels += [label for item in train_items if item.name in human_docs for label in item.training_human]
    return labels


def _unique_ids(items: list[CorpusItem]) -> None:
    """Candidate ids are per-document hashes; make label ids unique across documents for 'latest' rules."""
    counter = 0
    for item in items:
        for label in item.training_teacher + item.training_human:
            label.id = counter
            counter += 1


def consensus_scores(test: list[CorpusItem], scores: dict[str, float]) -> dict[str, float]:
    """What the app's labelers do to a multi-page table (labeling/groups.py), for the methods scored
    here from raw probabilities (students, GBM); the teacher's labels already had it."""
    if not GROUP_CONSENSUS:
        return scores
    out = dict(scores)
    for item in test:
        labelled = [c for c in item.candidates if c.id in scores]
        labels = [Label.from_probability(c.id, scores[c.id], "method") for c in labelled]
        out.update({label.candidate_id: label.p_soe for label in group_consensus(labelled, labels)})
    return out


def student_scores(train_items, test, source: str, args, threshold: float, log) -> tuple[dict[str, float], dict]:
    import torch

    from soe_desktop.core.training.dataset import build_training_set
    from soe_desktop.core.training.fusion import candidate_logits
    from soe_desktop.core.training.inference import soe_probabilities
    from soe_desktop.core.training.trainer import train

    candidates = [c for item in train_items for c in item.training_candidates]
    dataset = build_training_set(candidates, _training_labels(train_items, source, args.seed), source, threshold)
    result = train(dataset, args)
    log(f"    {source}: {result.status} {len(dataset)} examples, {result.seconds:.0f} s {result.error}")
    if not result.completed:
        return {}, {"status": result.status, "error": result.error}
    test_candidates = [c for item in test for c in item.candidates]
    logits = candidate_logits(result.model, result.tokenizer, test_candidates, args, torch.device(result.device))
    scores = dict(zip([c.id for c in test_candidates], soe_probabilities(logits, result.temperature)))
    return scores, {"seconds": result.seconds, "examples": len(dataset), "coverage": dataset.coverage,
                    "peak_memory_mb": result.peak_memory_mb, "threshold": result.threshold}


# --- scoring -----------------------------------------------------------------------------------


def page_scores_of(item: CorpusItem, scores: dict[str, float]) -> dict[int, float]:
    """Per scored page: the highest P(SoE) of its candidates, 0 for pages without a candidate."""
    best: dict[int, float] = defaultdict(float)
    for candidate in item.candidates:
        best[candidate.page] = max(best[candidate.page], scores.get(candidate.id, 0.0))
    pages = range(1, _page_count(item) + 1)
    return {page: best.get(page, 0.0) for page in pages if item.document.is_scored(page)}


def _page_count(item: CorpusItem) -> int:
    import pypdfium2

    if "page_count" not in item.document.meta:
        pdf = pypdfium2.PdfDocument(str(item.document.pdf_path))
        item.document.meta["page_count"] = len(pdf)
        pdf.close()
    return item.document.meta["page_count"]


def evaluate(items: list[CorpusItem], scores: dict[str, float],
             thresholds: dict[str, float] | None = None) -> tuple[dict, tuple[list, list]]:
    """Page metrics (corpus standard), table metrics, and the page-level PR data for the plot.

    `thresholds` gives each candidate the decision threshold of the model that scored it (a student
    tunes its own per fold); candidates not in it are decided at 0.5."""
    thresholds = thresholds or {}

    def is_soe(candidate_id: str) -> bool:
        return scores.get(candidate_id, 0.0) >= thresholds.get(candidate_id, 0.5)

    predicted = {item.name: [c.page for c in item.candidates if is_soe(c.id)] for item in items}
    pages = page_metrics(predicted, [item.document for item in items]).to_dict(details=True)
    pages["errors"] = {row["name"]: {"missed": row["missed_pages"], "false": row["false_pages"]}
                       for row in pages.pop("rows") if row["missed_pages"] or row["false_pages"]}
    truth = {label.candidate_id: label.is_soe for item in items for label in item.human}
    ids = sorted(truth)
    table = scored_report([scores.get(i, 0.0) for i in ids], [truth[i] for i in ids])
    table.update(confusion([truth[i] for i in ids], [is_soe(i) for i in ids]).to_dict())
    page_probs, page_truth = [], []
    for item in items:
        for page, probability in page_scores_of(item, scores).items():
            page_probs.append(probability)
            page_truth.append(page in item.document.soe_pages)
    page_ap = scored_report(page_probs, page_truth)["average_precision"]
    return {"page": pages, "table": table, "page_average_precision": page_ap}, (page_probs, page_truth)


# --- the run -----------------------------------------------------------------------------------


def run(items: list[CorpusItem], page_rows: list, folds: list[list[str]], args, threshold: float, log,
        students: tuple[str, ...] = tuple(STUDENT_SOURCES)) -> dict:
    """Every method on every fold; scores are pooled over folds (each document is tested once)."""
    by_name = {item.name: item for item in items}
    test_teacher: dict[str, list[Label]] = {}
    methods = [method for method in METHODS if method not in STUDENT_SOURCES or method in students]
    pooled: dict[str, dict[str, float]] = {method: {} for method in methods}
    pooled_thresholds: dict[str, dict[str, float]] = {method: {} for method in methods}
    runs: dict[str, list] = defaultdict(list)
    per_fold: dict[str, list] = defaultdict(list)
    for index, fold in enumerate(folds):
        test = [by_name[name] for name in fold]
        train_items = [item for item in items if item.name not in set(fold)]
        log(f"fold {index + 1}/{len(folds)}: {len(train_items)} training / {len(test)} test documents")
        relabel_with_fold_teacher(items, page_rows, {item.name for item in train_items})
        test_teacher.update({item.name: item.teacher for item in test})
        fold_scores = {"teacher alone": teacher_scores(test),
                       "classical (GBM, human)": classical_scores(train_items, test, args.seed,
                                                                  args.use_screen_logit)}
        for method in students:
            source = STUDENT_SOURCES[method]
            fold_scores[method], info = student_scores(train_items, test, source, args, threshold, log)
            runs[method].append(info)
            pooled_thresholds[method].update({cid: info.get("threshold", 0.5) for cid in fold_scores[method]})
        fold_scores = {method: scores if method == "teacher alone" else consensus_scores(test, scores)
                       for method, scores in fold_scores.items()}
        for method, scores in fold_scores.items():
            pooled[method].update(scores)
            per_fold[method].append(evaluate(test, scores, pooled_thresholds[method])[0]["page"]["f1"])
    results, curves = {}, {}
    for method in methods:
        results[method], curves[method] = evaluate(items, pooled[method], pooled_thresholds[method])
        results[method]["at_0.5"] = evaluate(items, pooled[method])[0]
        results[method]["fold_page_f1"] = per_fold[method]
        results[method]["runs"] = runs.get(method, [])
    for item in items:  # the filter's figures on each document's out-of-fold teacher labels
        item.teacher = test_teacher.get(item.name, [])
    return {"results": results, "curves": curves, "filter": filter_quality(items, threshold), "folds": folds}


# Experiment flags that map onto TrainingArguments fields. Each defaults to None = the product's own
# default (TrainingArguments, what `soe train` uses), so the students measured are the product's.
ARGUMENT_FLAGS = {"epochs": int, "max_tokens": int, "learning_rate": float, "batch_size": int,
                  "validation_fraction": float, "head": str, "head_learning_rate": float, "head_hidden": int,
                  "label_smoothing": float, "weight_decay": float, "calibration_folds": int, "threads": int,
                  "device": str, "human_weight": float}
SWITCHES = ("soft_targets", "tune_threshold", "use_screen_logit", "screen_offset", "use_teacher_votes",
            "teacher_offset", "use_layout_prefix", "balance_classes")


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus_dir())
    parser.add_argument("--mode", choices=("folds", "adaptation"), default="folds",
                        help="folds: every method on sponsor-out/random folds; adaptation: the curve of a student "
                             "against the shipped-style teacher as a group's protocols are reviewed "
                             "(selective_finetuning_adaptation.py)")
    parser.add_argument("--folds", choices=("both", "sponsor", "random"), default="both",
                        help="sponsor-out folds (a sponsor's protocols never split), random folds by document, or both "
                             "(the report gives the gap); product defaults are judged on sponsor-out folds")
    parser.add_argument("-k", "--k", type=int, default=3, help="number of folds")
    parser.add_argument("--threshold", type=float, default=0.8, help="selective filter threshold")
    parser.add_argument("--seed", type=int, default=0, help="fold split, training seed, human half of human+filtered")
    parser.add_argument("--students", default=",".join(STUDENT_SOURCES.values()),
                        help="comma-separated training sources of the students to train")
    for name, kind in ARGUMENT_FLAGS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None, help="default: TrainingArguments")
    for name in SWITCHES:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, default=None, action=argparse.BooleanOptionalAction,
                            help="default: TrainingArguments")
    parser.add_argument("--no-group-consensus", action="store_true",
                        help="do not bring the pages of one multi-page table to their mean P(SoE)")
    parser.add_argument("--near-misses", type=int, default=0,
                        help="also train on the tables of this many unopened pages per document (highest screen score)")
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    return parser.parse_args(argv)


def training_arguments(options):
    """The product's TrainingArguments with only the flags given on the command line changed."""
    from soe_desktop.core.training.arguments import TrainingArguments

    given = {name: getattr(options, name) for name in (*ARGUMENT_FLAGS, *SWITCHES) if getattr(options, name) is not None}
    return TrainingArguments(seed=options.seed, **given)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    global GROUP_CONSENSUS
    GROUP_CONSENSUS = not options.no_group_consensus
    if not (options.corpus / "README.md").exists():
        print(f"corpus not found at {options.corpus}: skipping the experiment")
        return 0
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", flush=True)

    args = training_arguments(options)
    by_source = {source: method for method, source in STUDENT_SOURCES.items()}
    students = tuple(by_source[source] for source in options.students.split(",") if source)
    items, page_rows = load_items(options.corpus, log, options.near_misses)
    if options.mode == "adaptation":
        from selective_finetuning_adaptation import adaptation_main

        return adaptation_main(items, page_rows, args, options, log, started, argv)
    names, has_soe = [item.name for item in items], {item.name: item.document.has_soe for item in items}
    outcomes = {}
    for kind in ("sponsor", "random") if options.folds == "both" else (options.folds,):
        log(f"{kind} folds")
        folds = make_folds(kind, names, has_soe, options.k, options.seed)
        outcomes[kind] = run(items, page_rows, folds, args, options.threshold, log, students)
    command = "nice -n 10 .venv/bin/python experiments/selective_finetuning.py " + " ".join(argv or sys.argv[1:])
    text = markdown(outcomes, items, args, options.threshold, command.strip(), time.perf_counter() - started,
                    group_consensus=GROUP_CONSENSUS)
    write_outputs(outcomes, text, options.docs)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
