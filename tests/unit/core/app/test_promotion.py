"""The promotion gate's scoring: truth from human decisions, both labelers on the corpus page
metric, the winner, and the pages where they differ."""

from __future__ import annotations

import random

import pytest

from soe_desktop.core.app.promotion import (
    CHALLENGER,
    CHAMPION,
    Comparison,
    compare,
    compare_labelers,
    decide,
    reviewed_documents,
)
from soe_desktop.core.model import Label
from soe_desktop.core.store import Store

from gate_fixtures import PageLabeler, build_library, contrarian, oracle, sha_of


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "soe.db"
    build_library(path, n_documents=4, reviewed=2)
    with Store(path) as store:
        yield store


def test_reviewed_documents_take_their_truth_from_the_latest_human_decisions(library):
    sha = sha_of(0)
    first = library.candidates(sha)[0]  # page 1, decided SoE
    (undone,) = library.add_labels([Label(first.id, False, 1.0, "human:tester")])
    library.retract(undone, "tester")  # an undone correction leaves the earlier decision standing
    fourth = library.candidates(sha)[3]
    library.add_labels([Label(fourth.id, True, 1.0, "human:tester")])  # a later correction wins
    documents = reviewed_documents(library)
    assert [d.sha256 for d in documents] == [sha_of(0), sha_of(1)]  # teacher-only documents are not reviewed
    assert documents[0].soe_pages == {1, 2, 3, 4} and documents[1].soe_pages == {1, 2, 3}
    assert documents[0].scored_pages == set(range(1, 7)) and documents[0].name == "protocol 0.pdf"


def test_pages_without_a_human_decision_are_not_scored(tmp_path):
    path = tmp_path / "soe.db"
    build_library(path, n_documents=1, reviewed=0)
    with Store(path) as store:
        decided = store.candidates(sha_of(0))[:2]
        store.add_labels([Label(c.id, True, 1.0, "human:tester") for c in decided])
        (document,) = reviewed_documents(store)
        # The labeler calls pages 4-6 SoE too: nobody decided those, so they cost nothing.
        comparison = compare_labelers([document], PageLabeler("all", lambda *_: True), contrarian())
    assert document.scored_pages == {1, 2}
    assert comparison.challenger.f1 == 1.0 and comparison.challenger.fp == 0 and comparison.pages == 2


def test_a_challenger_that_agrees_with_the_reviewers_wins(library):
    comparison = compare_labelers(reviewed_documents(library), oracle("student:new"), contrarian("heuristic"))
    assert comparison.winner == CHALLENGER and comparison.challenger_wins
    assert comparison.challenger.f1 == 1.0 and comparison.champion.f1 == 0.0
    assert comparison.documents == 2 and comparison.pages == 12
    assert "at least as good as heuristic" in comparison.reason


def test_a_challenger_worse_than_the_champion_loses_and_the_differing_pages_are_listed(library):
    half_right = PageLabeler("student:new", lambda _sha, page: page <= 2)  # misses page 3 everywhere
    comparison = compare_labelers(reviewed_documents(library), half_right, oracle("student:old"))
    assert comparison.winner == CHAMPION and not comparison.challenger_wins
    assert comparison.challenger.fn == 2 and comparison.champion.f1 == 1.0
    assert comparison.different_pages == 2
    assert {(d["document"], d["page"]) for d in comparison.differences} == {("protocol 0.pdf", 3),
                                                                            ("protocol 1.pdf", 3)}
    assert all(d["truth"] and d[CHAMPION] and not d[CHALLENGER] for d in comparison.differences)
    assert "worse than student:old" in comparison.reason


def test_a_tie_goes_to_the_challenger():
    assert decide(0.9, 0.9) == CHALLENGER and decide(0.89, 0.9) == CHAMPION


def _hand_f1(documents, calls) -> float:
    """Page F1 counted by hand, independent of the metrics module."""
    tp = fp = fn = 0
    for document in documents:
        for page in document.scored_pages:
            predicted, truth = calls(document.sha256, page), page in document.soe_pages
            tp += predicted and truth
            fp += predicted and not truth
            fn += truth and not predicted
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@pytest.mark.parametrize("seed", range(12))
def test_the_gate_never_picks_a_challenger_that_scores_lower(library, seed):
    rng = random.Random(seed)
    documents = reviewed_documents(library)
    ours = {(d.sha256, p): rng.random() < 0.5 for d in documents for p in d.scored_pages}
    theirs = {(d.sha256, p): rng.random() < 0.5 for d in documents for p in d.scored_pages}
    challenger = PageLabeler("student:new", lambda sha, page: ours[(sha, page)])
    champion = PageLabeler("heuristic", lambda sha, page: theirs[(sha, page)])
    comparison = compare_labelers(documents, challenger, champion)
    ours_f1 = _hand_f1(documents, lambda sha, page: ours[(sha, page)])
    theirs_f1 = _hand_f1(documents, lambda sha, page: theirs[(sha, page)])
    assert comparison.challenger.f1 == pytest.approx(ours_f1) and comparison.champion.f1 == pytest.approx(theirs_f1)
    assert comparison.challenger_wins == (ours_f1 >= theirs_f1)


def test_a_comparison_survives_its_json_round_trip(library):
    documents = reviewed_documents(library)
    comparison = compare(documents, {documents[0].sha256: {1, 2, 3}}, {}, "student:new", "heuristic",
                         "k-fold by document", folds=2)
    again = Comparison.from_dict(comparison.to_dict())
    assert again == comparison and again.folds == 2 and again.held_out == ["protocol 0.pdf", "protocol 1.pdf"]
