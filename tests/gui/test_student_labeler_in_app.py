"""The active student labels dropped documents in its own process: loaded once for many documents,
reloaded when another model is made active, never loaded in the window's process."""

from __future__ import annotations

import importlib.util
from dataclasses import replace

import pytest


from gui_test_helpers import drop_files, student_candidate, wait_for_queue

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in ("torch", "peft", "transformers")),
    reason="training extra not installed",
)
QUEUE_TIMEOUT_MS = 180_000  # the first document waits for the child to import torch and load the model


def _register_two_versions(window, result) -> tuple[str, str]:
    from soe_desktop.core.training.registry import ModelRegistry

    registry = ModelRegistry.from_settings(window.store, window.settings)
    first = registry.register(result, activate=False)["version"]
    second = registry.register(replace(result, version=f"{result.version}-b"), activate=False)["version"]
    window.training_panel.refresh_models()
    return first, second


def _activate(qtbot, window, version: str) -> None:
    """Make `version` active as the panel's button does (on a worker) and wait until it is."""
    with qtbot.waitSignal(window.training_panel.model_activated, timeout=10_000):
        window.training_panel.activate(version)


def _drop_copy(qtbot, window, source, folder, number: int) -> str:
    """Drop a copy of `source` with new bytes (not a duplicate); returns its sha256 once processed."""
    copy = folder / f"protocol_{number}.pdf"
    copy.write_bytes(source.read_bytes() + f"\n% copy {number}\n".encode())
    assert drop_files(window, [copy])
    wait_for_queue(qtbot, window, QUEUE_TIMEOUT_MS)
    entry = window.queue.model.entries[-1]
    assert entry.status in ("needs review", "done"), entry.message
    return entry.sha256


def _student_sources(window, sha: str) -> dict[str, set[str]]:
    """Per candidate, the student sources that labelled it."""
    found: dict[str, set[str]] = {c.id: set() for c in window.store.candidates(sha)}
    for label in window.store.labels(sha256=sha, source_prefix="student:"):
        found[label.candidate_id].add(label.source)
    return found


def test_the_active_student_labels_drops_loads_once_and_follows_activation(make_window, small_protocol, tiny_student,
                                                                          qtbot, tmp_path, monkeypatch):
    from soe_desktop.core.training import labeler as student

    def not_here(*_args, **_kwargs):
        raise AssertionError("the student was loaded in the window's process")

    monkeypatch.setattr(student.StudentLabeler, "_load", not_here)  # the child process is not patched
    window = make_window()
    window.start_up.finish_now()
    first, second = _register_two_versions(window, tiny_student)
    _activate(qtbot, window, first)

    sha = _drop_copy(qtbot, window, small_protocol[0], tmp_path, 1)
    sources = _student_sources(window, sha)
    assert sources and all(found == {f"student:{first}"} for found in sources.values())
    _drop_copy(qtbot, window, small_protocol[0], tmp_path, 2)
    assert window.queue.student.loaded == [first], "the second document loaded the model again"

    _activate(qtbot, window, second)
    sha = _drop_copy(qtbot, window, small_protocol[0], tmp_path, 3)
    assert all(found == {f"student:{second}"} for found in _student_sources(window, sha).values())
    assert window.queue.student.loaded == [first, second]

    process = window.queue.student.process
    window.shutdown()
    assert process is not None and not process.is_alive(), "the student process outlived the window"


def test_a_document_cancelled_while_the_student_loads_leaves_the_queue_working(make_window, small_protocol,
                                                                              tiny_student, qtbot, tmp_path):
    window = make_window()
    window.start_up.finish_now()
    first, _ = _register_two_versions(window, tiny_student)
    window.store.activate_model(first)  # no warm-up: the dropped document itself starts the load
    copy = tmp_path / "cancelled.pdf"
    copy.write_bytes(small_protocol[0].read_bytes() + b"\n% cancelled\n")
    (key,) = window.add_paths([str(copy)])
    qtbot.waitUntil(lambda: window.queue.model.entry(key).status == "labelling" and window.queue.student.is_running(),
                    timeout=QUEUE_TIMEOUT_MS)
    window.queue.cancel(key)
    qtbot.waitUntil(lambda: window.queue.model.entry(key).status == "cancelled", timeout=5_000)

    sha = _drop_copy(qtbot, window, small_protocol[0], tmp_path, 4)
    assert all(found == {f"student:{first}"} for found in _student_sources(window, sha).values())
    assert window.queue.student.loaded == [first]


def test_activation_starts_loading_the_student_and_redraws_the_dashboard_only_when_shown(make_window, tiny_student,
                                                                                          monkeypatch, qtbot):
    window = make_window()
    window.start_up.finish_now()
    first, second = _register_two_versions(window, tiny_student)
    redraws = []
    monkeypatch.setattr(window.dashboard.panel(), "refresh", lambda: redraws.append(window.tabs.currentIndex()))
    window.show_training()
    assert not window.queue.student.is_running()

    _activate(qtbot, window, first)
    assert window.queue.student.is_running(), "activation did not start loading the student"
    assert redraws == [], "the hidden dashboard was redrawn on activation"
    window.show_dashboard()
    _activate(qtbot, window, second)
    assert len(redraws) == 2, "the dashboard on screen was not refreshed (tab shown, then activation)"


def test_a_folder_that_is_not_a_model_is_reported_and_a_closed_process_never_restarts(tmp_path):
    from soe_desktop.core.jobs import Cancelled
    from soe_desktop.gui.student_process import StudentError, StudentProcess

    student = StudentProcess()
    try:
        with pytest.raises(StudentError, match="not a SoE Desktop model folder"):
            student.label(tmp_path, [student_candidate(0, 0, soe=True)])
        assert student.is_running(), "an error in one request ended the child"
    finally:
        student.close()
    assert not student.is_running() and student.warm(tmp_path) is False and not student.is_running()
    with pytest.raises(Cancelled):
        student.label(tmp_path, [student_candidate(0, 0, soe=True)])
