"""Corpus loading and the README's page metric, candidate recall and table counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.evaluation.corpus import CorpusDocument, default_corpus_dir, load_corpus
from soe_desktop.core.evaluation.metrics import (
    candidate_recall,
    format_page_metrics,
    page_metrics,
    predicted_pages,
    table_metrics,
)
from soe_desktop.core.model import Candidate, Label


def _labelled(folder: Path, **labels) -> None:
    folder.mkdir(parents=True)
    (folder / "protocol.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "labels.json").write_text(json.dumps({"pdf": "protocol.pdf", "pages_1based": True, **labels}))


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    _labelled(tmp_path / "b_proto", soa_table_pages=[5, 6], soa_notes_only_pages=[7],
              secondary_schedule_pages=[30], hard_negative_pages=[12], confidence="high")
    _labelled(tmp_path / "a_proto", soa_table_pages=[3])
    _labelled(tmp_path / "c_nosoe", soa_table_pages=[])
    negatives = tmp_path / "pdfplumber_fixtures"
    negatives.mkdir()
    (negatives / "report.pdf").write_bytes(b"%PDF-1.4\n")
    (negatives / "sources.json").write_text("{}")
    return tmp_path


def test_load_corpus_reads_labels_and_negative_folders(corpus_dir):
    corpus = load_corpus(corpus_dir)
    assert [doc.name for doc in corpus] == ["a_proto", "b_proto", "c_nosoe", "pdfplumber_fixtures/report.pdf"]
    b = corpus[1]
    assert b.soe_pages == {5, 6} and b.not_scored_pages == {7, 30} and b.hard_negative_pages == {12}
    assert b.pdf_path == corpus_dir / "b_proto" / "protocol.pdf" and b.meta["confidence"] == "high"
    negative = corpus[3]
    assert not negative.labelled and not negative.has_soe and negative.pdf_path.name == "report.pdf"
    assert [doc.name for doc in load_corpus(corpus_dir, include_negatives=False)] == ["a_proto", "b_proto", "c_nosoe"]


def test_load_corpus_refuses_bad_directories(tmp_path):
    with pytest.raises(BadInputError):
        load_corpus(tmp_path / "missing")
    with pytest.raises(BadInputError):
        load_corpus(tmp_path)  # empty
    _labelled(tmp_path / "broken")
    (tmp_path / "broken" / "labels.json").write_text("{not json")
    with pytest.raises(BadInputError):
        load_corpus(tmp_path)


def test_default_corpus_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SOE_CORPUS_DIR", str(tmp_path))
    assert default_corpus_dir() == tmp_path
    monkeypatch.delenv("SOE_CORPUS_DIR")
    assert default_corpus_dir().parts[-2:] == ("shared", "corpus")


def _docs() -> list[CorpusDocument]:
    return [
        CorpusDocument("a", Path("a.pdf"), frozenset({3, 4}), frozenset({5}), frozenset({9})),
        CorpusDocument("b", Path("b.pdf"), frozenset({10})),
        CorpusDocument("neg", Path("n.pdf"), labelled=False),
    ]


def test_page_metrics_micro_with_not_scored_pages_dropped():
    predicted = {"a": {3, 5, 9}, "b": {11}, "neg": {1, 2}}
    metrics = page_metrics(predicted, _docs())
    # a: TP 3, FN 4, page 5 not scored, FP 9 (hard negative); b: FP 11, FN 10; neg: FP 1, 2
    assert (metrics.tp, metrics.fp, metrics.fn) == (1, 4, 2)
    assert metrics.precision == pytest.approx(1 / 5)
    assert metrics.recall == pytest.approx(1 / 3)
    assert metrics.f1 == pytest.approx(2 * (1 / 5) * (1 / 3) / (1 / 5 + 1 / 3))
    assert metrics.protocol_recall == 0.5 and metrics.protocols_with_soe == 2 and metrics.protocols_found == 1
    row_a = metrics.rows[0]
    assert row_a.missed_pages == [4] and row_a.false_pages == [9] and row_a.hard_negative_false_pages == [9]


def test_page_metrics_perfect_and_empty_predictions():
    perfect = page_metrics({"a": {3, 4}, "b": {10}}, _docs())
    assert perfect.f1 == 1.0 and perfect.protocol_recall == 1.0 and perfect.fp == 0
    nothing = page_metrics({}, _docs())
    assert (nothing.tp, nothing.fp, nothing.fn) == (0, 0, 3)
    assert nothing.precision == 0.0 and nothing.f1 == 0.0 and nothing.protocol_recall == 0.0
    assert "rows" not in nothing.to_dict() and len(nothing.to_dict(details=True)["rows"]) == 3


def _candidate(page: int, name: str = "c") -> Candidate:
    return Candidate(id=f"{name}{page}", document_sha256="x", page=page, bbox=(0, 0, 1, 1), detector="pdfplumber")


def test_candidate_recall_counts_soe_pages_with_any_candidate():
    result = candidate_recall({"a": [_candidate(3), _candidate(8)], "b": [10]}, _docs())
    assert (result.found, result.total) == (2, 3)
    assert result.recall == pytest.approx(2 / 3)
    assert result.missed == [("a", 4)]


def test_table_metrics_and_predicted_pages():
    def pair(page, is_soe, agree=True):
        c = _candidate(page)
        return c, Label(c.id, is_soe, 0.9, "heuristic", agree=agree)

    labelled = {"a": [pair(3, True), pair(4, False), pair(5, True), pair(9, True, agree=False)], "neg": [pair(1, False)]}
    metrics = table_metrics(labelled, _docs())
    assert (metrics.tp, metrics.fp, metrics.fn, metrics.tn) == (1, 1, 1, 1)  # page 5 not scored
    assert metrics.precision == 0.5 and metrics.recall == 0.5
    assert metrics.agreement == pytest.approx(4 / 5)
    assert predicted_pages(labelled["a"]) == {3, 5, 9}


def test_format_page_metrics_lists_documents_with_details():
    metrics = page_metrics({"a": {3}}, _docs())
    short, long = format_page_metrics(metrics), format_page_metrics(metrics, details=True)
    assert "F1" in short and "protocol recall 0.500 (1/2)" in short and "a " not in short.split("\n")[-1][:2]
    assert "missed [4]" in long and "missed [10]" in long


CORPUS = default_corpus_dir()


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "INDEX.csv").exists(), reason="../shared/corpus is not here")
def test_dev_corpus_layout():
    corpus = load_corpus(CORPUS)
    labelled = [doc for doc in corpus if doc.labelled]
    assert len(labelled) == 30
    assert sum(len(doc.soe_pages) for doc in labelled) == 133
    assert sum(doc.has_soe for doc in labelled) == 28
    assert {doc.name.split("/")[0] for doc in corpus if not doc.labelled} == {
        "camelot_fixtures", "pdfplumber_fixtures", "negatives_clinical"}
    assert all(doc.pdf_path.exists() for doc in corpus)


def test_evaluate_labelled_combines_pages_candidates_and_tables():
    from soe_desktop.core.evaluation.metrics import evaluate_labelled

    def pair(page, is_soe):
        c = _candidate(page)
        return c, Label(c.id, is_soe, 0.8, "heuristic", agree=True)

    result = evaluate_labelled({"a": [pair(3, True), pair(4, False)], "b": [pair(11, True)]}, _docs())
    assert (result.pages.tp, result.pages.fp, result.pages.fn) == (1, 1, 2)
    assert (result.candidates.found, result.candidates.total) == (2, 3)
    assert (result.tables.tp, result.tables.fn, result.tables.fp) == (1, 1, 1)
    data = result.to_dict(details=True)
    assert set(data) == {"pages", "candidates", "tables"} and len(data["pages"]["rows"]) == 3
