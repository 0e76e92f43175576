"""Fit the heuristic teacher's page model on a labelled corpus, with grouped cross-validation.

Why grouped by document: pages of one protocol share templates and vocabulary, so a model tested
on pages of a protocol it saw in training looks far better than it is on a new protocol.

    python -m soe_desktop.core.evaluation.page_model_fit [CORPUS_DIR] [--folds 6] [--write]

prints the cross-validated page metrics and, with --write, refits on every document and writes
`page_model_weights.json` (with the CV figures in its `meta`).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from soe_desktop.core.evaluation.corpus import CorpusDocument, default_corpus_dir, load_corpus
from soe_desktop.core.evaluation.fitted_documents import write_page_model_documents
from soe_desktop.core.evaluation.metrics import PageMetrics, page_metrics
from soe_desktop.core.jobs import CancelToken, check
from soe_desktop.core.pdf.page_model import WEIGHTS_PATH, LogisticModel
from soe_desktop.core.model import PageText
from soe_desktop.core.pdf.features import single_page_features
from soe_desktop.core.pdf.ocr import screen_with_ocr
from soe_desktop.core.pdf.pages import read_pages

REGULARISATION_C = 0.1  # strong L2: 30 protocols, ~80 correlated features
DECISION_THRESHOLD = 0.5
SCREEN_THRESHOLD = 0.03


@dataclass
class DocumentFeatures:
    document: CorpusDocument
    pages: list[PageText]
    features: list[dict[str, float]]


def extract(corpus: Sequence[CorpusDocument], cancel: Optional[CancelToken] = None,
            ocr: bool = False) -> list[DocumentFeatures]:
    """Page text and features of every corpus document (~3-5 ms/page).

    The page model is fitted on pages as their text layer gives them (`ocr` False, the default):
    it must keep scoring a text-less page from its neighbours' cues, because that score is how the
    pipeline picks the pages worth OCR (core/pdf/ocr.py). A model fitted on OCR'd pages learns that
    text-less pages are never SoE (in training they all have text) and leaves pictured SoE pages
    unread (detection benchmark on the dev corpus: protocol recall 0.89 with fold models fitted on
    OCR'd pages, 1.00 with models fitted on the text layer). `ocr` True reads the pages the pipeline
    would read, for experiments."""
    out = []
    for document in corpus:
        check(cancel)
        pages = read_pages(document.pdf_path)
        singles = [single_page_features(page) for page in pages]
        features, _ = screen_with_ocr(document.pdf_path, pages, singles, ocr, cancel=cancel)
        out.append(DocumentFeatures(document, pages, features))
    return out


def fit(rows: Sequence[DocumentFeatures], names: Optional[Sequence[str]] = None) -> LogisticModel:
    """Standardised L2 logistic regression on the scored pages of `rows`."""
    from sklearn.linear_model import LogisticRegression

    names = list(names or sorted(rows[0].features[0]))
    matrix, target = [], []
    for row in rows:
        for page, values in zip(row.pages, row.features):
            if row.document.is_scored(page.number):
                matrix.append([values.get(name, 0.0) for name in names])
                target.append(page.number in row.document.soe_pages)
    x, y = np.asarray(matrix, dtype=float), np.asarray(target)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=REGULARISATION_C, max_iter=5000).fit((x - mean) / scale, y)
    return LogisticModel(tuple(names), tuple(mean), tuple(scale), tuple(regression.coef_[0]),
                         float(regression.intercept_[0]), {})


def fold_models(rows: Sequence[DocumentFeatures], folds: int = 6) -> dict[str, LogisticModel]:
    """For every document, a model fitted on the folds that do not contain it (GroupKFold by document)."""
    from sklearn.model_selection import GroupKFold

    # One sample per page so GroupKFold balances the folds by page count, not document count.
    groups = np.concatenate([np.full(len(row.pages), index) for index, row in enumerate(rows)])
    out: dict[str, LogisticModel] = {}
    for train, test in GroupKFold(n_splits=min(folds, len(rows))).split(groups, groups=groups):
        model = fit([rows[i] for i in sorted(set(groups[train]))])
        for i in sorted(set(groups[test])):
            out[rows[i].document.name] = model
    return out


def cross_validated_scores(rows: Sequence[DocumentFeatures], folds: int = 6) -> dict[str, list[float]]:
    models = fold_models(rows, folds)
    return {row.document.name: models[row.document.name].predict(row.features) for row in rows}


def screen_recall(rows: Sequence[DocumentFeatures], scores: dict[str, list[float]], threshold: float) -> tuple:
    """(SoE pages kept by the screen, SoE pages, pages opened, pages)."""
    kept = total = opened = pages = 0
    for row in rows:
        for page, score in zip(row.pages, scores[row.document.name]):
            pages += 1
            opened += score >= threshold
            if page.number in row.document.soe_pages:
                total += 1
                kept += score >= threshold
    return kept, total, opened, pages


def evaluate_scores(rows: Sequence[DocumentFeatures], scores: dict[str, list[float]],
                    threshold: float = DECISION_THRESHOLD) -> PageMetrics:
    predicted = {
        row.document.name: {page.number for page, score in zip(row.pages, scores[row.document.name]) if score >= threshold}
        for row in rows
    }
    return page_metrics(predicted, [row.document for row in rows])


def _report(rows: Sequence[DocumentFeatures], folds: int) -> dict:
    scores = cross_validated_scores(rows, folds)
    metrics = evaluate_scores(rows, scores)
    kept, total, opened, pages = screen_recall(rows, scores, SCREEN_THRESHOLD)
    print(f"{folds}-fold CV grouped by document, page model alone, threshold {DECISION_THRESHOLD}:")
    print(f"  TP {metrics.tp} FP {metrics.fp} FN {metrics.fn}  P {metrics.precision:.3f} R {metrics.recall:.3f} "
          f"F1 {metrics.f1:.3f}  protocol recall {metrics.protocol_recall:.3f}")
    print(f"  screen >= {SCREEN_THRESHOLD}: keeps {kept}/{total} SoE pages, opens {opened}/{pages} pages")
    for row in metrics.rows:
        if row.missed_pages or row.false_pages:
            print(f"  {row.name}: missed {row.missed_pages} false {row.false_pages}")
    return {"folds": folds, "grouped_by": "document", "page_f1": round(metrics.f1, 4),
            "page_precision": round(metrics.precision, 4), "page_recall": round(metrics.recall, 4),
            "protocol_recall": round(metrics.protocol_recall, 4), "screen_threshold": SCREEN_THRESHOLD,
            "screen_recall": round(kept / max(total, 1), 4), "screen_opened_share": round(opened / max(pages, 1), 4)}


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(default_corpus_dir()))
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--write", action="store_true", help=f"refit on everything and write {WEIGHTS_PATH.name}")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus)
    rows = extract(corpus)
    cv = _report(rows, args.folds)
    if args.write:
        model = fit(rows)
        data = model.to_json()
        data["meta"] = {"fitted_on": f"{len(corpus)} documents of {Path(args.corpus).name}", "date": str(date.today()),
                        "C": REGULARISATION_C, "cross_validation": cv}
        WEIGHTS_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        listed = write_page_model_documents([document.pdf_path for document in corpus],
                                            f"the {len(corpus)} documents the page model of {date.today()} was fitted on")
        print(f"wrote {WEIGHTS_PATH} and {listed}")


if __name__ == "__main__":
    main()
