"""The LoRA student end to end in the window, through the training child process: a kill -9 of the
child mid-training costs that run only (nothing registered as active, the library intact), the next
click trains it to completion, the gate's verdict is shown, it is made active, and it then labels a
newly dropped protocol in the student's own child process."""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3

import pytest

from gui_test_helpers import drop_files, wait_for_queue

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(importlib.util.find_spec(name) is None for name in ("torch", "peft", "transformers",
                                                                               "psutil")),
                       reason="training extra not installed"),
]
TINY_LORA = {"epochs": 2, "batch_size": 8, "max_tokens": 16, "validation_fraction": 0.5, "threads": 1}
TRAIN_TIMEOUT_MS = 300_000  # the child imports torch and loads the base model first
QUEUE_TIMEOUT_MS = 240_000


def _training_children() -> list:
    """The training child: a multiprocessing child of this test process (not its resource tracker)."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "multiprocessing" in command and "resource_tracker" not in command:
            found.append(child)
    return found


def _drop(qtbot, window, path) -> str:
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window, QUEUE_TIMEOUT_MS)
    entry = window.queue.model.entries[-1]
    assert entry.status in ("needs review", "done"), entry.message
    return entry.sha256


def _choose_lora(panel) -> None:
    from soe_desktop.core.training.arguments import FEATURES_HEAD

    panel.head.setCurrentIndex(next(i for i in range(panel.head.count()) if panel.head.itemData(i) != FEATURES_HEAD))
    panel.source.setCurrentText("teacher-all")  # the sample's heuristic labels, agreed or not
    panel.args_overrides = dict(TINY_LORA)


def test_lora_student_survives_a_killed_run_then_trains_wins_activation_and_labels_a_new_protocol(
        make_window, three_protocols, qtbot, monkeypatch):
    import soe_desktop.gui.views.gate_view as gate_view

    window = make_window()
    window.start_up.finish_now()
    for path in three_protocols[:2]:
        _drop(qtbot, window, path)
    panel = window.training_panel
    _choose_lora(panel)
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)

    with qtbot.waitSignal(panel.run_finished, timeout=TRAIN_TIMEOUT_MS) as killed:
        panel.start()
        qtbot.waitUntil(lambda: bool(panel.plot.losses), timeout=TRAIN_TIMEOUT_MS)  # mid-training
        children = _training_children()
        assert children, "no training child process found"
        for child in children:
            os.kill(child.pid, signal.SIGKILL)
    assert killed.args[0]["status"] == "failed" and killed.args[0]["error"], killed.args[0]
    assert "Training failed" in panel.status.text() or "failed" in panel.status.text()
    assert window.store.active_model() is None
    with sqlite3.connect(window.store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    qtbot.waitUntil(lambda: not panel.is_running() and panel.start_button.isEnabled(), timeout=30_000)

    with qtbot.waitSignal(panel.run_finished, timeout=TRAIN_TIMEOUT_MS) as finished:
        panel.start()
    outcome = finished.args[0]
    assert outcome["status"] == "completed", outcome.get("error")
    version = outcome["version"]
    assert window.store.model(version)["args"]["head"] == "features+text"
    assert panel.comparison.verdict.text(), "the gate's verdict is not shown"

    monkeypatch.setattr(gate_view, "confirm_anyway", lambda *_: True)  # nothing reviewed: the gate cannot judge
    with qtbot.waitSignal(panel.model_activated, timeout=30_000):
        panel.comparison.make_active.click()
    assert window.store.active_model()["version"] == version

    sha = _drop(qtbot, window, three_protocols[2])
    sources = {label.source for label in window.store.labels(sha256=sha, source_prefix="student:")}
    assert sources == {f"student:{version}"}
