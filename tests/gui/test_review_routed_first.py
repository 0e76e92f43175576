"""Candidates routed to review (the student was unsure, Gemini could not be asked) come first."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.models.review_session import ReviewSession

SHA = "ef" * 32


def _session(tmp_path, qtbot, sort_by_uncertainty: bool) -> ReviewSession:
    store = Store(tmp_path / "db.sqlite")
    store.add_document(Document("/p.pdf", SHA, 5), "/p.pdf", "p.pdf")
    store.replace_candidates(SHA, [Candidate(f"p{page}", SHA, page, (0, 0, 10, 10), "pdfplumber")
                                   for page in range(1, 5)])
    store.add_labels([Label("p1", True, 0.51, "student:v1"),  # a coin flip, but confident enough not to route
                      Label("p2", True, 0.7, "student:v1", details={"routed": "review"}),
                      Label("p3", False, 0.72, "student:v1", details={"routed": "review"}),
                      Label("p4", True, 0.99, "student:v1")])
    session = ReviewSession(store, "human:ann")
    session.sort_by_uncertainty = sort_by_uncertainty
    with qtbot.waitSignal(session.current_changed):
        session.load(SHA)
    return session


def test_sorted_by_uncertainty_routed_candidates_lead_the_queue(tmp_path, qtbot):
    session = _session(tmp_path, qtbot, sort_by_uncertainty=True)
    assert [c.id for c in session.candidates] == ["p2", "p3", "p1", "p4"]
    assert session.current == "p2"
    session.store.close()


def test_the_u_key_goes_to_a_routed_candidate_first(tmp_path, qtbot):
    session = _session(tmp_path, qtbot, sort_by_uncertainty=False)
    session.select("p4")
    session.next_uncertain()
    assert session.current == "p2"
    session.accept()  # moves on to p3 in page order: start U from elsewhere
    session.select("p4")
    session.next_uncertain()
    assert session.current == "p3"
    session.accept()
    session.next_uncertain()
    assert session.current == "p1"
    session.store.close()
