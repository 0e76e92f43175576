"""The one pattern for background work: a QRunnable on a QThreadPool that runs a core task.

A core task is any callable `task(progress, cancel) -> result` (the signature every long core
function has). Its progress and outcome travel back through a `WorkerSignals` QObject created on
the GUI thread, so connected `@Slot` methods run on the GUI thread (queued connections).
Never connect these signals to lambdas: they would run in the worker thread (GUIDE §5).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import CancelToken, Cancelled, Progress

log = logging.getLogger(__name__)

Task = Callable[[Callable[[Progress], None], CancelToken], Any]


class WorkerSignals(QObject):
    """Carrier of a worker's events; lives on the GUI thread."""

    progress = Signal(object)  # Progress
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

    def _progress(self, progress: Progress) -> None:
        self.signals.progress.emit(progress)

    def run(self) -> None:  # runs on a pool thread
        try:
            if self.token.cancelled:
                raise Cancelled()
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


class WorkerPool(QObject):
    """A QThreadPool that keeps its workers alive until they end and can cancel/await them all."""

    def __init__(self, max_threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._workers: dict[int, Worker] = {}
        self._retired: list[Worker] = []  # ended, but their run() may still be returning

    def start(self, worker: Worker) -> Worker:
        self._purge_retired()
        key = id(worker)
        self._workers[key] = worker
        worker.signals.ended.connect(self._forget)
        worker.signals.setProperty("worker_key", key)
        self.pool.start(worker)
        return worker

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
        """Cancel everything and wait, so no thread outlives the app."""
        self.cancel_all()
        done = self.pool.waitForDone(timeout_ms)
        if done:
            self._retired.clear()
        return done
