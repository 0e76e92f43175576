"""The review panel says when the auto-accept rule refused a table because its page was read
uncertainly (OCR, sideways, redacted), under the label's own reason; not for plain pages, nor once a
person decided."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.uncertain_reading import temper_label
from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.models.review_session import ReviewSession

SHA = "ab" * 32


def _candidate(cid: str, page: int, **features) -> Candidate:
    return Candidate(cid, SHA, page, (0, 0, 10, 10), "pdfplumber", features=dict(features))


@pytest.fixture
def panel(tmp_path, qtbot):
    from soe_desktop.gui.views.review_panel import ReviewPanel

    store = Store(tmp_path / "db.sqlite")
    store.add_document(Document("/p.pdf", SHA, 3), "/p.pdf", "p.pdf")
    misread = _candidate("ocr", 1, ocr=1.0, reading_uncertain=1.0)
    store.replace_candidates(SHA, [misread, _candidate("plain", 2), _candidate("redacted", 3, reading_uncertain=1.0,
                                                                               redacted=1.0)])
    store.add_labels([temper_label(Label("ocr", False, 0.98, "heuristic"), note="read by OCR"),
                      Label("plain", True, 0.99, "heuristic", reason="visit header and X marks"),
                      Label("redacted", True, 0.98, "gemini")])
    session = ReviewSession(store, "human:ann")
    widget = ReviewPanel(session)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(session.current_changed):
        session.load(SHA)
    yield widget
    store.close()


def test_a_misread_page_shows_why_the_rule_left_it_open(panel):
    panel.session.select("ocr")
    lines = panel.reason.text().splitlines()
    assert lines[0].startswith("read by OCR: left for review (confidence lowered from 0.98)")
    assert lines[-1] == "Auto-accept refused: read by OCR: left for review"
    panel.session.select("redacted")
    assert panel.reason.text() == "Auto-accept refused: redacted: left for review"


def test_a_plain_page_or_a_decided_one_shows_no_refusal(panel, qtbot):
    panel.session.select("plain")
    assert panel.reason.text() == "visit header and X marks"
    panel.session.select("ocr")
    with qtbot.waitSignal(panel.session.labels_changed):
        panel.session.accept()
    panel.session.select("ocr")
    assert "Auto-accept refused" not in panel.reason.text()


def test_the_reason_is_shown_as_plain_text(panel):
    from PySide6.QtCore import Qt

    assert panel.reason.textFormat() == Qt.TextFormat.PlainText  # a reason quoting "<b>" stays text
