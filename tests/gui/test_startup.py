"""Start-up: the window shows first; the heavy imports run after its first paint, and the
ingest queue waits for them (documents queued meanwhile are processed right after)."""

from __future__ import annotations

import time

from soe_desktop.gui import startup
from soe_desktop.gui.startup import IngestGate
from soe_desktop.gui.workers import Worker, WorkerPool

from gui_test_helpers import wait_for_queue


def test_heavy_start_up_runs_after_the_window_shows_and_the_queue_waits_for_it(make_window, small_protocol,
                                                                               qtbot, monkeypatch):
    seen = {}
    real_import = startup.import_pipeline

    def slow_import():
        seen["visible"] = window.isVisible()
        time.sleep(0.6)  # an ingest worker that was not held would add the document meanwhile
        seen["documents"] = len(window.store.documents())
        real_import()

    monkeypatch.setattr(startup, "import_pipeline", slow_import)
    window = make_window([str(small_protocol[0])])
    assert not seen, "the heavy start-up steps ran before the window was shown"
    assert not window.start_up.is_ready()
    (entry,) = window.queue.model.entries
    assert entry.status == "queued"
    assert "Starting" in window.queue_panel.hint.text() and "Starting" in window.status_text.text()

    qtbot.waitUntil(window.start_up.is_ready, timeout=30_000)
    assert seen == {"visible": True, "documents": 0}
    assert "Starting" not in window.queue_panel.hint.text()
    wait_for_queue(qtbot, window)
    assert entry.status in ("needs review", "done") and window.session.candidates
    assert window.dashboard.is_built(), "the dashboard is built during start-up, not on first click"


def test_the_first_run_sample_waits_for_start_up_too(make_window, qtbot):
    window = make_window(open_sample=True)
    assert [(e.name, e.status) for e in window.queue.model.entries] == [("sample_protocol.pdf", "queued")]
    assert "Starting" in window.queue_panel.hint.text()
    window.start_up.finish_now()  # what scripts and benchmarks call for a settled window
    assert window.start_up.is_ready() and "Starting" not in window.queue_panel.hint.text()
    wait_for_queue(qtbot, window)
    assert window.session.candidates


class _Ran:
    def __init__(self) -> None:
        self.count = 0

    def task(self, _progress, _cancel) -> None:
        self.count += 1


def test_the_gate_holds_queued_work_until_opened_and_lets_a_quit_through(qtbot):
    pool = WorkerPool(max_threads=1)
    gate, ran = IngestGate(pool), _Ran()
    pool.start(Worker(ran.task, name="held"))
    time.sleep(0.2)
    assert ran.count == 0 and not gate.is_open()
    assert pool.pool.activeThreadCount() == 0, "the closed gate keeps a thread busy (polling)"
    gate.open()
    qtbot.waitUntil(lambda: ran.count == 1, timeout=5_000)
    assert pool.shutdown(5_000)

    closed_pool = WorkerPool(max_threads=1)
    IngestGate(closed_pool)
    never = _Ran()
    closed_pool.start(Worker(never.task, name="never"))
    started = time.perf_counter()
    assert closed_pool.shutdown(5_000), "a closed gate must not keep the app from quitting"
    assert time.perf_counter() - started < 2.0 and never.count == 0


def test_a_document_queued_behind_the_closed_gate_can_be_cancelled_before_it_starts(qtbot, isolated_app_dirs,
                                                                                    small_protocol):
    from soe_desktop.core.settings import Settings
    from soe_desktop.gui.ingest_queue import IngestQueue

    queue = IngestQueue(Settings())
    gate = IngestGate(queue.pool)
    (key,) = queue.add_paths([str(small_protocol[0])])
    assert queue.model.entry(key).status == "queued" and queue.pool.pool.activeThreadCount() == 0
    with qtbot.waitSignal(queue.idle, timeout=5_000):
        queue.cancel(key)
    assert queue.model.entry(key).status == "cancelled"
    assert queue.model.entry(key).message == "cancelled before it started"
    gate.open()
    qtbot.wait(200)
    assert queue.model.entry(key).status == "cancelled" and queue.pool.active == []
    queue.shutdown()
