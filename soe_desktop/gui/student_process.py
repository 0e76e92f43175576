"""The active student labels documents in a long-lived child process, loaded once per model.

Why a process: loading the student imports torch, transformers and peft (about 5 s) and reads
the model. Measured with the window's stall probe (benchmarks/gui_responsiveness.py), doing that
in the ingest worker froze the window for 240-310 ms at a time (dlopen of libtorch, garbage
collections and C calls that hold the GIL), and on the GUI thread one `import torch` is 1.4 s.
In a child the window's process never imports them: its worker thread only sends candidates and
receives labels. The child keeps the last model it loaded, so the next document reuses it; a
request for another folder (another model made active, another data folder) loads that one.

Requests carry an id; replies of a request the parent stopped waiting for (cancelled) are
dropped. No Qt in this module.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue as queue_module
import threading
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, check
from soe_desktop.core.model import Candidate, Label
from soe_desktop.gui.training_process import EventToken

POLL_S = 0.1
CHILD_NICENESS = 5
JOIN_S = 1.0  # a busy child (mid-load) is terminated after this: it writes nothing to disk
LOADING = "loading the local model (first document after start or after a model change)…"


class StudentError(SoeError):
    """The child could not load the model or label (its message says why)."""


def _holds(labeler, model_dir: str) -> bool:
    return labeler is not None and labeler.model_dir == Path(model_dir)


def _load(model_dir: str):
    from soe_desktop.core.training.labeler import StudentLabeler

    return StudentLabeler(model_dir)


def _serve(requests, replies, cancel_event) -> None:
    """Child loop: one request at a time, ('label'|'load', id, model_dir, candidates); None ends it."""
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)  # background work: the window and the queue keep the CPU first
    labeler = None
    while True:
        request = requests.get()
        if request is None:
            return
        kind, request_id, model_dir, candidates = request
        try:
            if not _holds(labeler, model_dir):
                labeler = None  # free the previous model's memory before loading the next
                labeler = _load(model_dir)
                replies.put(("loaded", request_id, labeler.version))
            labels = [] if kind == "load" else labeler.label(
                candidates, progress=lambda report: replies.put(("progress", request_id, report)),
                cancel=EventToken(cancel_event))
            replies.put(("done", request_id, labels))
        except Cancelled:
            replies.put(("cancelled", request_id, None))
        except BaseException as error:  # report, never leave the parent waiting
            labeler = None
            replies.put(("error", request_id, f"{type(error).__name__}: {error}"))


class StudentProcess:
    """Parent side: starts the child on first use, sends requests, relays progress and cancellation.

    One request at a time (the ingest queue runs one document at a time; a lock keeps it so).
    `loaded` lists the model versions the child has loaded, in order (one per model change).
    """

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        self._process = None
        self._requests = self._replies = self._cancel_event = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._model_dir = ""  # the folder of the last request: the model the child holds or is loading
        self.loaded: list[str] = []
        self.closed = False  # set by close(): the window is going away, nothing starts a child again

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _ensure_started(self) -> None:
        if self.closed:
            raise Cancelled()  # the window is shutting down
        if self.is_running():
            return
        self._requests, self._replies = self._context.Queue(), self._context.Queue()
        self._cancel_event = self._context.Event()
        self._process = self._context.Process(target=_serve, name="soe-student", daemon=True,
                                              args=(self._requests, self._replies, self._cancel_event))
        self._process.start()

    def warm(self, model_dir: Path | str) -> bool:
        """Start loading `model_dir` now (a model just made active) without waiting for it.

        Never blocks (it is called on the GUI thread): while a document is being labelled it does
        nothing and returns False; that document's request or the next one loads the model."""
        if self.closed or not self._lock.acquire(blocking=False):
            return False
        try:
            self._ensure_started()
            self._model_dir = str(model_dir)
            self._requests.put(("load", next(self._ids), str(model_dir), []))
            return True
        finally:
            self._lock.release()

    def label(self, model_dir: Path | str, candidates: Sequence[Candidate], progress=None,
              cancel: Optional[CancelToken] = None) -> list[Label]:
        """Labels of `candidates` by the student in `model_dir` (loaded in the child when new)."""
        with self._lock:
            check(cancel)
            self._ensure_started()
            self._cancel_event.clear()
            request_id = next(self._ids)
            fresh = str(model_dir) != self._model_dir or not self.loaded
            self._model_dir = str(model_dir)
            self._requests.put(("label", request_id, str(model_dir), list(candidates)))
            progress = progress or (lambda _report: None)
            progress(Progress("labelling", 0, 1, LOADING if fresh else "labelling with the local model"))
            return self._relay(request_id, progress, cancel)

    def _relay(self, request_id: int, progress, cancel: Optional[CancelToken]):
        """Wait for the reply to `request_id`, forwarding progress; a cancel returns at once."""
        while True:
            if cancel is not None and cancel.cancelled:
                self._cancel_event.set()  # the child stops after its current batch; its reply is dropped
                raise Cancelled()
            try:
                kind, reply_id, payload = self._replies.get(timeout=POLL_S)
            except queue_module.Empty:
                if not self._process.is_alive():
                    raise StudentError(f"the student process ended unexpectedly (exit code {self._process.exitcode})")
                continue
            if kind == "loaded":
                self.loaded.append(payload)  # counted whichever request (a warm-up too) loaded it
            if reply_id != request_id:
                continue
            if kind == "progress":
                progress(payload)
            elif kind == "done":
                return payload
            elif kind == "cancelled":
                raise Cancelled()
            elif kind == "error":
                raise StudentError(f"the local model could not label this document: {payload}")

    def close(self) -> None:
        """Stop the child and wait for it (the window is shutting down; no child starts again). An
        idle child exits on its own; a busy one is terminated, which loses nothing (the parent writes
        the labels)."""
        self.closed = True
        process, self._process = self._process, None
        self._model_dir = ""
        if process is None:
            return
        if self._cancel_event is not None:
            self._cancel_event.set()
        try:
            self._requests.put(None)
        except (OSError, ValueError):  # queue already closed
            pass
        process.join(JOIN_S)
        if process.is_alive():
            process.terminate()
            process.join(JOIN_S)
        self._requests.cancel_join_thread()  # what the child did not read is not needed any more
        for channel in (self._requests, self._replies):
            channel.close()
