"""The one child-process runner: a core task run in a spawned child, seen as an ordinary core task.

Why a child and not just a worker thread: torch, transformers and peft hold Python's GIL for long
stretches (loading libtorch alone takes about a second, `import torch` on the GUI thread 1.4 s),
which would freeze the window however the work is scheduled. In a child the window's process
never imports them; the worker thread that waits for the child only relays messages.

One message protocol, both ways over two multiprocessing queues:
- parent -> child: `(request_id, payload)`, or `None` to end the child;
- child -> parent: `(request_id, kind, value)`, kind one of PROGRESS (a `Progress`), NOTE (news
  about the child's state, delivered whoever waits, e.g. "model v3 loaded"), DONE (the result),
  CANCELLED, FAILED (a one-line message).
One cancel token: a `CancelToken` over a multiprocessing Event, set by the parent, checked by
the child's task between batches.

The child runs a *service*: a class made once in the child, called once per request as
`service(payload, progress, cancel, note)`. It may keep state between requests (the student
keeps its model loaded). Two uses: `ChildProcess` (long-lived, requests with ids; replies to a
request nobody waits for any more are dropped) and `run_in_child` (one request, then the child
ends). No Qt in this module: the child must not import it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue as queue_module
from dataclasses import asdict, replace
from typing import Any, Callable, Optional

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, ProgressCallback, no_progress

PROGRESS, NOTE, DONE, CANCELLED, FAILED = "progress", "note", "done", "cancelled", "failed"
POLL_S = 0.1  # how often a waiting parent checks its cancel token and that the child is alive
CHILD_NICENESS = 5  # background work: the window and the queue keep the CPU first
JOIN_S = 1.0


class ChildError(SoeError):
    """The child's task failed (its message says why) or the child itself died."""


class ChildFailed(ChildError):
    """The task raised in the child: `str()` is its one-line message."""


class ChildDied(ChildError):
    """The child ended without answering (killed, out of memory, a crash in native code)."""


def _serve(service_class: type, requests, replies, cancel_event, niceness: int) -> None:
    """Child loop: one request at a time until `None`; every request gets exactly one final reply."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    service = service_class()
    cancel = CancelToken(cancel_event)
    while True:
        request = requests.get()
        if request is None:
            return
        request_id, payload = request

        def progress(report, request_id=request_id) -> None:
            replies.put((request_id, PROGRESS, report))

        def note(news, request_id=request_id) -> None:
            replies.put((request_id, NOTE, news))

        try:
            replies.put((request_id, DONE, service(payload, progress, cancel, note)))
        except Cancelled:
            replies.put((request_id, CANCELLED, None))
        except BaseException as error:  # report it: the parent must never be left waiting
            replies.put((request_id, FAILED, f"{type(error).__name__}: {error}"))


class ChildProcess:
    """Parent side of one child running `service_class`: starts it on first use, sends requests,
    relays progress and cancellation, and stops it on `close()` (never starts again after).

    `name` names the child in messages ("the student process ended unexpectedly");
    `on_note(news)` is called, on the waiting thread, for every NOTE the child sends.
    """

    def __init__(self, service_class: type, name: str, on_note: Optional[Callable[[Any], None]] = None,
                 niceness: int = CHILD_NICENESS) -> None:
        self.service_class, self.name, self.niceness = service_class, name, niceness
        self.on_note = on_note or (lambda _news: None)
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        self._process = None
        self._requests = self._replies = self._cancel_event = None
        self._ids = itertools.count(1)
        self.closed = False

    @property
    def process(self):
        return self._process

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _ensure_started(self) -> None:
        if self.closed:
            raise Cancelled()  # the window is shutting down: nothing starts a child again
        if self.is_running():
            return
        self._requests, self._replies = self._context.Queue(), self._context.Queue()
        self._cancel_event = self._context.Event()
        self._process = self._context.Process(
            target=_serve, name=f"soe-{self.name}", daemon=True,
            args=(self.service_class, self._requests, self._replies, self._cancel_event, self.niceness))
        self._process.start()

    def send(self, payload) -> int:
        """Post a request without waiting for it (its replies are read by a later `wait`)."""
        self._ensure_started()
        request_id = next(self._ids)
        self._requests.put((request_id, payload))
        return request_id

    def call(self, payload, progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None,
             abandon_on_cancel: bool = True):
        """Send `payload` with a fresh (unset) cancel flag and wait for its result."""
        self._ensure_started()
        self._cancel_event.clear()
        return self.wait(self.send(payload), progress, cancel, abandon_on_cancel)

    def wait(self, request_id: int, progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None, abandon_on_cancel: bool = True):
        """The result of `request_id`, forwarding its progress. On `cancel` the child's flag is
        set; with `abandon_on_cancel` this returns (raises Cancelled) at once and the child's late
        reply is dropped, otherwise it waits for the child's own answer (e.g. a cancelled run it
        records). Raises ChildFailed / ChildDied."""
        progress = progress or no_progress
        process, replies, cancel_event = self._process, self._replies, self._cancel_event
        if process is None:
            raise Cancelled()  # closed before this caller began to wait
        dead_once = False
        while True:
            if cancel is not None and cancel.cancelled:
                cancel_event.set()  # the child stops after its current batch
                if abandon_on_cancel:
                    raise Cancelled()
            try:
                reply_id, kind, value = replies.get(timeout=POLL_S)
            except queue_module.Empty:
                if not process.is_alive():
                    if self.closed:  # close() ended it on purpose, before the queue was shut
                        raise Cancelled()
                    if dead_once:  # one more read after it died: what it sent last is read first
                        raise ChildDied(f"the {self.name} process ended unexpectedly (exit code {process.exitcode})")
                    dead_once = True
                continue
            except (OSError, ValueError):  # the queue was closed: close() ran meanwhile
                raise Cancelled()
            if kind == NOTE:
                self.on_note(value)
            elif reply_id != request_id:
                continue  # a reply to a request nobody waits for any more
            elif kind == PROGRESS:
                progress(value)
            elif kind == DONE:
                return value
            elif kind == CANCELLED:
                raise Cancelled()
            elif kind == FAILED:
                raise ChildFailed(value)

    def close(self, join_s: float = JOIN_S) -> None:
        """Stop the child and wait for it; a child still busy after `join_s` is terminated. After
        this nothing starts the child again (`send`/`call` raise Cancelled)."""
        self.closed = True
        process, self._process = self._process, None
        if process is None:
            return
        self._cancel_event.set()
        try:
            self._requests.put(None)
        except (OSError, ValueError):  # queue already closed
            pass
        process.join(join_s)
        if process.is_alive():
            process.terminate()
            process.join(join_s)
        self._requests.cancel_join_thread()  # what the child did not read is not needed any more
        for channel in (self._requests, self._replies):
            channel.close()


def run_in_child(service_class: type, payload, name: str, progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None, join_s: float = 30.0):
    """One request in a fresh child that ends with it. A cancel waits for the child's own answer
    (the task decides what a cancelled run leaves behind)."""
    child = ChildProcess(service_class, name)
    try:
        return child.call(payload, progress, cancel, abandon_on_cancel=False)
    finally:
        child.close(join_s)


class TrainingService:
    """Child side of a training run: `core.app.contenders.train_contenders` (the same workflow as
    `soe train`: build the set, train every contender, register, judge against the active labeler)
    with activation left to the user; the payload is (settings fields, label source, filter
    threshold, arguments, with_lora)."""

    def __call__(self, payload, progress, cancel: CancelToken, _note) -> dict:
        # Imported here, in the child: the trainer imports torch, which the window's process never loads.
        from soe_desktop.core.app.contenders import train_contenders
        from soe_desktop.core.settings import Settings
        from soe_desktop.core.store import Store
        from soe_desktop.core.training.arguments import TrainingArguments

        fields, source, threshold, args, with_lora = payload
        settings = Settings(**fields)
        with Store(settings.db_path) as store:
            outcome = train_contenders(settings, store, TrainingArguments.from_dict(args), source, threshold,
                                       progress, cancel, activate=False, with_lora=with_lora)
        return outcome.to_dict()


def training_in_child(settings, source: str, threshold: float, args, with_lora: Optional[bool] = None):
    """A core task `(progress, cancel) -> outcome dict` (TrainOutcome.to_dict) that trains in a
    one-shot child (`with_lora` None: the LoRA student also trains where the child finds a GPU). A
    cancel waits for the child: the trainer stops after its batch and the run is recorded as cancelled."""
    # The child reads the same library and models folder whatever its environment says.
    pinned = replace(settings, data_dir=str(settings.data_path), db_file=str(settings.db_path))
    payload = (asdict(pinned), source, threshold, args.to_dict(), with_lora)

    def task(progress, cancel: CancelToken) -> dict:
        return run_in_child(TrainingService, payload, "training", progress, cancel)

    return task
