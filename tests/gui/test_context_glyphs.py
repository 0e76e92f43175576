"""The review panel's Context and table text show no missing-glyph boxes from PDF fonts."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, Document
from soe_desktop.core.store import Store
from soe_desktop.gui.models.review_session import ReviewSession
from soe_desktop.gui.views.review_panel import ReviewPanel

SHA = "cd" * 32
BOXES = {"\u25af", "\ufffd", "\uf0e0", "\ue000"}


def test_context_and_table_cells_have_no_boxes(tmp_path, qtbot):
    context = "Table 3\u25afSchedule of Activities\nScreening \ufffdPhase (C\uf0e0ycles 1\ue000–6)"
    rows = [["Procedure", "Day\ufffd1"], ["\uf0b7 Vital signs", "X"]]
    with Store(tmp_path / "db.sqlite") as store:
        store.add_document(Document("/p.pdf", SHA, 1), "/p.pdf", "p.pdf")
        store.replace_candidates(SHA, [Candidate("p1", SHA, 1, (0, 0, 10, 10), "pdfplumber", rows, context=context)])
        session = ReviewSession(store, "human:ann")
        panel = ReviewPanel(session)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(session.current_changed):
            session.load(SHA)
        session.select("p1")
        shown = panel.context.toPlainText()
        assert shown == "Table 3 Schedule of Activities\nScreening Phase (C ycles 1 –6)"
        cells = [panel.grid.item(r, c).text() for r in range(2) for c in range(2)]
        assert cells == ["Procedure", "Day 1", "• Vital signs", "X"]
        assert not BOXES & set(shown + "".join(cells))
