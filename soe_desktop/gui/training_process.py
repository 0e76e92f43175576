"""Run a training job in a child process, seen from the GUI as an ordinary core task.

Why a process and not just a thread: torch, transformers and peft hold Python's GIL for long
stretches (loading libtorch alone takes about a second), which would freeze the window however
the work is scheduled. The child trains, saves and registers the model version in the store; the
parent's worker thread only forwards progress and cancellation. No Qt in this module.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
from pathlib import Path

from soe_desktop.core.jobs import Cancelled, CancelToken

POLL_S = 0.1
CHILD_NICENESS = 5


class EventToken:
    """A CancelToken over a multiprocessing Event, so `check(cancel)` works in the child."""

    def __init__(self, event) -> None:
        self.event = event

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()

    def cancel(self) -> None:
        self.event.set()

    def raise_if_cancelled(self) -> None:
        if self.event.is_set():
            raise Cancelled()


def _child(db_path: str, models_dir: str, source: str, threshold: float, args: dict, events, cancel_event) -> None:
    """Entry point of the child process: build the set, train, register; report through `events`."""
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)  # background work: the window (and the queue) keep the CPU first
    try:
        from soe_desktop.core.store import Store
        from soe_desktop.core.training.arguments import TrainingArguments
        from soe_desktop.core.training.dataset import training_set_from_store
        from soe_desktop.core.training.registry import ModelRegistry
        from soe_desktop.core.training.trainer import train

        with Store(db_path) as store:
            dataset = training_set_from_store(store, source, threshold)
            result = train(dataset, TrainingArguments.from_dict(args), events.put, EventToken(cancel_event))
            row = ModelRegistry(store, Path(models_dir)).register(result, activate=False)
        events.put(("done", {"status": result.status, "version": result.version, "error": result.error,
                              "metrics": result.metrics, "device": result.device, "seconds": result.seconds,
                              "row": row}))
    except BaseException as error:  # report, never hang the parent
        events.put(("error", f"{type(error).__name__}: {error}"))


def training_in_child(db_path: Path, models_dir: Path, source: str, threshold: float, args):
    """A core task `(progress, cancel) -> outcome dict` that trains in a spawned child process."""

    def task(progress, cancel: CancelToken) -> dict:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        events, cancel_event = context.Queue(), context.Event()
        child = context.Process(target=_child, name="soe-training", daemon=True,
                                args=(str(db_path), str(models_dir), source, threshold, args.to_dict(),
                                      events, cancel_event))
        child.start()
        try:
            return _relay(child, events, cancel_event, progress, cancel)
        finally:
            child.join(timeout=30)
            if child.is_alive():
                child.terminate()

    return task


def _relay(child, events, cancel_event, progress, cancel: CancelToken) -> dict:
    """Forward the child's progress; pass cancellation down; return its outcome."""
    while True:
        if cancel.cancelled:
            cancel_event.set()  # the child stops after its current batch and reports 'cancelled'
        try:
            event = events.get(timeout=POLL_S)
        except queue_module.Empty:
            if not child.is_alive() and events.empty():
                raise RuntimeError(f"the training process ended unexpectedly (exit code {child.exitcode})")
            continue
        if isinstance(event, tuple) and event[0] == "done":
            return event[1]
        if isinstance(event, tuple) and event[0] == "error":
            raise RuntimeError(event[1])
        progress(event)
