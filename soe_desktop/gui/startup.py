"""Start-up in two halves: the window first, the heavy imports after its first paint.

Importing the pipeline, camelot/OpenCV and matplotlib takes 1-3 s. Done before the window
showed, users looked at an empty screen that long. Now the window shows at once and the rest
runs on the GUI thread, one step per event-loop turn, after the first paint. It stays on the
GUI thread on purpose: compiled-extension imports hold the GIL, so in a worker they would
freeze the window anyway, and the ingest worker importing them mid-drop froze it worst (see
`preload_core`). The ingest queue waits behind an `IngestGate` until the last step, so no
document is processed while those imports would still be running.

The local student's libraries (torch, transformers, peft) are not among these steps: one
`import torch` alone holds the GUI thread for ~1.4 s. The student loads in its own process
instead (student_process.py), started once start-up is ready when a model is active.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

from soe_desktop.gui.workers import WorkerPool

FALLBACK_MS = 1000  # start anyway when no paint comes (a window that is never shown)


@dataclass
class Step:
    """One piece of start-up work and what the user reads while it runs."""

    message: str
    run: Callable[[], object]


def import_pipeline() -> None:
    """The pipeline and the offline teacher (pdfplumber, pdfminer, numpy)."""
    import soe_desktop.core.labeling.heuristic  # noqa: F401
    import soe_desktop.core.app.ingest  # noqa: F401


def import_camelot() -> None:
    """camelot and OpenCV, imported lazily by the lattice detector otherwise."""
    try:
        import camelot  # noqa: F401
    except ImportError:  # without camelot the detector runs pdfplumber only: nothing to preload
        pass


def freeze_loaded_objects() -> None:
    """Move everything loaded so far out of the garbage collector's sight (`gc.freeze`).

    The imports leave ~130 000 long-lived objects (Qt wrappers, pandas, OpenCV, pdfminer).
    A full collection walks all of them and more, 60-110 ms with the GIL held, and one was
    triggered in the ingest worker by its allocations: the window froze that long mid-drop.
    Frozen objects are never freed, which is what import-time objects are anyway.
    """
    gc.collect()
    gc.freeze()


def core_steps() -> list[Step]:
    """What every start-up loads before the first document is processed."""
    return [Step("Starting… loading the table finders", import_pipeline),
            Step("Starting… loading the table detector (camelot)", import_camelot)]


class IngestGate:
    """Holds a WorkerPool until opened: workers started meanwhile wait in the pool's held list
    (cancellable there, taking no thread), then run in the order they came.

    A quit before it opens goes through the pool's `shutdown()` (MainWindow.shutdown and
    app.close_window), which ends the held workers as cancelled without running them.
    """

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self._open = False
        pool.hold()

    def open(self) -> None:
        if not self._open:
            self._open = True
            self.pool.release()

    def is_open(self) -> bool:
        return self._open


class StartUp(QObject):
    """Runs `steps` after the window's first paint, then opens the gate and emits `ready`.

    `message_changed` says what is being loaded ('' once done) for the window to show.
    """

    ready = Signal()
    message_changed = Signal(str)

    def __init__(self, window, steps: list[Step], gate: IngestGate) -> None:
        super().__init__(window)
        self.steps, self.gate = list(steps), gate
        self._begun = False
        window.installEventFilter(self)
        self._fallback = QTimer(self, singleShot=True, interval=FALLBACK_MS)
        self._fallback.timeout.connect(self._begin)
        self._fallback.start()

    def is_ready(self) -> bool:
        return self.gate.is_open()

    @property
    def message(self) -> str:
        return self.steps[0].message if self.steps else ""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self._begun:
            QTimer.singleShot(0, self, self._begin)  # after this paint reaches the screen
        return False

    @Slot()
    def _begin(self) -> None:
        if not self._begun:
            self._stop_waiting()
            self._run_next()

    def _stop_waiting(self) -> None:
        self._begun = True
        self._fallback.stop()
        self.parent().removeEventFilter(self)

    @Slot()
    def _run_next(self) -> None:
        if not self.steps:
            self._finish()
            return
        self.steps.pop(0).run()
        self.message_changed.emit(self.message)
        QTimer.singleShot(0, self, self._run_next)  # repaint between steps

    def finish_now(self) -> None:
        """Run what is left at once (scripts and benchmarks that measure a settled window)."""
        self._stop_waiting()
        while self.steps:
            self.steps.pop(0).run()
        self._finish()

    def _finish(self) -> None:
        if self.gate.is_open():
            return
        self.gate.open()
        self.message_changed.emit("")
        self.ready.emit()
