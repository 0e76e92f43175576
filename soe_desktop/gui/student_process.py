"""The active student labels documents in a long-lived child process, loaded once per model.

Why a process: loading the student imports torch, transformers and peft (about 5 s) and reads
the model. Measured with the window's stall probe (benchmarks/gui_responsiveness.py), doing that
in the ingest worker froze the window for 240-310 ms at a time (dlopen of libtorch, garbage
collections and C calls that hold the GIL), and on the GUI thread one `import torch` is 1.4 s.
In a child the window's process never imports them: its worker thread only sends candidates and
receives labels. The child keeps the last model it loaded, so the next document reuses it; a
request for another folder (another model made active, another data folder) loads that one.

The child is the one runner's (child_process.py): requests carry an id, and replies to a
request the parent stopped waiting for (cancelled) are dropped. No Qt in this module.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, check, no_progress
from soe_desktop.core.model import Candidate, Label
from soe_desktop.gui.child_process import ChildDied, ChildFailed, ChildProcess

JOIN_S = 1.0  # a busy child (mid-load) is terminated after this: it writes nothing to disk
LOADING = "loading the local model (first document after start or after a model change)…"
LOAD, LABEL = "load", "label"


class StudentError(SoeError):
    """The child could not load the model or label (its message says why)."""


class StudentService:
    """Child side: holds the last model loaded; a request is (LOAD|LABEL, model folder, candidates)."""

    def __init__(self) -> None:
        self.labeler = None

    def __call__(self, request, progress, cancel: CancelToken, note) -> list[Label]:
        kind, model_dir, candidates = request
        try:
            if self.labeler is None or self.labeler.model_dir != Path(model_dir):
                self.labeler = None  # free the previous model's memory before loading the next
                self.labeler = self._load(model_dir)
                note(self.labeler.version)
            if kind == LOAD:
                return []
            return self.labeler.label(candidates, progress=progress, cancel=cancel)
        except Cancelled:
            raise  # the model is fine: keep it for the next document
        except Exception:
            self.labeler = None  # a model that failed is not trusted with the next document
            raise

    @staticmethod
    def _load(model_dir: str):
        from soe_desktop.core.training.labeler import StudentLabeler  # torch: in the child only

        return StudentLabeler(model_dir)


class StudentProcess:
    """Parent side: starts the child on first use, sends requests, relays progress and cancellation.

    One request at a time (the ingest queue runs one document at a time; a lock keeps it so).
    `loaded` lists the model versions the child has loaded, in order (one per model change).
    """

    def __init__(self) -> None:
        self.child = ChildProcess(StudentService, "student", on_note=self._loaded)
        self._lock = threading.Lock()
        self._model_dir = ""  # the folder of the last request: the model the child holds or is loading
        self.loaded: list[str] = []

    def _loaded(self, version: str) -> None:
        self.loaded.append(version)  # counted whichever request (a warm-up too) loaded it

    @property
    def closed(self) -> bool:
        """Set by close(): the window is going away, nothing starts a child again."""
        return self.child.closed

    @property
    def process(self):
        return self.child.process

    def is_running(self) -> bool:
        return self.child.is_running()

    def warm(self, model_dir: Path | str) -> bool:
        """Start loading `model_dir` now (a model just made active) without waiting for it.

        Never blocks (it is called on the GUI thread): while a document is being labelled it does
        nothing and returns False; that document's request or the next one loads the model."""
        if self.closed or not self._lock.acquire(blocking=False):
            return False
        try:
            self.child.send((LOAD, str(model_dir), []))
            self._model_dir = str(model_dir)
            return True
        finally:
            self._lock.release()

    def label(self, model_dir: Path | str, candidates: Sequence[Candidate], progress=None,
              cancel: Optional[CancelToken] = None) -> list[Label]:
        """Labels of `candidates` by the student in `model_dir` (loaded in the child when new)."""
        progress = progress or no_progress
        with self._lock:
            check(cancel)
            fresh = str(model_dir) != self._model_dir or not self.loaded
            self._model_dir = str(model_dir)
            progress(Progress("labelling", 0, 1, LOADING if fresh else "labelling with the local model"))
            try:
                return self.child.call((LABEL, str(model_dir), list(candidates)), progress, cancel)
            except ChildFailed as error:
                self._model_dir = ""  # the child dropped a model it could not use
                raise StudentError(f"the local model could not label this document: {error}") from error
            except ChildDied as error:
                self._model_dir = ""
                raise StudentError(str(error)) from error

    def close(self) -> None:
        """Stop the child and wait for it (the window is shutting down; no child starts again). An
        idle child exits on its own; a busy one is terminated, which loses nothing (the parent writes
        the labels)."""
        self._model_dir = ""
        self.child.close(JOIN_S)
