"""Where a document's review starts, the uncertainty order, the counts kept apart by who settled,
and the decision keys: S sets SoE, N sets not SoE, A keeps the suggestion; each moves on to the next
table, and a decision on one page of a multi-page table is a decision on all its pages."""

from __future__ import annotations

import pytest

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.models.review_session import ReviewSession

SHA = "cd" * 32


@pytest.fixture
def store(tmp_path):
    """Page 2: an abbreviation list (not SoE); pages 3-4: an SoE table; page 5: a coin flip;
    page 6: an uncertain SoE the rule could not accept; page 7: accepted by the rule."""
    with Store(tmp_path / "db.sqlite") as store:
        store.add_document(Document("/p.pdf", SHA, 8), "/p.pdf", "p.pdf")
        store.replace_candidates(SHA, [Candidate(f"p{page}", SHA, page, (0, 0, 10, 10), "pdfplumber")
                                       for page in range(2, 8)])
        store.add_labels([Label("p2", False, 0.97, "heuristic"), Label("p3", True, 0.95, "heuristic"),
                          Label("p4", True, 0.9, "heuristic"), Label("p5", True, 0.52, "heuristic"),
                          Label("p6", True, 0.6, "heuristic"), Label("p7", True, 0.99, "heuristic"),
                          Label("p7", True, 0.99, "rule:auto-accept")])
        yield store


def session_on(store, qtbot, sort_by_uncertainty=False) -> ReviewSession:
    session = ReviewSession(store, "human:ann")
    session.sort_by_uncertainty = sort_by_uncertainty
    with qtbot.waitSignal(session.current_changed):
        session.load(SHA)
    return session


def test_review_opens_on_the_first_soe_table_not_the_first_candidate(store, qtbot):
    session = session_on(store, qtbot)
    assert session.candidates[0].id == "p2"  # page order still starts at the abbreviation list
    assert session.current == "p3"


def test_sorted_by_uncertainty_the_review_opens_on_the_most_uncertain_open_candidate(store, qtbot):
    session = session_on(store, qtbot, sort_by_uncertainty=True)
    assert session.current == "p5"
    order = [c.id for c in session.candidates]
    assert order[:2] == ["p5", "p6"] and order[-1] == "p7"  # most uncertain first, the settled one last


def test_a_document_without_any_soe_opens_on_its_first_candidate(store, qtbot):
    store.add_labels([Label(f"p{page}", False, 1.0, "human:ann") for page in range(3, 8)])
    assert session_on(store, qtbot).current == "p2"


def test_counts_keep_your_decisions_apart_from_the_rule(store, qtbot):
    session = session_on(store, qtbot)
    assert (session.counts().by_you, session.counts().by_rule, session.counts().total) == (0, 1, 6)
    session.accept()  # p3
    session.select("p7")
    session.mark_not_soe()  # a person overrides the rule: now it is theirs
    counts = session.counts()
    assert (counts.by_you, counts.by_rule) == (2, 0)
    assert counts.text == "2 of 6 reviewed by you · 0 accepted by rule"


def test_s_sets_soe_on_a_not_soe_suggestion_and_moves_on(store, qtbot):
    session = session_on(store, qtbot)
    session.select("p2")  # suggested: not SoE
    session.mark_soe()
    assert session.label("p2").is_human and session.label("p2").is_soe
    assert session.current == "p3"


def test_n_sets_not_soe_on_an_soe_suggestion_and_moves_on(store, qtbot):
    session = session_on(store, qtbot)
    assert session.current == "p3"  # suggested: SoE
    session.mark_not_soe()
    assert session.label("p3").is_human and not session.label("p3").is_soe
    assert session.current == "p4"


def test_a_keeps_the_suggestion_whatever_it_is(store, qtbot):
    session = session_on(store, qtbot)
    session.select("p2")
    session.accept()
    session.accept()
    assert [(session.label(c).is_human, session.label(c).is_soe) for c in ("p2", "p3")] == [(True, False), (True, True)]
    assert session.current == "p4"


def test_undo_takes_the_decision_back_and_returns_to_its_table(store, qtbot):
    session = session_on(store, qtbot)
    session.select("p2")
    session.mark_soe()
    session.undo_stack.undo()
    assert (session.label("p2").source, session.label("p2").is_soe) == ("heuristic", False)
    assert session.current == "p2"
    session.undo_stack.redo()
    assert session.label("p2").is_human and session.label("p2").is_soe


def test_a_decision_on_the_last_table_stays_on_it(store, qtbot):
    session = session_on(store, qtbot)
    session.select("p7")
    session.accept()
    assert session.current == "p7" and session.label("p7").is_human


def test_sorted_by_uncertainty_a_decision_moves_to_the_next_most_uncertain(store, qtbot):
    session = session_on(store, qtbot, sort_by_uncertainty=True)
    assert session.current == "p5"
    session.accept()
    assert session.current == "p6"


def test_space_switches_the_table_and_stays_on_it(store, qtbot):
    session = session_on(store, qtbot)
    session.toggle()
    assert session.current == "p3" and not session.label("p3").is_soe


@pytest.fixture
def two_page_table(tmp_path):
    """Pages 3-4: one SoE table over two pages (one group); page 5: another table."""
    with Store(tmp_path / "db.sqlite") as store:
        store.add_document(Document("/t.pdf", SHA, 6), "/t.pdf", "t.pdf")
        store.replace_candidates(SHA, [Candidate("t3", SHA, 3, (0, 0, 10, 10), "pdfplumber", group="soe"),
                                       Candidate("t4", SHA, 4, (0, 0, 10, 10), "pdfplumber", group="soe"),
                                       Candidate("p5", SHA, 5, (0, 0, 10, 10), "pdfplumber")])
        store.add_labels([Label("t3", True, 0.9, "heuristic"), Label("t4", True, 0.8, "heuristic"),
                          Label("p5", False, 0.9, "heuristic")])
        yield store


def test_a_decision_on_one_page_of_a_table_covers_all_its_pages(two_page_table, qtbot):
    session = session_on(two_page_table, qtbot)
    assert session.current == "t3"
    session.mark_not_soe()
    assert all(session.label(c).is_human and not session.label(c).is_soe for c in ("t3", "t4"))
    assert session.current == "p5"  # the table's other page is settled: the next table is p5
    assert session.soe_pages() == []
    assert session.counts().by_you == 2
    session.undo_stack.undo()  # one undo takes the whole table's decision back
    assert [session.label(c).source for c in ("t3", "t4")] == ["heuristic", "heuristic"]
    assert session.soe_pages() == [3, 4] and session.current == "t3"
