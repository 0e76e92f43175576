"""Progress callback and cancellation token shared by every long task (CLI, GUI and tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Optional


class Cancelled(Exception):
    """Raised inside a task when its CancelToken was cancelled."""


class CancelToken:
    """Thread-safe flag a task polls between units of work (a page, a batch).

    `event`: what holds the flag, a `threading.Event` by default. A child process gets a
    `multiprocessing` Event instead (same interface), so the parent's cancel reaches its task.
    """

    def __init__(self, event=None) -> None:
        self._event = event if event is not None else threading.Event()

    @property
    def event(self):
        return self._event

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class Partial:
    """Part of a task's result, usable before the task ends: e.g. the candidates found on one page,
    so a viewer draws boxes while the rest of the document is still being read."""

    items: tuple
    page: Optional[int] = None  # the page the items belong to, when they belong to one


@dataclass(frozen=True)
class Progress:
    """One progress report: `done` of `total` units in `stage` (e.g. 'reading', 'detecting').

    `partial`, when set, is a piece of the result that came with this step. Progress displays
    (the CLI bar) read only the counts; the GUI's Worker also emits it on its `partial` signal.
    """

    stage: str
    done: int
    total: int
    message: str = ""
    extra: Optional[dict] = None  # stage-specific numbers (loss, epoch, eta_seconds, ...)
    partial: Optional[Partial] = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """Default callback for callers that do not show progress."""


def check(cancel: Optional[CancelToken]) -> None:
    """Raise Cancelled if `cancel` is set; accepts None so tasks can make the token optional."""
    if cancel is not None:
        cancel.raise_if_cancelled()
