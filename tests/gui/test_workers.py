"""The one worker pattern: results, one-line errors and cancellation come back as signals."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Slot

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import Progress, check
from soe_desktop.gui.workers import Worker, WorkerPool


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
    assert recorder.events == [("progress", 1), ("progress", 2), ("progress", 3), ("finished", "ok")]
    assert recorder.threads == {threading.get_ident()}


def test_user_errors_become_one_line_messages(qtbot):
    def task(progress, cancel):
        raise BadInputError("broken.pdf: the PDF is damaged")

    assert _run(qtbot, task).events == [("failed", "broken.pdf: the PDF is damaged")]


def test_a_bug_in_a_task_is_reported_not_raised(qtbot):
    def task(progress, cancel):
        return 1 / 0

    events = _run(qtbot, task).events
    assert events[0][0] == "failed" and "ZeroDivisionError" in events[0][1]


def test_cancelled_task_reports_cancelled(qtbot):
    def task(progress, cancel):
        check(cancel)
        return "should not finish"

    assert _run(qtbot, task, cancel_first=True).events == [("cancelled",)]
