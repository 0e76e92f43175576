"""Whole archives through Dask distributed: `soe batch` (and the window's folder drops).

The client copies each file into the library (fingerprinting it, as `soe ingest` does), skips the
documents already finished, and submits the rest to Dask workers, which run batch_worker's
per-document step: as many at a time as the cluster has worker threads, the next as a result arrives. Results are stored as they arrive, by the client alone, through ingest.py's
store halves: the library sees the same documents, labels, statuses and audit rows as from
`soe ingest` on the same files, and a rerun (or `--resume`) skips what was finished.

Faults are left to Dask: a worker that dies mid-document has its task re-run elsewhere, up to
`distributed.scheduler.allowed-failures` times (then the document is recorded failed, KilledWorker;
the bound on documents in flight keeps others from being queued on it and blamed with it);
a document still running `document_time_limit_s` + a grace after it started is cancelled, recorded
failed, and its worker replaced by its nanny (the analysis stops itself at the limit, leaving pages
unread as in `soe ingest`; the grace covers labelling, and the watchdog what no budget can stop).
Ctrl+C cancels what is not finished; what was stored stays.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

from soe_desktop.core.app.batch_worker import ComputedDocument, DocumentJob, StudentPlugin, Watchdog, \
    compute_document
from soe_desktop.core.app.ingest import FINISHED, IngestResult, already_stored, finish, first_pass_settings, \
    open_or_discard, store_student_pass, store_teacher_pass, teach
from soe_desktop.core.app.labelers import LABELERS, LabelerContext
from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.model import Document
from soe_desktop.core.pdf.ingest import document_of
from soe_desktop.core.settings import Settings
from soe_desktop.core.store.files import store_copy

log = logging.getLogger(__name__)

WATCHDOG_GRACE_S = 120.0  # past document_time_limit_s, for labelling after the analysis's own stop
DONE, SKIPPED, FAILED = "done", "skipped", "failed"


@dataclass
class BatchOptions:
    ocr: bool = True
    allow_cloud: bool = False  # consent for these documents (a Gemini teacher or routing)
    grace_s: float = WATCHDOG_GRACE_S
    poll_s: float = 1.0  # how often the watchdog asks the workers what they are running
    before: Optional[Callable[[str], None]] = None  # runs on the worker before each document (tests)


@dataclass
class Outcome:
    """One input file's fate in this batch (what the progress bar and the window's rows show)."""

    path: str
    state: str  # DONE, SKIPPED or FAILED
    reason: str = ""
    result: Optional[IngestResult] = None
    ocr_pages: int = 0
    seconds: float = 0.0  # the worker's time on it
    cpu_seconds: float = 0.0  # the worker process's CPU time on it
    store_seconds: float = 0.0  # the client's time storing its result
    worker_pid: int = 0
    peak_rss_mb: float = 0.0


@dataclass
class BatchSummary:
    total: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    interrupted: bool = False
    dashboard: str = ""

    def count(self, state: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.state == state)

    def to_json(self) -> dict:
        """The `soe batch --json` contract (README): add keys, never rename."""
        done = [o for o in self.outcomes if o.state == DONE]
        peaks: dict[int, float] = {}
        for outcome in self.outcomes:
            if outcome.worker_pid:
                peaks[outcome.worker_pid] = max(peaks.get(outcome.worker_pid, 0.0), outcome.peak_rss_mb)
        return {
            "total": self.total,
            "done": len(done),
            "skipped": self.count(SKIPPED),
            "failed": self.count(FAILED),
            "repaired": sum(1 for o in done if o.result and o.result.repaired),
            "ocr_pages": sum(o.ocr_pages for o in done),
            "statuses": _tally(o.result.status for o in done if o.result),
            "failures": [{"path": o.path, "reason": o.reason} for o in self.outcomes if o.state == FAILED],
            "not_finished": self.total - len(self.outcomes),
            "interrupted": self.interrupted,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "documents_per_minute": round(len(done) * 60 / self.seconds, 2) if self.seconds else 0.0,
            "peak_rss_mb_per_worker": [round(value, 1) for value in peaks.values()],
            "dashboard": self.dashboard,
        }


def _tally(values) -> dict[str, int]:
    tally: dict[str, int] = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return tally


def batch_inputs(source: Path) -> list[Path]:
    """The PDFs of a folder (recursively, sorted) or of a list file (one path a line; relative
    paths are relative to the list's folder; blank lines and '#' comments ignored)."""
    source = Path(source)
    if source.is_dir():
        found = sorted(source.rglob("*.pdf"))
    elif source.is_file():
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
        entries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        found = [path if path.is_absolute() else source.parent / path for path in map(Path, entries)]
    else:
        raise BadInputError(f"{source}: no such folder or list file")
    if not found:
        raise BadInputError(f"{source}: no PDFs to process")
    return found


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BadInputError("soe batch needs Dask distributed: pip install 'soe-desktop[batch]'") from None


@contextmanager
def connect(workers: int = 0, scheduler: str = "") -> Iterator[object]:
    """A Dask client: on an existing cluster at `scheduler` (tcp://host:8786), else on a local
    cluster of `workers` single-threaded worker processes (0 = one per core)."""
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise BadInputError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        with client:
            yield client
        return
    dashboard = ":0" if _has_bokeh() else None  # a free port, only when the dashboard can be served
    with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                      dashboard_address=dashboard, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def dashboard_link(client) -> str:
    return str(getattr(client, "dashboard_link", "") or "") if _has_bokeh() else ""


def run_batch(paths: list[Path], settings: Settings, store, client, options: Optional[BatchOptions] = None,
              on_outcome: Callable[[Outcome], None] = lambda outcome: None,
              should_stop: Callable[[], bool] = lambda: False) -> BatchSummary:
    """Process `paths` on the client's cluster, storing each result as it arrives. Returns the
    summary; KeyboardInterrupt (or `should_stop()`) cancels the documents not yet finished."""
    options = options or BatchOptions()
    started = time.perf_counter()
    summary = BatchSummary(total=len(paths), workers=len(client.scheduler_info().get("workers", {})),
                           dashboard=dashboard_link(client))

    def report(outcome: Outcome) -> None:
        summary.outcomes.append(outcome)
        on_outcome(outcome)

    futures: dict = {}  # every future submitted -> its job (the watchdog reads it too)
    watchdog = Watchdog(client, futures, settings.document_time_limit_s, options.grace_s, options.poll_s,
                        should_stop)
    submitted = _Submitted()
    try:
        jobs = _jobs(paths, settings, store, client, options, submitted, report, should_stop)
        watchdog.start()
        _run_bounded(jobs, client, futures, store, settings, options, watchdog, report, should_stop)
        _record_repeats(submitted, store, report)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        watchdog.stop()
        pending = [future for future in futures if not future.done()]
        if pending:
            client.cancel(pending)
            summary.interrupted = summary.interrupted or should_stop()
        summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Submitted:
    first: dict = field(default_factory=dict)  # sha256 -> the first input path with those bytes
    repeats: list = field(default_factory=list)  # (path, sha256, stored path) of the later ones


def _jobs(paths, settings: Settings, store, client, options: BatchOptions, submitted: _Submitted, report,
          should_stop) -> Iterator[DocumentJob]:
    """The documents to compute, one at a time as workers free up: each file is copied into the
    library when its turn comes (so the first ones start at once), and those already finished are
    reported skipped instead."""
    first_pass = first_pass_settings(settings, store)
    entry = LABELERS.get(first_pass.teacher)
    teacher_here = entry is None or not entry.needs_network
    active = store.active_model()
    student_path = str(active["path"]) if active and active.get("path") else ""
    if student_path:
        client.register_plugin(StudentPlugin(student_path))
    for path in paths:
        if should_stop():
            raise KeyboardInterrupt
        try:
            stored_path, sha256 = store_copy(Path(path), settings.documents_dir)
        except BadInputError as error:
            report(Outcome(str(path), FAILED, str(error)))
            continue
        if sha256 in submitted.first:
            submitted.repeats.append((path, sha256, stored_path))
            continue
        submitted.first[sha256] = path
        row = store.document(sha256)
        if row is not None and row.get("status") in FINISHED:
            report(_skip(store, Document(str(path), sha256, int(row["page_count"])), stored_path))
            continue
        yield DocumentJob(str(stored_path), str(path), sha256, first_pass, options.ocr, teacher_here,
                          student_path, options.before)


def _run_bounded(jobs: Iterator[DocumentJob], client, futures: dict, store, settings: Settings,
                 options: BatchOptions, watchdog: "Watchdog", report, should_stop) -> None:
    """Keep as many documents in flight as the cluster has worker threads, submitting the next as
    each result arrives. Submitting all at once would have Dask queue them on the workers, and a
    worker that dies is blamed for every task it held: a document queued on a worker that died twice
    would fail with KilledWorker although it never ran. Bounded, a death costs the running document."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]  # a key of its own per run: a key cancelled by the last run may still be releasing
    in_flight = as_completed()
    _top_up(jobs, client, futures, in_flight, run, should_stop)
    for future in in_flight:
        if should_stop():  # the watchdog cancelled the rest: they are not failures
            raise KeyboardInterrupt
        job = futures.pop(future)
        storing = time.perf_counter()
        if future.status == "finished":
            outcome = _stored_outcome(store, settings, options, future.result())
        else:
            outcome = _recorded_failure(store, job, watchdog.reasons.get(future.key) or _one_line(future))
        outcome.store_seconds = time.perf_counter() - storing
        report(outcome)
        future.release()  # its result is stored: the cluster need not keep it
        _top_up(jobs, client, futures, in_flight, run, should_stop)


def _top_up(jobs: Iterator[DocumentJob], client, futures: dict, in_flight, run: str, should_stop) -> None:
    """Submit documents until every worker thread the cluster has now holds one (a worker being
    replaced is not counted, so its documents wait rather than queue on the others)."""
    slots = max(1, sum(client.nthreads().values()))
    while in_flight.count() < slots:
        if should_stop():
            raise KeyboardInterrupt
        job = next(jobs, None)
        if job is None:
            return
        future = client.submit(compute_document, job, key=f"soe-document-{run}-{job.sha256}", pure=False)
        futures[future] = job
        in_flight.add(future)


def _skip(store, document: Document, stored_path: Path) -> Outcome:
    """A finished document is not redone; the library records the repeated drop as `soe ingest`
    does (a 'document.duplicate' audit row)."""
    store.add_document(document, str(stored_path), Path(document.path).name)
    return Outcome(document.path, SKIPPED, "already finished", result=already_stored(store, document))


def _record_repeats(submitted: _Submitted, store, report) -> None:
    """The same bytes given twice in one batch: the later ones are repeats of the first."""
    for path, sha256, stored_path in submitted.repeats:
        row = store.document(sha256)
        if row is None:
            report(Outcome(str(path), FAILED, f"same file as {Path(submitted.first[sha256]).name}, which failed"))
            continue
        report(_skip(store, Document(str(path), sha256, int(row["page_count"])), stored_path))


def _one_line(future) -> str:
    if future.status == "cancelled":
        return "cancelled"
    error = future.exception()
    if type(error).__name__ == "KilledWorker":
        return "its worker died on it every time it was run (Dask KilledWorker)"
    return f"{type(error).__name__}: {error}".splitlines()[0]


def _stored_outcome(store, settings: Settings, options: BatchOptions, computed: ComputedDocument) -> Outcome:
    """Store one worker's result as ingest_document would have, and say how it went."""
    job = computed.job
    outcome = Outcome(job.original_path, FAILED, computed.error, seconds=computed.seconds,
                      cpu_seconds=computed.cpu_seconds, worker_pid=computed.worker_pid,
                      peak_rss_mb=computed.peak_rss_mb)
    if computed.refused:
        if computed.discard_copy and store.document(job.sha256) is None:
            Path(job.stored_path).unlink(missing_ok=True)  # a refused file leaves nothing behind
        return outcome
    document = computed.document
    if not store.add_document(document, job.stored_path, job.name) and \
            (store.document(job.sha256) or {}).get("status") in FINISHED:
        outcome.state, outcome.result = SKIPPED, already_stored(store, document)
        return outcome
    try:
        outcome.result = _store_passes(store, settings, options, computed)
    except SoeError as error:
        outcome.reason = str(error)
        return outcome
    outcome.state, outcome.reason = (FAILED, computed.student_error) if computed.student_error else (DONE, "")
    outcome.ocr_pages = computed.ocr_pages
    return outcome


def _store_passes(store, settings: Settings, options: BatchOptions, computed: ComputedDocument) -> IngestResult:
    sha256, passed = computed.job.sha256, computed.passed
    if computed.error:
        store.set_status(sha256, "error", computed.error)
        raise SoeError(computed.error)
    if not computed.job.teacher_here:  # a network teacher labels here, with the library's consent and ledger
        context = LabelerContext(first_pass_settings(settings, store), store, allow_cloud=options.allow_cloud)
        try:
            passed = teach(passed.analysis, context)
        except SoeError as error:
            store.set_status(sha256, "error", str(error))
            raise
    store_teacher_pass(store, passed, computed.opened_repaired)
    sources, messages = [passed.teacher], list(passed.messages)
    if computed.student:
        student_sources, student_messages = store_student_pass(
            store, sha256, settings, computed.student, store.candidates(sha256), computed.student_labels,
            options.allow_cloud)
        sources, messages = sources + student_sources, messages + student_messages
    return finish(store, computed.document, settings, sources, messages, computed.seconds)


def _recorded_failure(store, job: DocumentJob, reason: str) -> Outcome:
    """A document Dask could not finish (a dying worker, the watchdog): recorded 'error' with
    the reason, like a failure inside the step. The library learns of it only now, so it is
    opened here once for its page count; a file that cannot be opened stays unrecorded."""
    if store.document(job.sha256) is None:
        try:
            opened = open_or_discard(Path(job.stored_path), store, job.sha256, job.name)
        except BadInputError as error:
            return Outcome(job.original_path, FAILED, str(error))
        try:
            store.add_document(document_of(opened.pdf, job.original_path, job.sha256), job.stored_path, job.name)
        except BadInputError as error:
            return Outcome(job.original_path, FAILED, str(error))
        finally:
            opened.close()
    store.set_status(job.sha256, "error", reason)
    return Outcome(job.original_path, FAILED, reason)
