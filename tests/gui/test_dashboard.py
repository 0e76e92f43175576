"""Dashboard numbers: labelers scored against human labels, filter coverage, cost."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.dashboard_stats import compute
from soe_desktop.gui.views.dashboard import DashboardPanel

SHA = "ab" * 32


def _store(tmp_path) -> Store:
    store = Store(tmp_path / "db.sqlite")
    store.add_document(Document("/x.pdf", SHA, 5), "/x.pdf", "x.pdf")
    store.replace_candidates(SHA, [Candidate(f"c{i}", SHA, i + 1, (0, 0, 10, 10), "pdfplumber") for i in range(4)])
    # teacher: c0 SoE (right), c1 SoE (wrong), c2 not (right), c3 not, low confidence (unreviewed)
    store.add_labels([Label("c0", True, 0.95, "heuristic", agree=True), Label("c1", True, 0.9, "heuristic", agree=True),
                      Label("c2", False, 0.9, "heuristic", agree=False), Label("c3", False, 0.6, "heuristic", agree=True)])
    store.add_labels([Label("c0", True, 1.0, "human:ann"), Label("c1", False, 1.0, "human:ann"),
                      Label("c2", False, 1.0, "human:ann")])
    retracted = store.add_labels([Label("c3", True, 1.0, "human:ann")])
    store.retract(retracted[0], "ann")  # undone: must not count
    # The rule settles c3 (nobody has looked) and c0 (a person did: that one counts as theirs).
    store.add_labels([Label("c3", False, 0.6, "rule:auto-accept"), Label("c0", True, 0.95, "rule:auto-accept")])
    store.add_ledger(document_sha256=SHA, model="gemini", input_tokens=100, output_tokens=10, cost_usd=0.25)
    return store


def test_labelers_filter_and_cost(tmp_path):
    with _store(tmp_path) as store:
        stats = compute(store, filter_threshold=0.8)
    teacher = stats.labelers["heuristic"]
    assert (teacher.tp, teacher.fp, teacher.tn, teacher.fn) == (1, 1, 1, 0)
    assert teacher.precision == 0.5 and teacher.recall == 1.0
    (row,) = stats.documents
    assert (row.candidates, row.reviewed_by_you, row.accepted_by_rule, row.soe_pages) == (4, 3, 1, 1)
    assert stats.filter_total == 4 and stats.filter_kept == 2  # c2 disagrees, c3 is below 0.8
    assert stats.filter_score.precision == 0.5
    assert stats.cost_usd == 0.25 and stats.requests == 1


def test_panel_fills_its_tables(qtbot, tmp_path):
    with _store(tmp_path) as store:
        panel = DashboardPanel(store)
        qtbot.addWidget(panel)
        panel.refresh()
        assert panel.documents.rowCount() == 1 and panel.documents.item(0, 5).text() == "3/4"
        assert panel.documents.item(0, 6).text() == "1"
        assert "3</b> reviewed by you" in panel.summary.text() and "1</b> accepted by rule" in panel.summary.text()
        assert panel.labelers.item(0, 0).text() == "heuristic"
        assert "$0.2500" in panel.summary.text()


def test_queue_shows_soe_pages_as_ranges():
    from soe_desktop.gui.models.queue_model import page_ranges

    assert page_ranges([35, 7, 8, 9, 10, 33, 34]) == "7–10, 33–35"
    assert page_ranges([3]) == "3" and page_ranges([]) == ""


def test_loss_curve_smoothing_starts_at_the_first_value_and_follows_the_trend():
    from soe_desktop.gui.views.loss_plot import smoothed

    values = [1.0, 0.8, 0.6, 0.4, 0.2]
    curve = smoothed(values)
    assert curve[0] == 1.0
    assert all(a > b for a, b in zip(curve, curve[1:]))
    assert curve[-1] > values[-1]  # lags behind the raw values
