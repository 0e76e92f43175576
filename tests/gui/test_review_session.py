"""Where a document's review starts, the uncertainty order, and the counts kept apart by who settled."""

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
    session.reject()  # a person overrides the rule: now it is theirs
    counts = session.counts()
    assert (counts.by_you, counts.by_rule) == (2, 0)
    assert counts.text == "2 of 6 reviewed by you · 0 accepted by rule"
