"""The one pattern for background work: a QRunnable on a QThreadPool that runs a core task.

A core task is any callable `task(progress, cancel) -> result` (the signature every long core
function has). What it reports travels back through a `WorkerSignals` QObject created on the GUI
thread: started, progress (a `Progress`), partial (a `Partial` piece of the result, e.g. the boxes
of one page), then finished (the result), failed (a one-line message) or cancelled, and ended last.

`create_worker(task, finished=..., failed=...)` (after napari's `create_worker`) connects plain
callables so that they run on the GUI thread whatever they are; `WorkerPool.run` also starts it.
Connecting a signal straight to a lambda would run the lambda on the pool thread, so connect
only `@Slot` methods of GUI objects, or go through `create_worker`.

A `WorkerPool` can be held (`hold()` / `release()`): workers started meanwhile wait in a list,
without occupying a thread, and run in order once it is released (the start-up gate).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import CancelToken, Cancelled, Partial, Progress

log = logging.getLogger(__name__)

Task = Callable[[Callable[[Progress], None], CancelToken], Any]
SIGNALS = ("started", "progress", "partial", "finished", "failed", "cancelled", "ended")


class WorkerSignals(QObject):
    """Carrier of a worker's events; lives on the GUI thread."""

    started = Signal()  # the task began on a pool thread (never, when cancelled before it started)
    progress = Signal(object)  # Progress
    partial = Signal(object)  # Partial: a piece of the result, before the task ends
    finished = Signal(object)  # the task's result
    failed = Signal(str)  # one-line message
    cancelled = Signal()
    ended = Signal()  # always emitted last, whatever the outcome


class Worker(QRunnable):
    """Runs one core task; `cancel()` asks it to stop at its next check."""

    def __init__(self, task: Task, name: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)  # the WorkerPool keeps it until `ended`
        self.task = task
        self.name = name or getattr(task, "__name__", "task")
        self.token = CancelToken()
        self.signals = WorkerSignals()

    def cancel(self) -> None:
        self.token.cancel()

    def _progress(self, report: Progress) -> None:
        self.signals.progress.emit(report)
        if report.partial is not None:  # the one place a partial result leaves a core task
            self.signals.partial.emit(report.partial)

    def run(self) -> None:  # runs on a pool thread
        try:
            if self.token.cancelled:
                raise Cancelled()
            self.signals.started.emit()
            result = self.task(self._progress, self.token)
        except Cancelled:
            self.signals.cancelled.emit()
        except SoeError as error:
            self.signals.failed.emit(str(error))
        except Exception as error:  # a bug in a task must not kill the app; show it instead
            log.error("worker %s failed:\n%s", self.name, traceback.format_exc())
            self.signals.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.signals.finished.emit(result)
        finally:
            self.signals.ended.emit()


class _Callbacks(QObject):
    """Calls plain Python callables from a worker's signals, on the GUI thread.

    It lives on the GUI thread (a child of the worker's signals), so the signals, emitted on a
    pool thread, reach its slots through queued connections."""

    def __init__(self, signals: WorkerSignals, callbacks: dict[str, Callable]) -> None:
        super().__init__(signals)
        self.callbacks = callbacks
        for name in callbacks:
            getattr(signals, name).connect(getattr(self, f"_on_{name}"))

    def _call(self, name: str, *args) -> None:
        self.callbacks[name](*args)

    @Slot()
    def _on_started(self) -> None:
        self._call("started")

    @Slot(object)
    def _on_progress(self, report: Progress) -> None:
        self._call("progress", report)

    @Slot(object)
    def _on_partial(self, partial: Partial) -> None:
        self._call("partial", partial)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._call("finished", result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._call("failed", message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._call("cancelled")

    @Slot()
    def _on_ended(self) -> None:
        self._call("ended")


def create_worker(task: Task, name: str = "", **callbacks: Optional[Callable]) -> Worker:
    """A Worker for `task` whose events call `callbacks` (keyword per signal: started, progress,
    partial, finished, failed, cancelled, ended) on the GUI thread. Call on the GUI thread; start
    it with `WorkerPool.start`."""
    unknown = set(callbacks) - set(SIGNALS)
    if unknown:
        raise TypeError(f"no such worker signal: {', '.join(sorted(unknown))}")
    worker = Worker(task, name)
    chosen = {key: callback for key, callback in callbacks.items() if callback is not None}
    if chosen:
        _Callbacks(worker.signals, chosen)
    return worker


class WorkerPool(QObject):
    """A QThreadPool that keeps its workers alive until they end and can cancel/await them all.

    Used from the GUI thread only (start, take, hold, release, shutdown)."""

    def __init__(self, max_threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._workers: dict[int, Worker] = {}
        self._retired: list[Worker] = []  # ended, but their run() may still be returning
        self._held: list[Worker] | None = None  # a list while held: workers waiting for release()

    def run(self, task: Task, name: str = "", **callbacks: Optional[Callable]) -> Worker:
        """`create_worker(task, name, **callbacks)`, started on this pool."""
        return self.start(create_worker(task, name, **callbacks))

    def start(self, worker: Worker) -> Worker:
        self._purge_retired()
        key = id(worker)
        self._workers[key] = worker
        worker.signals.ended.connect(self._forget)
        worker.signals.setProperty("worker_key", key)
        if self._held is not None:
            self._held.append(worker)
        else:
            self.pool.start(worker)
        return worker

    def take(self, worker: Worker) -> bool:
        """Remove a worker that has not started yet (it will never run, nor emit anything)."""
        if self._held is not None and worker in self._held:
            self._held.remove(worker)
        elif not self.pool.tryTake(worker):
            return False
        self._workers.pop(id(worker), None)
        return True

    @property
    def held(self) -> bool:
        return self._held is not None

    def hold(self) -> None:
        """Keep workers started from now on waiting (in order, cancellable) until `release()`."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start the workers held so far, in the order they came, and stop holding."""
        held, self._held = self._held or [], None
        for worker in held:
            self.pool.start(worker)

    @Slot()
    def _forget(self) -> None:
        sender = self.sender()
        key = sender.property("worker_key") if sender is not None else None
        worker = self._workers.pop(key, None) if key is not None else None
        if worker is not None:
            self._retired.append(worker)
        self._purge_retired()

    def _purge_retired(self) -> None:
        """Drop Python references only once no pool thread can still be inside a run()."""
        if self.pool.activeThreadCount() == 0:
            self._retired.clear()

    @property
    def active(self) -> list[Worker]:
        return list(self._workers.values())

    def cancel_all(self) -> None:
        for worker in self.active:
            worker.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything and wait, so no thread outlives the app. Held workers are released
        cancelled: they end at once, reporting `cancelled`, without running their task."""
        self.cancel_all()
        self.release()
        done = self.pool.waitForDone(timeout_ms)
        if done:
            self._retired.clear()
        return done
