"""The one worker pattern: results, partial results, one-line errors and cancellation come back as
signals on the GUI thread; a held pool keeps workers waiting without a thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Slot

from soe_desktop.core.errors import BadInputError
import pytest

from soe_desktop.core.jobs import Partial, Progress, check
from soe_desktop.gui.workers import Worker, WorkerPool, create_worker


class Recorder(QObject):
    """Receives worker signals on the GUI thread, as the app's panels do."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple] = []
        self.threads: set[int] = set()

    def _note(self, *event) -> None:
        self.events.append(event)
        self.threads.add(threading.get_ident())

    @Slot(object)
    def progress(self, report) -> None:
        self._note("progress", report.done)

    @Slot()
    def started(self) -> None:
        self._note("started")

    @Slot(object)
    def partial(self, partial) -> None:
        self._note("partial", partial.items, partial.page)

    @Slot(object)
    def finished(self, result) -> None:
        self._note("finished", result)

    @Slot(str)
    def failed(self, message) -> None:
        self._note("failed", message)

    @Slot()
    def cancelled(self) -> None:
        self._note("cancelled")


def _run(qtbot, task, cancel_first: bool = False) -> Recorder:
    pool = WorkerPool(max_threads=1)
    recorder = Recorder()
    worker = Worker(task)
    worker.signals.started.connect(recorder.started)
    worker.signals.partial.connect(recorder.partial)
    worker.signals.progress.connect(recorder.progress)
    worker.signals.finished.connect(recorder.finished)
    worker.signals.failed.connect(recorder.failed)
    worker.signals.cancelled.connect(recorder.cancelled)
    if cancel_first:
        worker.cancel()
    with qtbot.waitSignal(worker.signals.ended, timeout=10_000):
        pool.start(worker)
    assert pool.shutdown()
    return recorder


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    def task(progress, cancel):
        for done in range(1, 4):
            progress(Progress("reading", done, 3))
        return "ok"

    recorder = _run(qtbot, task)
    assert recorder.events == [("started",), ("progress", 1), ("progress", 2), ("progress", 3), ("finished", "ok")]
    assert recorder.threads == {threading.get_ident()}


def test_user_errors_become_one_line_messages(qtbot):
    def task(progress, cancel):
        raise BadInputError("broken.pdf: the PDF is damaged")

    assert _run(qtbot, task).events == [("started",), ("failed", "broken.pdf: the PDF is damaged")]


def test_a_bug_in_a_task_is_reported_not_raised(qtbot):
    def task(progress, cancel):
        return 1 / 0

    events = _run(qtbot, task).events
    assert events[1][0] == "failed" and "ZeroDivisionError" in events[1][1]


def test_cancelled_task_reports_cancelled(qtbot):
    def task(progress, cancel):
        check(cancel)
        return "should not finish"

    assert _run(qtbot, task, cancel_first=True).events == [("cancelled",)]


def test_a_partial_result_arrives_on_its_own_signal_after_its_progress(qtbot):
    def task(progress, cancel):
        progress(Progress("reading", 1, 4))
        progress(Progress("reading", 1, 4, partial=Partial(("box-a", "box-b"), page=1)))
        progress(Progress("detecting", 1, 1))
        return "done"

    recorder = _run(qtbot, task)
    assert recorder.events == [("started",), ("progress", 1), ("progress", 1), ("partial", ("box-a", "box-b"), 1),
                               ("progress", 1), ("finished", "done")]
    assert recorder.threads == {threading.get_ident()}


def test_create_worker_runs_plain_callables_on_the_gui_thread(qtbot):
    seen, threads = [], set()

    def note(*event):
        seen.append(event)
        threads.add(threading.get_ident())

    def task(progress, cancel):
        progress(Progress("exporting", 0, 1, partial=Partial((7,))))
        return 42

    pool = WorkerPool(max_threads=1)
    worker = create_worker(task, "answer", started=lambda: note("started"), partial=lambda p: note("partial", p.items),
                           progress=lambda r: note("progress", r.stage), finished=lambda r: note("finished", r),
                           failed=lambda m: note("failed", m), ended=lambda: note("ended"))
    with qtbot.waitSignal(worker.signals.ended, timeout=10_000):
        pool.start(worker)
    qtbot.waitUntil(lambda: ("ended",) in seen)
    assert seen == [("started",), ("progress", "exporting"), ("partial", (7,)), ("finished", 42), ("ended",)]
    assert threads == {threading.get_ident()}, "a callback ran on the pool thread"
    assert pool.shutdown()


def test_pool_run_reports_a_failure_message_and_a_cancel(qtbot):
    pool, outcome = WorkerPool(max_threads=1), []
    release = threading.Event()

    def fails(progress, cancel):
        raise BadInputError("scan.pdf: no pages")

    def waits(progress, cancel):
        release.wait(5)
        check(cancel)
        return "not reached"

    failing = pool.run(fails, failed=outcome.append)
    qtbot.waitUntil(lambda: outcome == ["scan.pdf: no pages"], timeout=10_000)
    waiting = pool.run(waits, started=lambda: outcome.append("started"), cancelled=lambda: outcome.append("cancelled"),
                       finished=outcome.append)
    qtbot.waitUntil(lambda: "started" in outcome, timeout=10_000)
    waiting.cancel()
    release.set()
    qtbot.waitUntil(lambda: outcome[-1] == "cancelled", timeout=10_000)
    assert outcome == ["scan.pdf: no pages", "started", "cancelled"] and failing is not waiting
    assert pool.shutdown()


def test_create_worker_refuses_a_signal_it_does_not_have():
    with pytest.raises(TypeError, match="returned"):
        create_worker(lambda progress, cancel: None, returned=print)


def test_a_held_pool_keeps_workers_waiting_without_a_thread_then_runs_them_in_order(qtbot):
    pool, ran = WorkerPool(max_threads=1), []
    pool.hold()
    first = pool.run(lambda progress, cancel: ran.append("first"))
    dropped = pool.run(lambda progress, cancel: ran.append("dropped"))
    last = pool.run(lambda progress, cancel: ran.append("last"))
    qtbot.wait(100)
    assert pool.pool.activeThreadCount() == 0 and ran == [], "a held worker took a thread"
    assert pool.take(dropped) and not pool.take(dropped)
    assert [w.name for w in pool.active] == [first.name, last.name]
    pool.release()
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=10_000)
    assert ran == ["first", "last"] and not pool.held
    assert pool.shutdown()


def test_shutdown_ends_held_workers_as_cancelled_without_running_them(qtbot):
    pool, ran, outcome = WorkerPool(max_threads=1), [], []
    pool.hold()
    pool.run(lambda progress, cancel: ran.append("ran"), cancelled=lambda: outcome.append("cancelled"))
    assert pool.shutdown(5_000)
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=5_000)
    assert ran == []
