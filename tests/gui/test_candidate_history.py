"""The review panel shows the selected candidate's history: labels, decisions and undos, newest first."""

from __future__ import annotations

import pytest

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.models.review_session import ReviewSession
from soe_desktop.gui.views.candidate_history import history_line
from soe_desktop.gui.views.review_panel import ReviewPanel

SHA = "ef" * 32


@pytest.fixture
def panel(tmp_path, qtbot):
    with Store(tmp_path / "db.sqlite") as store:
        store.add_document(Document("/p.pdf", SHA, 3), "/p.pdf", "p.pdf")
        store.replace_candidates(SHA, [Candidate(f"p{page}", SHA, page, (0, 0, 10, 10), "pdfplumber") for page in (1, 2)])
        store.add_labels([Label("p1", True, 0.9, "heuristic", reason="grid of marks")])
        session = ReviewSession(store, "human:ann")
        panel = ReviewPanel(session)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(session.current_changed):
            session.load(SHA)
        session.select("p1")
        yield panel


def _lines(panel) -> list[str]:
    return [panel.history.list.item(row).text() for row in range(panel.history.list.count())]


def test_history_shows_the_teacher_label_of_the_selected_candidate(panel):
    (line,) = _lines(panel)
    assert "heuristic" in line and "– → SoE" in line and "grid of marks" in line


def test_a_decision_and_its_undo_appear_at_the_top(panel):
    panel.session.decide(False, "marked not SoE")  # stays on the candidate (the N key moves on)
    assert "human:ann" in _lines(panel)[0] and "SoE → not SoE" in _lines(panel)[0]
    panel.session.undo_stack.undo()
    lines = _lines(panel)
    assert len(lines) == 3 and lines[0].split(" · ")[2] == "undo" and "not SoE → SoE" in lines[0]


def test_another_candidate_has_its_own_history(panel):
    panel.session.select("p2")
    assert _lines(panel) == ["no labels yet"]
    panel.session.select("")
    assert _lines(panel) == []


def test_a_line_names_the_os_user_and_the_active_model():
    event = {"at": "2025-02-03T10:11:12.000+00:00", "source": "student:v3", "os_user": "carol", "action": "label.add",
             "old_value": "", "new_value": "not SoE", "details": {"reason": ""}, "model_version": "v3"}
    assert history_line(event) == "2025-02-03 10:11:12 · student:v3 (carol) · label · – → not SoE · model v3"
