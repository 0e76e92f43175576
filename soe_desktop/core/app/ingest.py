"""Ingest: the one workflow behind a drop on the window and `soe ingest`.

store a copy (fingerprinted while copying) -> analyse -> the teacher from the settings ->
the active student, when one is active, whose uncertain labels are routed to Gemini or to the top
of the review queue (routing.py) -> the auto-accept rule -> status. With an active student the
first pass is an offline teacher even when Gemini is the chosen one: only the uncertain go to the
cloud. The status is written
at each stage, so a document interrupted half-way is visible as such, and a failure marks only
that document 'error'.

The work is split in halves that `soe batch` (batch.py) runs apart: what computes (analyse_opened,
teach, the student's labels) touches no store and may run in a worker process; what stores
(store_teacher_pass, store_student_pass, finish) runs where the library is open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.app import routing
from soe_desktop.core.app.labelers import LABELERS, LabelerContext, make_teacher
from soe_desktop.core.app.review import apply_auto_accept
from soe_desktop.core.app.triage import label_candidates
from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, ProgressCallback, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.model import Document, Label, soe_pages_of
from soe_desktop.core.pdf.analysis import Analysis, AnalysisOptions, analyse
from soe_desktop.core.pdf.ingest import document_of
from soe_desktop.core.pdf.repair import OpenedPdf, open_or_repair
from soe_desktop.core.settings import Settings
from soe_desktop.core.store.files import store_copy
from soe_desktop.core.training.labeler import StudentLabeler

FINISHED = ("needs review", "done")

# How the active student is run: in-process by default (the CLI); the app passes one that labels
# in a child process with the model kept loaded, so the window never imports torch.
StudentFactory = Callable[[str], Labeler]


@dataclass
class IngestResult:
    """What a caller shows of one ingested document (plain data: crosses threads safely)."""

    sha256: str
    page_count: int
    candidates: int
    soe_pages: list[int] = field(default_factory=list)  # by the effective labels (student, rule)
    duplicate: bool = False  # the same bytes were already in the library; nothing was redone
    auto_accepted: int = 0
    status: str = "needs review"
    labelers: list[str] = field(default_factory=list)  # label sources written, in order
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)  # e.g. why Gemini did not label
    repaired: bool = False  # read from qpdf's repair of a damaged file
    unreadable_pages: list[int] = field(default_factory=list)  # skipped: see PageText.unreadable


@dataclass
class TeacherPass:
    """The first pass over one document, before anything is stored (plain data: pickles)."""

    analysis: Analysis
    labels: list[Label]
    teacher: str
    messages: list[str] = field(default_factory=list)


class _StatusRecorder:
    """Forwards progress and writes the document's status to the store when the stage changes."""

    def __init__(self, store, sha256: str, progress: ProgressCallback) -> None:
        self.store, self.sha256, self.progress = store, sha256, progress
        self.stage = ""

    def __call__(self, report: Progress) -> None:
        if report.stage != self.stage:  # boxes found while reading come as 'reading' steps: no change
            self.stage = report.stage
            self.store.set_status(self.sha256, report.stage)
        self.progress(report)


def ingest_document(
    path: str | Path,
    settings: Settings,
    store,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    allow_cloud: bool = False,
    ocr: bool = True,
    student_for: StudentFactory = StudentLabeler,
) -> IngestResult:
    """Store, analyse and label one PDF as the settings say; raises BadInputError / Cancelled after
    recording the status. `allow_cloud`: the user's consent for this document (used only when the
    teacher is Gemini); `ocr=False` leaves pictured pages unread for this run."""
    progress = progress or no_progress
    started = time.perf_counter()
    stored_path, sha256 = store_copy(Path(path), settings.documents_dir)
    opened = open_or_discard(stored_path, store, sha256, Path(path).name)
    try:
        document = document_of(opened.pdf, path, sha256)
        is_new = store.add_document(document, str(stored_path), Path(path).name)
        existing = store.document(sha256) or {}
        if not is_new and existing.get("status") in FINISHED:
            return already_stored(store, document)
        recorder = _StatusRecorder(store, sha256, progress)
        context = LabelerContext(first_pass_settings(settings, store), store, allow_cloud=allow_cloud)
        teacher, messages = _run_recorded(store, sha256, lambda: _analyse_and_label(
            opened, document, AnalysisOptions.from_settings(settings, ocr), context, recorder, cancel))
    finally:
        opened.close()
    student_sources, student_messages = _label_with_active_student(store, sha256, settings, allow_cloud,
                                                                   student_for, progress, cancel)
    return finish(store, document, settings, [teacher] + student_sources, messages + student_messages,
                  time.perf_counter() - started)


def finish(store, document: Document, settings: Settings, sources: list[str], messages: list[str],
           seconds: float) -> IngestResult:
    """The last stored step of every ingest: the auto-accept rule, then what the caller shows."""
    accepted = apply_auto_accept(store, document.sha256, settings.auto_accept_threshold)
    result = _result(store, document, sources, accepted, seconds)
    result.messages = list(messages)
    return result


def first_pass_settings(settings: Settings, store) -> Settings:
    """With an active student a cloud teacher does not label everything first: the offline
    teacher does, and only what the student is unsure of is sent (routing.py)."""
    entry = LABELERS.get(settings.teacher)
    if entry is not None and entry.needs_network and store.active_model() is not None:
        return replace(settings, teacher="heuristic")
    return settings


def repaired_copy_path(stored_path: Path) -> Path:
    """qpdf's repair of a damaged stored copy lives beside it: `<sha256>.repaired.pdf`."""
    return stored_path.with_name(f"{stored_path.stem}.repaired.pdf")


def open_or_discard(stored_path: Path, store, sha256: str, name: str) -> OpenedPdf:
    """Open the stored copy (or qpdf's repair of it, when pdfium refuses it as damaged); bad input
    raises here, before anything is recorded, and a copy the library does not know is removed
    again (a refused file leaves nothing behind)."""
    try:
        return open_or_repair(stored_path, lambda: repaired_copy_path(stored_path), name)
    except BadInputError as error:
        if store.document(sha256) is None:
            stored_path.unlink(missing_ok=True)
        raise BadInputError(str(error).replace(stored_path.name, name)) from None


def _analyse_and_label(opened: OpenedPdf, document: Document, options: AnalysisOptions, context: LabelerContext,
                       recorder, cancel) -> tuple[str, list[str]]:
    """Returns the teacher's name and what it had to say (e.g. why Gemini did not label)."""
    passed = teach(analyse_opened(opened, document, options, recorder, cancel), context, recorder, cancel)
    store_teacher_pass(context.store, passed, opened.repaired)
    return passed.teacher, passed.messages


def analyse_opened(opened: OpenedPdf, document: Document, options: AnalysisOptions, progress=None,
                   cancel=None) -> Analysis:
    """Analyse an opened stored copy (a damaged file's repair is written beside it)."""
    return analyse(opened.path, progress, cancel, options, document=document, pdf=opened.pdf,
                   repair_to=repaired_copy_path(opened.path))


def teach(analysis: Analysis, context: LabelerContext, progress=None, cancel=None) -> TeacherPass:
    """Label an analysis with the teacher the context's settings name (no store write)."""
    teacher = make_teacher(context)
    labels = label_candidates(analysis, teacher, progress, cancel)
    return TeacherPass(analysis, labels, teacher.name, list(getattr(teacher, "messages", [])))


def store_teacher_pass(store, passed: TeacherPass, opened_repaired: bool = False) -> None:
    """Store the first pass: pages, candidates and labels together or not at all. A document read
    from a repaired copy is recorded as repaired, its stored path naming the copy."""
    analysis, sha256 = passed.analysis, passed.analysis.document.sha256
    with store.transaction():
        store.add_pages(sha256, analysis.pages)
        store.replace_candidates(sha256, analysis.candidates)
        store.add_labels(passed.labels)
        if opened_repaired or analysis.repaired:
            store.mark_repaired(sha256, analysis.source, analysis.document.page_count)
    store.set_status(sha256, "needs review")


def _run_recorded(store, sha256: str, work):
    """Run `work`; a failure or a cancel is recorded on the document before it propagates."""
    try:
        return work()
    except Cancelled:
        store.set_status(sha256, "cancelled")
        raise
    except SoeError as error:
        store.set_status(sha256, "error", str(error))
        raise
    except Exception as error:  # an unexpected bug must not take the queue down with it
        store.set_status(sha256, "error", f"unexpected error: {error}")
        raise


def _label_with_active_student(store, sha256: str, settings: Settings, allow_cloud: bool,
                               student_for: StudentFactory, progress, cancel) -> tuple[list[str], list[str]]:
    """Append the active student's labels (the newest machine label, so the review shows it; the
    teacher's stays in the history), then Gemini's on the uncertain ones it was allowed to see.
    Returns the sources written (none without an active model) and what routing had to say."""
    active = store.active_model()
    candidates = store.candidates(sha256)
    if active is None or not active.get("path") or not candidates:
        return [], []
    student = student_for(active["path"])
    labels = student.label(candidates, progress=progress, cancel=cancel)
    return store_student_pass(store, sha256, settings, student.name, candidates, labels, allow_cloud,
                              progress, cancel)


def store_student_pass(store, sha256: str, settings: Settings, student: str, candidates, labels: list[Label],
                       allow_cloud: bool, progress=None, cancel=None) -> tuple[list[str], list[str]]:
    """Route the student's uncertain labels (routing.py) and store them, Gemini's after them."""
    routed = routing.route(settings, store, sha256, candidates, labels, allow_cloud, progress, cancel)
    with store.transaction():
        store.add_labels(labels)
        if routed.cloud_labels:
            store.add_labels(routed.cloud_labels)
        routing.record(store, sha256, routed, settings)
    return [student] + (["gemini"] if routed.cloud_labels else []), routed.messages


def already_stored(store, document: Document) -> IngestResult:
    """A duplicate drop: nothing is redone, the library's labels are reported."""
    result = _result(store, document, [], 0, 0.0)
    result.duplicate = True
    return result


def _result(store, document: Document, sources: list[str], accepted: int, seconds: float) -> IngestResult:
    sha256 = document.sha256
    candidates = store.candidates(sha256)
    labels = store.effective_labels(sha256)
    row = store.document(sha256) or {}
    unreadable = [page.number for page in store.pages(sha256) if page.unreadable]
    return IngestResult(sha256, int(row.get("page_count", document.page_count)), len(candidates),
                        soe_pages_of(candidates, labels), auto_accepted=accepted,
                        status=row.get("status", "needs review"), labelers=sources, seconds=seconds,
                        repaired=bool(row.get("repaired")), unreadable_pages=unreadable)

