"""The per-document step of `soe batch`, run in a Dask worker process: no store is opened here.

open (or repair) the stored copy -> analyse -> the offline teacher -> the active student, loaded
once per worker process (StudentPlugin at the worker's start, student_at's cache otherwise). The
step returns plain data (ComputedDocument) that the client stores through ingest.py's store
halves, so the client stays the only writer to the library. A failure is caught here and comes
back as a one-line reason with the document it concerns, so the client can record it; only a
dying worker or a stopped task reaches the client as Dask's own error. The client's Watchdog, also
here, asks the workers what they run and stops a document past its time limit.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.app.ingest import TeacherPass, analyse_opened, repaired_copy_path, teach
from soe_desktop.core.app.labelers import LabelerContext
from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.pdf.analysis import AnalysisOptions
from soe_desktop.core.pdf.ingest import document_of
from soe_desktop.core.pdf.repair import open_or_repair
from soe_desktop.core.settings import Settings
from soe_desktop.core.store.rows import candidate_to_row, row_to_candidate

log = logging.getLogger(__name__)

try:  # distributed is the optional [batch] extra: without it the step still runs in-process
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - exercised only without the extra
    WorkerPlugin = object


@dataclass(frozen=True)
class DocumentJob:
    """What a worker needs for one document (pickled to the worker)."""

    stored_path: str  # the library's copy (a cluster's workers must see the library's folder)
    original_path: str  # as the user gave it: the Document's path, as in `soe ingest`
    sha256: str
    settings: Settings  # the first-pass settings (ingest.first_pass_settings)
    ocr: bool = True
    teacher_here: bool = True  # False for a network teacher: the client labels, with the library
    student_path: str = ""  # the active student's folder; "" = none
    before: Optional[Callable[[str], None]] = None  # runs first with the file name (tests' faults)

    @property
    def name(self) -> str:
        return Path(self.original_path).name


@dataclass
class ComputedDocument:
    """One document's work, not yet stored. `error`: the one-line reason it failed; `refused`:
    bad input caught before anything could be recorded (as `soe ingest` records nothing)."""

    job: DocumentJob
    document: Optional[Document] = None
    passed: Optional[TeacherPass] = None  # analysis + the teacher's labels (none when teacher_here is False)
    opened_repaired: bool = False
    student: str = ""
    student_labels: list[Label] = field(default_factory=list)
    error: str = ""
    refused: bool = False
    discard_copy: bool = False  # the file could not even be opened: its copy goes unless known
    student_error: str = ""  # the student failed after the first pass (which is still stored)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the worker process's CPU time meanwhile: below `seconds`, it waited for a core
    worker_pid: int = 0
    peak_rss_mb: float = 0.0

    @property
    def ocr_pages(self) -> int:
        return sum(1 for page in self.passed.analysis.pages if page.ocr) if self.passed else 0


_STUDENTS: dict[str, Labeler] = {}


def student_at(path: str) -> Labeler:
    """The student in `path`, loaded once per process (torch and the weights take seconds)."""
    if path not in _STUDENTS:
        from soe_desktop.core.training.labeler import StudentLabeler

        _STUDENTS[path] = StudentLabeler(path)
    return _STUDENTS[path]


class StudentPlugin(WorkerPlugin):
    """Loads the active student when a worker starts (and again in a worker Dask restarts), so the
    first document does not pay for it and no document loads it twice."""

    name = "soe-student"

    def __init__(self, path: str) -> None:
        self.path = path

    def setup(self, worker) -> None:
        student_at(self.path)


def compute_document(job: DocumentJob) -> ComputedDocument:
    """The worker step: everything `ingest_document` computes for one stored copy, nothing stored."""
    started, cpu_started = time.perf_counter(), time.process_time()
    if job.before is not None:
        job.before(job.name)
    computed = ComputedDocument(job)
    try:
        opened = open_or_repair(Path(job.stored_path), lambda: repaired_copy_path(Path(job.stored_path)), job.name)
    except BadInputError as error:
        computed.error = str(error).replace(Path(job.stored_path).name, job.name)
        computed.refused = computed.discard_copy = True
        return _finished(computed, started, cpu_started)
    try:
        computed.opened_repaired = opened.repaired
        computed.document = document_of(opened.pdf, job.original_path, job.sha256)
    except BadInputError as error:
        opened.close()
        computed.error, computed.refused = str(error), True
        return _finished(computed, started, cpu_started)
    try:
        computed.passed = _first_pass(job, opened, computed.document)
    except SoeError as error:
        computed.error = str(error)
    except Exception as error:  # an unexpected bug fails this document, not the batch (as in ingest)
        computed.error = f"unexpected error: {error}"
    finally:
        opened.close()
    if computed.passed is not None:
        _label_with_student(job, computed)
    return _finished(computed, started, cpu_started)


def _first_pass(job: DocumentJob, opened, document: Document) -> TeacherPass:
    options = AnalysisOptions.from_settings(job.settings, job.ocr)
    analysis = analyse_opened(opened, document, options)
    if not job.teacher_here:
        return TeacherPass(analysis, [], "")
    return teach(analysis, LabelerContext(job.settings, None))


def _label_with_student(job: DocumentJob, computed: ComputedDocument) -> None:
    """The student labels the candidates as the library will hand them back (same values, same
    order), so its labels equal those `soe ingest` computes from the stored candidates."""
    candidates = as_stored(computed.passed.analysis.candidates)
    if not job.student_path or not candidates:
        return
    try:
        student = student_at(job.student_path)
        computed.student_labels = student.label(candidates)
        computed.student = student.name
    except Exception as error:  # ingest stores the first pass and reports the student's failure
        computed.student_error = f"student: {error}"


def as_stored(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates through the store's row round trip, in Store.candidates' order."""
    rows = [row_to_candidate(candidate_to_row(candidate)) for candidate in candidates]
    return sorted(rows, key=lambda c: (c.page, c.bbox[1], c.bbox[0], c.id))


def _finished(computed: ComputedDocument, started: float, cpu_started: float) -> ComputedDocument:
    computed.seconds = time.perf_counter() - started
    computed.cpu_seconds = time.process_time() - cpu_started
    computed.worker_pid = os.getpid()
    computed.peak_rss_mb = peak_rss_mb()
    return computed


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def executing_keys(dask_worker) -> list[str]:
    """The task keys a worker is running now (called through Client.run, on the worker's event
    loop, so it answers even while the document's thread is stuck)."""
    return [str(state.key) for state in dask_worker.state.executing]


async def end_worker_process(dask_worker) -> None:
    """Ends a worker process whose thread is stuck in a document (Client.run, on its event loop):
    its nanny starts a fresh one, as after any worker death. A coroutine: Client.run(wait=False)
    takes no other kind, and waiting would wait on a process that ends. Dask's restart_workers races the
    nanny's own restart when the stuck process has to be killed, and can leave the worker closed."""
    os._exit(1)


class Watchdog:
    """Cancels a document still running `limit + grace` seconds after a worker began it and
    has that worker replaced (its thread cannot be stopped otherwise). Dask has no task time limit of
    its own; this asks the workers what they execute (Client.run) and uses Dask's cancel. It also
    cancels everything once `should_stop()` (the window's Cancel), without waiting for a result."""

    def __init__(self, client, futures: dict, limit_s: float, grace_s: float, poll_s: float, should_stop) -> None:
        self.client, self.futures, self.should_stop = client, futures, should_stop
        self.limit_s = limit_s + grace_s if limit_s else 0.0
        self.poll_s = poll_s
        self.reasons: dict[str, str] = {}
        self.began: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soe-batch-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            by_key = {future.key: future for future in list(self.futures)}  # the client submits as it goes
            if self.should_stop():
                self.client.cancel([future for future in by_key.values() if not future.done()])
                return
            if not self.limit_s:
                continue
            try:
                running = self.client.run(executing_keys, on_error="ignore")
            except Exception as error:  # a worker restarting, the cluster closing: ask again later
                log.debug("watchdog: %s", error)
                continue
            self._check(running, by_key)

    def _check(self, running: dict, by_key: dict) -> None:
        now = time.monotonic()
        for address, keys in running.items():
            for key in keys:
                future = by_key.get(key)
                if future is None or future.done():
                    continue
                began = self.began.setdefault(key, now)
                if now - began > self.limit_s:
                    self.reasons[key] = (f"ran past the document time limit ({self.limit_s:.0f} s with the "
                                         f"grace for labelling); stopped")
                    future.cancel()
                    self._restart(address)

    def _restart(self, address: str) -> None:
        """The cancelled document's thread cannot be stopped: its process ends and its nanny
        starts a fresh worker (a worker started without a nanny is gone for this batch)."""
        try:
            self.client.run(end_worker_process, workers=[address], wait=False)
        except Exception as error:
            log.warning("could not end worker %s: %s", address, error)
