"""The streaming screen's parts: the score floor, the partial-document features, reuse of early pages."""

from __future__ import annotations

import math
import random

import pytest

from soe_desktop.core.pdf.page_model import LogisticModel, load_page_model
from soe_desktop.core.model import Candidate, PageText
from soe_desktop.core.pdf import features as F
from soe_desktop.core.pdf import streaming

GRID = "\n".join(["Schedule of Activities", "Procedure Screening Day 1 Week 2 Week 4 EOT"]
                 + [f"{name} X X X X" for name in ("Vital signs", "Hematology", "Urinalysis", "ECG", "Adverse events",
                                                   "Physical exam", "Concomitant medication")])
PROSE = "The participants will be followed for safety as described in the section below, in full sentences.\n" * 6


def page(number: int, text: str, landscape: bool = False) -> PageText:
    width, height = (792.0, 612.0) if landscape else (612.0, 792.0)
    return PageText(number, width, height, 0, text, has_text_layer=len(text.strip()) >= 20)


def document_pages() -> list[PageText]:
    texts = [PROSE, PROSE, GRID, GRID, PROSE, "", PROSE, GRID.replace("X", "X X"), PROSE]
    return [page(number, text, landscape=text.startswith("Sched")) for number, text in enumerate(texts, start=1)]


def toy_model(names: list[str], seed: int) -> LogisticModel:
    rng = random.Random(seed)
    return LogisticModel(tuple(names), tuple(rng.uniform(-1, 1) for _ in names),
                         tuple(rng.uniform(0.1, 2) for _ in names), tuple(rng.uniform(-2, 2) for _ in names),
                         rng.uniform(-3, 3))


def test_score_floor_is_never_above_the_score_and_equals_it_when_the_range_closes():
    names = ["a", "b", "doc_rel_x", "doc_rel_y"]
    for seed in range(50):
        model = toy_model(names, seed)
        rng = random.Random(seed)
        known = {"a": rng.uniform(-5, 5), "b": rng.uniform(-5, 5)}
        bounds = {"doc_rel_x": (0.0, 1.0), "doc_rel_y": (0.2, 0.6)}
        floor = streaming.score_floor(model, known, bounds)
        for _ in range(20):
            actual = {**known, "doc_rel_x": rng.uniform(0, 1), "doc_rel_y": rng.uniform(0.2, 0.6)}
            assert floor <= model.predict_one(actual)
        exact = {**known, "doc_rel_x": 0.3, "doc_rel_y": 0.5}
        closed = streaming.score_floor(model, known, {"doc_rel_x": (0.3, 0.3), "doc_rel_y": (0.5, 0.5)})
        assert closed == model.predict_one(exact)


def test_score_floor_is_zero_when_a_feature_is_unknown_or_the_model_is_not_linear():
    model = toy_model(["a", "b"], 1)
    assert streaming.score_floor(model, {"a": 1.0}, {}) == 0.0

    class Forest:
        def predict(self, rows):
            return [1.0 for _ in rows]

    assert streaming.score_floor(Forest(), {"a": 1.0, "b": 1.0}, {}) == 0.0


def test_neighbourhood_features_equal_the_full_features_once_two_pages_ahead_are_read():
    pages = document_pages()
    singles = [F.single_page_features(p) for p in pages]
    full = F.page_features(pages)
    for index in range(len(pages)):
        if singles[index]["low_text"]:
            continue
        read = singles[: min(index + 1 + streaming.LOOKAHEAD, len(pages))]
        partial = F.neighbourhood_features(read, index, len(pages))
        assert partial == {key: value for key, value in full[index].items() if not key.startswith("doc_rel_")}


def test_neighbourhood_features_refuse_a_text_less_page_of_an_unfinished_document():
    singles = [F.single_page_features(p) for p in document_pages()]
    with pytest.raises(ValueError):
        F.neighbourhood_features(singles[:8], 5, 9)  # page 6 has no text: its run may go on


def test_document_relative_bounds_hold_the_final_values():
    pages = document_pages()
    singles = [F.single_page_features(p) for p in pages]
    full = F.page_features(pages)
    for index in range(len(pages)):
        for read in range(index + 1, len(pages) + 1):
            for name, (low, high) in F.document_relative_bounds(singles[:read], index).items():
                assert low <= full[index][name] <= high, (index, read, name)
    last = F.document_relative_bounds(singles, 7)
    assert all(math.isclose(high, full[7][name]) for name, (_, high) in last.items())


def test_a_strong_grid_page_is_clearly_soe_and_prose_is_not():
    pages = document_pages()
    stream = streaming.StreamedPages(pages, [F.single_page_features(p) for p in pages])
    model = load_page_model()
    verdicts = [streaming.clearly_soe(stream, index, len(pages), model) for index in range(len(pages))]
    assert verdicts[2] and verdicts[3] and verdicts[7]
    assert not any(verdicts[index] for index in (0, 1, 4, 5, 6, 8))


def test_find_candidates_reuses_early_pages_that_pass_the_screen_and_redoes_the_rest(ruled_pdf):
    from soe_desktop.core.pdf.candidates import find_candidates
    from soe_desktop.core.pdf.ingest import open_document
    from soe_desktop.core.pdf.pages import read_pages

    document, pages = open_document(ruled_pdf.path), read_pages(ruled_pdf.path)
    fresh = find_candidates(ruled_pdf.path, document, pages, [2], [2])
    marker = Candidate("early-marker", document.sha256, 2, (1, 2, 3, 4), "pdfplumber")
    reported = []
    reused = find_candidates(ruled_pdf.path, document, pages, [2], [2], progress=reported.append,
                             found_early={2: [marker], 1: [Candidate("not-screened", document.sha256, 1, (0, 0, 1, 1),
                                                                    "pdfplumber")]})
    assert [c.id for c in reused] == ["early-marker"]  # page 2 reused as given, page 1 (not screened) ignored
    assert reported == []  # nothing left to detect, nothing reported twice
    redone = find_candidates(ruled_pdf.path, document, pages, [], [2], found_early={2: [marker]})
    assert "early-marker" not in {c.id for c in redone}  # not a table page any more: detected again
    assert [c.id for c in fresh] and fresh[0].detector != "fallback-text"
