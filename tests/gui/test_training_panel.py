"""Training from the panel: a tiny run completes, registers a version that can be made active,
and a run can be cancelled; the GUI thread only receives signals."""

from __future__ import annotations

import importlib.util

import pytest

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.settings import load_settings
from soe_desktop.core.store import Store

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in ("torch", "peft", "transformers")),
    reason="training extra not installed",
)
TINY = {"epochs": 1, "batch_size": 8, "max_tokens": 16, "validation_fraction": 0.5, "threads": 1}


def _candidate(sha: str, index: int, soe: bool) -> Candidate:
    rows = ([["Procedure", "Screening", "Day 1", "Week 4"], ["Informed consent", "X", "", ""],
             ["Vital signs", "X", "X", "X"]] if soe else
            [["Parameter", "Unit", "Range"], ["ALT", "U/L", "0-40"], ["Creatinine", "mg/dL", "0.6-1.2"]])
    context = "Schedule of Activities" if soe else "Laboratory reference ranges"
    return Candidate(id=f"{sha[:6]}-{index}", document_sha256=sha, page=index + 1, bbox=(50, 60, 500, 400),
                     detector="pdfplumber", rows=rows, context=context)


@pytest.fixture
def labelled_store(isolated_app_dirs):
    """Two documents of teacher-labelled candidates (both classes), written straight to the store."""
    settings = load_settings()
    with Store(settings.db_path) as store:
        for doc in range(2):
            sha = f"{doc:02d}" * 32
            store.add_document(Document(f"/tmp/doc{doc}.pdf", sha, 12), f"/tmp/doc{doc}.pdf", f"doc{doc}.pdf")
            candidates = [_candidate(sha, i, soe=i % 2 == 0) for i in range(12)]
            store.replace_candidates(sha, candidates)
            store.add_labels([Label(c.id, c.context.startswith("Schedule"), 0.95, "heuristic", agree=True)
                              for c in candidates])
    return settings


@pytest.fixture
def panel(qtbot, labelled_store):
    from soe_desktop.gui.views.training_panel import TrainingPanel

    store = Store(labelled_store.db_path)
    widget = TrainingPanel(store, labelled_store)
    widget.args_overrides = dict(TINY)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()
    store.close()


def test_panel_shows_the_training_set_size_and_filter_coverage(panel):
    assert panel.dataset_size == 24
    assert "24 examples (12 SoE, 12 not)" in panel.size_label.text()
    assert "keeps 100%" in panel.size_label.text()
    panel.threshold.setValue(0.99)  # above every teacher confidence: nothing passes the filter
    assert panel.dataset_size == 0 and not panel.start_button.isEnabled()


def test_a_tiny_run_completes_and_can_be_made_active(panel, qtbot):
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        panel.start_button.click()
        assert panel.cancel_button.isEnabled()
    outcome = finished.args[0]
    assert outcome["status"] == "completed", outcome.get("error")
    assert panel.plot.losses, "no loss point reached the curve"
    assert panel.models.rowCount() == 1 and panel.models.item(0, 1).text() == "completed"
    panel.models.selectRow(0)
    with qtbot.waitSignal(panel.model_activated):
        panel.activate_button.click()
    assert panel.store.active_model()["version"] == outcome["version"]
    qtbot.waitUntil(lambda: not panel.is_running())


def test_a_run_can_be_cancelled(panel, qtbot):
    panel.args_overrides["epochs"] = 50
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        panel.start()
        qtbot.waitUntil(lambda: bool(panel.plot.losses), timeout=120_000)
        panel.cancel_button.click()
    assert finished.args[0]["status"] == "cancelled"
    assert panel.store.active_model() is None
    qtbot.waitUntil(lambda: panel.start_button.isEnabled())
