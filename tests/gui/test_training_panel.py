"""Training from the panel: the training-data view (counted on a worker), a tiny run completes,
registers a version compared with the active labeler, the comparison's figures and differing pages,
"Make active" plain for a winner and behind a warning otherwise, and a run can be cancelled; the
GUI thread only receives signals."""

from __future__ import annotations

import importlib.util
import threading

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


def test_panel_shows_the_training_data_per_class_counted_off_the_gui_thread(panel, qtbot, monkeypatch):
    qtbot.waitUntil(lambda: panel.dataset_size == 24, timeout=10_000)
    box = panel.data_box
    assert [box.cell(0, c) for c in range(3)] == ["Human labels", "0", "0"]
    assert [box.cell(1, c) for c in range(3)] == ["Teacher labels kept", "12", "12"]
    assert [box.cell(2, c) for c in range(3)] == ["Teacher labels dropped by the filter", "0", "0"]
    assert "24 examples (12 SoE, 12 not) from 2 document(s)" in box.summary.text()
    assert "look-alike negative" in box.summary.text()
    assert "Only 12 SoE example(s), under 30" in box.warning.text() and panel.start_button.isEnabled()

    import soe_desktop.gui.views.training_panel as training_panel

    threads = []
    counted = training_panel.training_data_view
    monkeypatch.setattr(training_panel, "training_data_view",
                        lambda *args: threads.append(threading.current_thread()) or counted(*args))
    panel.threshold.setValue(0.99)  # above every teacher confidence: nothing passes the filter
    qtbot.waitUntil(lambda: panel.dataset_size == 0, timeout=10_000)
    assert threads and threading.main_thread() not in threads
    assert [box.cell(2, c) for c in range(1, 3)] == ["12", "12"] and not panel.start_button.isEnabled()


def _stored_model(store, settings, version: str, comparison: dict | None) -> None:
    folder = settings.models_dir / version
    folder.mkdir(parents=True)
    store.add_model(version=version, created_at="2026-01-01T00:00:00Z", base_model="tiny", status="completed",
                    path=str(folder), metrics={"promotion": comparison} if comparison else {})


def _figures(name: str, f1: float) -> dict:
    return {"name": name, "precision": f1, "recall": f1, "f1": f1, "tp": 5, "fp": 1, "fn": 1}


def _comparison(winner: str) -> dict:
    return {"method": "k-fold by document", "documents": 2, "pages": 12, "winner": winner,
            "challenger": _figures("student:v9", 0.9 if winner == "challenger" else 0.5),
            "champion": _figures("heuristic", 0.7), "different_pages": 1, "folds": 2, "held_out": ["doc0.pdf"],
            "differences": [{"document": "doc0.pdf", "sha256": "00", "page": 3, "truth": True,
                             "challenger": winner == "challenger", "champion": winner != "challenger"}],
            "reason": f"the new model {'wins' if winner == 'challenger' else 'loses'}"}


def _select(panel, version: str) -> None:
    panel.refresh_models()
    row = next(r for r in range(panel.models.rowCount()) if panel.models.item(r, 0).text() == version)
    panel.models.selectRow(row)


def test_a_model_that_won_the_gate_shows_both_figures_and_is_made_active_without_a_warning(panel, qtbot,
                                                                                          monkeypatch):
    import soe_desktop.gui.views.gate_view as gate_view

    monkeypatch.setattr(gate_view, "confirm_anyway", lambda *_: pytest.fail("no warning for a winner"))
    _stored_model(panel.store, panel.settings, "v9", _comparison("challenger"))
    _select(panel, "v9")
    view = panel.comparison
    assert view.figures.item(0, 0).text() == "New model (student:v9)" and view.figures.item(0, 1).text() == "0.900"
    assert view.figures.item(1, 0).text() == "Active labeler (heuristic)" and view.figures.item(1, 1).text() == "0.700"
    assert [view.differences.item(0, c).text() for c in range(5)] == ["doc0.pdf", "3", "SoE", "SoE", "not SoE"]
    assert view.make_active.text() == "Make active" and view.make_active.isEnabled()
    with qtbot.waitSignal(panel.model_activated):
        view.make_active.click()
    assert panel.store.active_model()["version"] == "v9"


@pytest.mark.parametrize("accepted", [False, True])
def test_a_model_that_lost_the_gate_is_made_active_only_after_the_warning(panel, qtbot, monkeypatch, accepted):
    import soe_desktop.gui.views.gate_view as gate_view

    warned = []
    monkeypatch.setattr(gate_view, "confirm_anyway", lambda _parent, text: warned.append(text) or accepted)
    _stored_model(panel.store, panel.settings, "v8", _comparison("champion"))
    _select(panel, "v8")
    assert panel.comparison.make_active.text() == "Make active anyway…"
    if accepted:
        with qtbot.waitSignal(panel.model_activated):
            panel.activate_button.click()  # the table's button goes through the same warning
    else:
        panel.activate_button.click()
        qtbot.wait(200)
    assert len(warned) == 1 and "did not choose model v8: the new model loses" in warned[0]
    assert (panel.store.active_model() or {}).get("version") == ("v8" if accepted else None)


def test_a_tiny_run_completes_is_compared_and_can_be_made_active(panel, qtbot, monkeypatch):
    import soe_desktop.gui.views.gate_view as gate_view

    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        panel.start_button.click()
        assert panel.cancel_button.isEnabled()
    outcome = finished.args[0]
    assert outcome["status"] == "completed", outcome.get("error")
    assert panel.plot.losses, "no loss point reached the curve"
    assert panel.models.rowCount() == 1 and panel.models.item(0, 1).text() == "completed"
    assert not outcome["activated"] and panel.store.active_model() is None  # the window leaves it to the user
    # Nothing reviewed in this library: the gate could not judge, so activation asks first.
    assert panel.store.model(outcome["version"])["metrics"]["promotion"] == outcome["comparison"]
    assert "no human-reviewed documents" in panel.comparison.verdict.text()
    monkeypatch.setattr(gate_view, "confirm_anyway", lambda *_: True)
    with qtbot.waitSignal(panel.model_activated):
        panel.comparison.make_active.click()
    assert panel.store.active_model()["version"] == outcome["version"]
    qtbot.waitUntil(lambda: not panel.is_running())


def test_a_run_can_be_cancelled(panel, qtbot):
    panel.args_overrides["epochs"] = 50
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.run_finished, timeout=120_000) as finished:
        panel.start()
        qtbot.waitUntil(lambda: bool(panel.plot.losses), timeout=120_000)
        panel.cancel_button.click()
    assert finished.args[0]["status"] == "cancelled"
    assert panel.store.active_model() is None
    qtbot.waitUntil(lambda: panel.start_button.isEnabled())


def test_the_model_choice_sets_the_head_and_its_epochs(panel):
    from soe_desktop.core.training.arguments import FEATURES_HEAD, LORA_HEAD_DEFAULTS, TrainingArguments

    panel.args_overrides = {}
    assert panel.head.currentData() == FEATURES_HEAD and panel.training_arguments().epochs == TrainingArguments.epochs
    panel.head.setCurrentIndex(panel.head.findData("features+text"))
    args = panel.training_arguments()
    assert args.head == "features+text" and args.epochs == LORA_HEAD_DEFAULTS["epochs"]
    assert args.calibration_folds == LORA_HEAD_DEFAULTS["calibration_folds"]


def test_after_a_review_one_click_learns_from_it_until_the_user_picks_a_source(qtbot, labelled_store):
    from soe_desktop.gui.views.training_panel import TrainingPanel

    with Store(labelled_store.db_path) as store:
        first = store.candidates()[0]
        store.add_labels([Label(first.id, not first.context.startswith("Schedule"), 1.0, "human:tester")])
    store = Store(labelled_store.db_path)
    panel = TrainingPanel(store, labelled_store)
    qtbot.addWidget(panel)
    try:
        qtbot.waitUntil(lambda: panel.data_view is not None, timeout=10_000)
        assert panel.source.currentText() == "human+teacher-filtered"
        assert panel.data_box.cell(0, 1) + panel.data_box.cell(0, 2) in ("10", "01")  # the one review counts
        panel.source.setCurrentText("teacher-filtered")
        panel.source.activated.emit(panel.source.currentIndex())  # as a user's pick does
        qtbot.waitUntil(lambda: panel.data_view.source == "teacher-filtered", timeout=10_000)
        panel.refresh_dataset()
        qtbot.wait(300)
        assert panel.source.currentText() == "teacher-filtered"  # the user's choice is kept
    finally:
        panel.shutdown()
        store.close()


def test_the_comparison_says_how_many_fair_documents_were_judged(panel):
    comparison = {**_comparison("champion"), "fair_documents": 2,
                  "left_out": {"the shipped teacher's page model was fitted on them": 30}}
    panel.comparison.show_comparison("v9", comparison)
    text = panel.comparison.fairness.text()
    assert "Judged on 2 fair reviewed document(s), 1 page(s) judged differently" in text
    assert "30 left out: the shipped teacher's page model was fitted on them" in text


def test_the_lora_box_asks_the_child_for_the_transformer_contender(panel, qtbot, monkeypatch):
    import soe_desktop.gui.views.training_panel as training_panel

    asked = []

    def fake_child(settings, source, threshold, args, with_lora=None):
        asked.append(with_lora)
        return lambda progress, cancel: {"status": "cancelled", "error": "", "version": "v0"}

    monkeypatch.setattr(training_panel, "training_in_child", fake_child)
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=10_000)
    panel.start()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=10_000)
    panel.with_lora.setChecked(True)
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=10_000)
    panel.start()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=10_000)
    assert asked == [None, True]  # unticked: only where the child finds a GPU; ticked: always
    panel.head.setCurrentIndex(panel.head.findData("text"))
    assert not panel.with_lora.isEnabled()  # a LoRA head trains alone
    assert "also trained v7 (features+text, gate page F1 0.910)" in training_panel.contenders_text(
        [{"version": "v7", "row": {"args": {"head": "features+text"}}, "comparison": {"challenger": {"f1": 0.91}}}])


def _fake_run(reports, outcome):
    """A training task that reports `reports` (done, total) then returns `outcome`, as the child does."""
    from soe_desktop.core.jobs import Progress

    def fake_child(*_args, **_kwargs):
        def task(progress, _cancel):
            for done, total in reports:
                progress(Progress("training", done, total, extra={"loss": 0.5}))
            return outcome

        return task

    return fake_child


def _completed(version: str, comparison: dict) -> dict:
    return {"status": "completed", "error": "", "version": version, "seconds": 3.0, "device": "cpu",
            "metrics": {"validation": {"f1": 0.9}}, "comparison": comparison, "contenders": [], "activated": False}


def test_the_progress_bar_is_full_at_done_and_empty_again_when_a_new_run_starts(panel, qtbot, monkeypatch):
    import soe_desktop.gui.views.training_panel as training_panel

    # Two of three steps reported, as when the gate's last check does not report its end.
    monkeypatch.setattr(training_panel, "training_in_child", _fake_run([(1, 3), (2, 3)], _completed("v1", {})))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.run_finished, timeout=10_000):
        panel.start()
    assert panel.status.text().startswith("Done") and panel.progress.value() == panel.progress.maximum() == 3
    assert panel.progress.text() == "100%"
    qtbot.waitUntil(lambda: panel.worker is None and panel.start_button.isEnabled(), timeout=10_000)
    monkeypatch.setattr(training_panel, "training_in_child", _fake_run([], {"status": "cancelled", "error": "",
                                                                            "version": "v2"}))
    panel.start()
    assert panel.progress.value() == 0 and panel.progress.text() == "0%"
    qtbot.waitUntil(lambda: panel.worker is None, timeout=10_000)


def test_after_a_cancelled_run_the_previous_comparison_and_its_button_are_gone(panel, qtbot, monkeypatch):
    import soe_desktop.gui.views.training_panel as training_panel

    monkeypatch.setattr(training_panel, "training_in_child",
                        _fake_run([(1, 1)], _completed("v1", _comparison("champion"))))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.run_finished, timeout=10_000):
        panel.start()
    view = panel.comparison
    assert view.make_active.text() == "Make active anyway…" and view.make_active.isEnabled()
    assert view.figures.rowCount() == 2
    qtbot.waitUntil(lambda: panel.worker is None and panel.start_button.isEnabled(), timeout=10_000)
    monkeypatch.setattr(training_panel, "training_in_child", _fake_run([], {"status": "cancelled", "error": "",
                                                                            "version": "v2"}))
    with qtbot.waitSignal(panel.run_finished, timeout=10_000):
        panel.start()
    assert panel.status.text() == "Run cancelled"
    assert view.version is None and not view.make_active.isEnabled() and view.make_active.text() == "Make active"
    assert view.figures.rowCount() == 0 and view.differences.rowCount() == 0
    assert view.verdict.text() == "Train a model to compare it with the active labeler."


def test_typing_300_epochs_is_not_read_as_30(panel, qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    import soe_desktop.gui.views.training_panel as training_panel
    from soe_desktop.gui.views.epochs_box import MAX_EPOCHS

    started = []
    monkeypatch.setattr(training_panel, "training_in_child",
                        lambda settings, source, threshold, args, with_lora=None: started.append(args.epochs)
                        or (lambda progress, cancel: {"status": "cancelled", "error": "", "version": "v0"}))
    panel.args_overrides = {}
    field = panel.epochs
    assert field.note.text() == f"1 to {MAX_EPOCHS}"  # the range is on screen before anything is typed
    field.spin.lineEdit().selectAll()
    qtbot.keyClicks(field.spin.lineEdit(), "300")
    assert field.spin.lineEdit().text() == "300"  # the third digit is kept, not dropped
    assert f"300 epochs is over the maximum of {MAX_EPOCHS}" in field.note.text()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    panel.start()
    assert not started and f"over the maximum of {MAX_EPOCHS}" in panel.message.text()  # no run on a guess
    qtbot.keyClick(field.spin.lineEdit(), Qt.Key.Key_Return)
    assert field.value() == MAX_EPOCHS and f"300 is over the maximum: set to {MAX_EPOCHS}" in field.note.text()
    assert panel.training_arguments().epochs == MAX_EPOCHS
    field.spin.lineEdit().selectAll()
    qtbot.keyClicks(field.spin.lineEdit(), "42")
    qtbot.keyClick(field.spin.lineEdit(), Qt.Key.Key_Return)
    assert field.value() == 42 and field.note.text() == f"1 to {MAX_EPOCHS}"
    panel.start()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=10_000)
    assert started == [42]
