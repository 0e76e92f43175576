"""The corpus README's metric: page-level micro P/R/F1, protocol recall, candidate recall, tables.

Why one module: the CLI (`soe evaluate`), the benchmark and the fitting script must all count
the same way. Page metric: a page is predicted SoE when at least one candidate on it is
labelled SoE (or a page-level detector says so); not-scored pages (notes-only, secondary
schedules) are dropped; TP/FP/FN are summed over all documents (micro).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping, Sequence

from soe_desktop.core.evaluation.corpus import CorpusDocument
from soe_desktop.core.model import Candidate, Label


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class DocumentRow:
    """One document's share of the page metric (the `--details` rows)."""

    name: str
    tp: int
    fp: int
    fn: int
    has_soe: bool
    found: bool  # at least one true SoE page predicted
    missed_pages: list[int] = field(default_factory=list)
    false_pages: list[int] = field(default_factory=list)
    hard_negative_false_pages: list[int] = field(default_factory=list)


@dataclass
class PageMetrics:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    protocol_recall: float
    protocols_with_soe: int
    protocols_found: int
    rows: list[DocumentRow] = field(default_factory=list)

    def to_dict(self, details: bool = False) -> dict:
        data = asdict(self)
        if not details:
            data.pop("rows")
        return data


def document_row(document: CorpusDocument, predicted: Iterable[int]) -> DocumentRow:
    """Compare one document's predicted pages with its labels, not-scored pages dropped."""
    predicted_scored = {page for page in predicted if document.is_scored(page)}
    truth = set(document.soe_pages)
    false_pages = sorted(predicted_scored - truth)
    return DocumentRow(
        name=document.name,
        tp=len(predicted_scored & truth),
        fp=len(false_pages),
        fn=len(truth - predicted_scored),
        has_soe=bool(truth),
        found=bool(predicted_scored & truth),
        missed_pages=sorted(truth - predicted_scored),
        false_pages=false_pages,
        hard_negative_false_pages=[page for page in false_pages if page in document.hard_negative_pages],
    )


def page_metrics(predicted: Mapping[str, Iterable[int]], corpus: Sequence[CorpusDocument]) -> PageMetrics:
    """Micro page P/R/F1 and protocol recall; a document absent from `predicted` predicted nothing."""
    rows = [document_row(document, predicted.get(document.name, ())) for document in corpus]
    tp, fp, fn = (sum(getattr(row, key) for row in rows) for key in ("tp", "fp", "fn"))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    with_soe = [row for row in rows if row.has_soe]
    found = sum(1 for row in with_soe if row.found)
    return PageMetrics(
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        protocol_recall=_ratio(found, len(with_soe)),
        protocols_with_soe=len(with_soe),
        protocols_found=found,
        rows=rows,
    )


@dataclass
class CandidateRecall:
    """Share of labelled SoE pages that got at least one candidate (whatever its label)."""

    found: int
    total: int
    recall: float
    missed: list[tuple[str, int]] = field(default_factory=list)


def _page_of(item: Candidate | int) -> int:
    return item.page if isinstance(item, Candidate) else int(item)


def candidate_recall(
    candidates_by_doc: Mapping[str, Iterable[Candidate | int]], corpus: Sequence[CorpusDocument]
) -> CandidateRecall:
    """`candidates_by_doc`: per document name, its candidates (or just the pages they are on)."""
    found, total, missed = 0, 0, []
    for document in corpus:
        pages = {_page_of(item) for item in candidates_by_doc.get(document.name, ())}
        for page in sorted(document.soe_pages):
            total += 1
            if page in pages:
                found += 1
            else:
                missed.append((document.name, page))
    return CandidateRecall(found=found, total=total, recall=_ratio(found, total), missed=missed)


@dataclass
class TableMetrics:
    """Candidate-level counts: a candidate is truly SoE when it lies on a labelled SoE page.

    Candidates on not-scored pages are dropped. This over-counts positives where an SoE page also
    holds a small non-SoE table; the page metric is the standard one.
    """

    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    agreement: float  # share of teacher labels whose two representations agreed


def table_metrics(
    labelled: Mapping[str, Sequence[tuple[Candidate, Label]]], corpus: Sequence[CorpusDocument]
) -> TableMetrics:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    agreed = voted = 0
    by_name = {document.name: document for document in corpus}
    for name, pairs in labelled.items():
        document = by_name.get(name)
        if document is None:
            continue
        for candidate, label in pairs:
            if label.agree is not None:
                voted += 1
                agreed += bool(label.agree)
            if not document.is_scored(candidate.page):
                continue
            truth = candidate.page in document.soe_pages
            key = ("tp" if truth else "fp") if label.is_soe else ("fn" if truth else "tn")
            counts[key] += 1
    precision = _ratio(counts["tp"], counts["tp"] + counts["fp"])
    recall = _ratio(counts["tp"], counts["tp"] + counts["fn"])
    return TableMetrics(**counts, precision=precision, recall=recall, f1=_f1(precision, recall),
                        agreement=_ratio(agreed, voted))


def predicted_pages(pairs: Iterable[tuple[Candidate, Label]]) -> set[int]:
    """Pages with at least one candidate labelled SoE (the README's definition)."""
    return {candidate.page for candidate, label in pairs if label.is_soe}


def format_page_metrics(metrics: PageMetrics, details: bool = False) -> str:
    """Human-readable lines for the CLI: the summary, then one row per document with `details`."""
    lines = [
        f"pages: TP {metrics.tp}  FP {metrics.fp}  FN {metrics.fn}",
        f"precision {metrics.precision:.3f}  recall {metrics.recall:.3f}  F1 {metrics.f1:.3f}",
        f"protocol recall {metrics.protocol_recall:.3f} ({metrics.protocols_found}/{metrics.protocols_with_soe})",
    ]
    if details:
        lines.append(f"{'document':<44} {'TP':>3} {'FP':>3} {'FN':>3}  missed / false pages")
        for row in metrics.rows:
            lines.append(
                f"{row.name[:44]:<44} {row.tp:>3} {row.fp:>3} {row.fn:>3}  "
                f"missed {row.missed_pages or '-'} false {row.false_pages or '-'}"
            )
    return "\n".join(lines)


@dataclass
class CorpusEvaluation:
    """Everything `soe evaluate` reports, from the labelled candidates of every document."""

    pages: PageMetrics
    candidates: CandidateRecall
    tables: TableMetrics

    def to_dict(self, details: bool = False) -> dict:
        return {"pages": self.pages.to_dict(details), "candidates": asdict(self.candidates), "tables": asdict(self.tables)}


def evaluate_labelled(
    pairs_by_doc: Mapping[str, Sequence[tuple[Candidate, Label]]], corpus: Sequence[CorpusDocument]
) -> CorpusEvaluation:
    """Page, candidate and table figures from (candidate, label) pairs per document name.

    A document missing from `pairs_by_doc` counts as one where nothing was found. For a
    TriageResult `r`: `pairs_by_doc[name] = list(zip(r.candidates, r.labels))`.
    """
    return CorpusEvaluation(
        pages=page_metrics({name: predicted_pages(pairs) for name, pairs in pairs_by_doc.items()}, corpus),
        candidates=candidate_recall({name: [c for c, _ in pairs] for name, pairs in pairs_by_doc.items()}, corpus),
        tables=table_metrics(pairs_by_doc, corpus),
    )
