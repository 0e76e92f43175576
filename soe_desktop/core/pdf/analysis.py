"""One PDF from bytes to candidate tables, before any labeler looks at them.

read pages (pypdfium2) -> page features and screen -> table detection on screened pages only.
Keeping the expensive detectors off most pages is what keeps triage fast. A page that is SoE on
its own is detected while the pages after it are still being read (streaming.py), so a viewer
draws its box within a fraction of a second; the result does not change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, ProgressCallback, check, no_progress
from soe_desktop.core.model import Candidate, Document, PageText
from soe_desktop.core.pdf import features
from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.ingest import document_of
from soe_desktop.core.pdf.limits import Budget
from soe_desktop.core.pdf.ocr import screen_with_ocr
from soe_desktop.core.pdf.pages import one_line
from soe_desktop.core.pdf.repair import OpenedPdf, open_or_repair, open_repaired, repaired_path
from soe_desktop.core.pdf.streaming import read_with_early_detection
from soe_desktop.core.settings import DOCUMENT_TIME_LIMIT_S, PAGE_TIME_LIMIT_S, SECOND_LOOK_PAGES, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisOptions:
    """How a document is analysed: what the settings decide plus, for cross-validation and
    benchmarks, the page model (None = the shipped one)."""

    ocr: bool = True  # read SoE-like pages without a text layer with local OCR
    second_look: int = SECOND_LOOK_PAGES  # text pages examined beyond the screen (look-alikes)
    page_model: Any = None
    page_time_limit_s: float = PAGE_TIME_LIMIT_S  # a page's table finders (limits.py); 0 = none
    document_time_limit_s: float = DOCUMENT_TIME_LIMIT_S  # the whole analysis; 0 = none
    repair_dir: str = ""  # where repaired copies of damaged files go ("" = the system temp folder)

    @classmethod
    def from_settings(cls, settings: Settings, ocr: bool = True) -> "AnalysisOptions":
        """The user's settings; `ocr=False` turns OCR off for one run (`--no-ocr`)."""
        return cls(ocr=settings.read_scanned_pages and ocr, second_look=settings.second_look_pages,
                   page_time_limit_s=settings.page_time_limit_s,
                   document_time_limit_s=settings.document_time_limit_s,
                   repair_dir=str(settings.cache_dir / "repaired"))

    def budget(self) -> Budget:
        """The time limits of one document, its clock started now."""
        return Budget(document_s=self.document_time_limit_s or None, page_s=self.page_time_limit_s or None)


@dataclass
class Analysis:
    """Everything found in one PDF before any labeler looked at it."""

    document: Document
    pages: list[PageText]
    candidates: list[Candidate]
    page_scores: list[float] = field(default_factory=list)
    second_looked: list[int] = field(default_factory=list)  # pages examined beyond the screen
    opened: list[int] = field(default_factory=list)  # pages the screen opened for table detection
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step: reading, screen, detecting
    repaired: bool = False  # pdfium could not read the file as it is: `source` is qpdf's repair of it
    source: str = ""  # the file read (the repaired copy when repaired)

    @property
    def text_less_pages(self) -> list[int]:
        return [page.number for page in self.pages if not page.has_text_layer and not page.unreadable]

    @property
    def unreadable_pages(self) -> list[int]:
        """Pages skipped: pdfium cannot load them, their finders or OCR failed or ran out of time."""
        return [page.number for page in self.pages if page.unreadable]

    @property
    def ocr_pages(self) -> list[int]:
        return [page.number for page in self.pages if page.ocr]


def attach_page_features(candidates: list[Candidate], page_features: list[dict], scores: list[float]) -> None:
    """Give every candidate its page's layout cues and the screen's verdict on the page, so labelers
    see layout and neighbours, not text only."""
    for candidate in candidates:
        candidate.features.update(features.candidate_page_features(page_features[candidate.page - 1],
                                                                   scores[candidate.page - 1]))


def analyse(
    path: str | Path,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    options: AnalysisOptions = AnalysisOptions(),
    document: Optional[Document] = None,
    pdf=None,
    repair_to: Optional[Path] = None,
) -> Analysis:
    """Page text (OCR of pages without a text layer when `options.ocr` and the optional engine is
    installed), cheap page screen, then table detection on the screened pages and, last, on the
    `options.second_look` text pages the screen came closest to opening (look-alikes a student
    learns from). `document` and `pdf` (its pypdfium2 handle, left open): the file already
    fingerprinted and opened by the caller, so an ingest hashes and opens each file once.

    Pages that are SoE on their own are detected while the others are still being read (the
    streaming screen): their boxes reach a viewer within a fraction of a second, and the full
    pass reuses them, so the result is the same as detecting everything after reading.

    Damaged files: one pdfium refuses, or with pages pdfium cannot load, is read from qpdf's
    repair (repair.py; `repair_to`, default `options.repair_dir`). Pages that stay unreadable, or
    whose finders or OCR fail or outrun `options`' time limits, are skipped and listed in
    `unreadable_pages`. Raises only SoeError (BadInputError for a file that cannot be read at all)
    and Cancelled.
    """
    path = Path(path)
    try:
        return _analyse(path, progress or no_progress, cancel, options, document, pdf, repair_to)
    except (SoeError, Cancelled):
        raise
    except Exception as error:  # a library failed outside any one page: this file only, one line
        log.warning("analysis of %s failed", path.name, exc_info=True)
        raise BadInputError(f"{path.name}: cannot be analysed ({type(error).__name__}: {one_line(error)})") from None


def _analyse(path: Path, progress, cancel, options: AnalysisOptions, document, pdf, repair_to) -> Analysis:
    clock = _StepClock()
    budget = options.budget()
    def target() -> Path:  # only a damaged file needs it (it may cost a fingerprint)
        return repair_to or repaired_path(path, options.repair_dir, document.sha256 if document else "")

    opened = OpenedPdf(pdf, path) if pdf is not None else open_or_repair(path, target)
    handles = [] if pdf is not None else [opened]
    try:
        document = document or document_of(opened.pdf, path)
        stream = read_with_early_detection(opened.path, document, progress, cancel, model=options.page_model,
                                           pdf=opened.pdf, budget=budget)
        if _pages_failed(stream) and not opened.repaired and not budget.spent:
            opened, stream, document = _read_repaired(path, opened, stream, document, target, handles, options,
                                                      progress, cancel, budget)
        return _examine(opened, stream, document, options, progress, cancel, budget, clock)
    finally:
        for handle in handles:
            handle.close()


def _pages_failed(stream) -> bool:
    return any(page.unreadable for page in stream.pages)


def _read_repaired(path, opened, stream, document, target, handles, options, progress, cancel, budget):
    """Some pages did not load: read qpdf's repair instead when it recovers more pages."""
    try:
        fixed = open_repaired(opened.path, target(), path.name)
    except BadInputError as error:
        log.info("repair of %s did not help: %s", path.name, error)
        return opened, stream, document
    handles.append(fixed)
    repaired = Document(path=document.path, sha256=document.sha256, page_count=len(fixed.pdf))
    again = read_with_early_detection(fixed.path, repaired, progress, cancel, model=options.page_model,
                                      pdf=fixed.pdf, budget=budget)
    if _readable(again) > _readable(stream):
        return fixed, again, repaired
    return opened, stream, document


def _readable(stream) -> int:
    return sum(1 for page in stream.pages if not page.unreadable)


def _examine(opened, stream, document: Document, options: AnalysisOptions, progress, cancel, budget: Budget,
             clock: "_StepClock") -> Analysis:
    """Screen, OCR and detection on the pages read."""
    path, pages = opened.path, stream.pages
    check(cancel)
    clock.lap("reading")
    ocr = options.ocr and not budget.spent
    page_features, scores = screen_with_ocr(path, pages, stream.singles, ocr, model=options.page_model,
                                            progress=progress, cancel=cancel, sha256=document.sha256)
    table_pages, fallback_pages, looked = (_readable_only(pages, numbers) for numbers in
                                           features.pages_to_examine(pages, scores, options.second_look))
    clock.lap("screen")  # includes OCR of the pictured pages the screen would open
    candidates = find_candidates(path, document, pages, table_pages, fallback_pages, progress, cancel,
                                 found_early=stream.early, alone=looked, budget=budget)
    attach_page_features(candidates, page_features, scores)
    clock.lap("detecting")
    opened_pages = sorted((set(table_pages) | set(fallback_pages)) - set(looked))
    return Analysis(document=document, pages=pages, candidates=candidates, page_scores=list(scores),
                    second_looked=sorted(looked), opened=opened_pages, seconds=clock.laps,
                    repaired=opened.repaired, source=str(opened.path))


def _readable_only(pages: list[PageText], numbers: list[int]) -> list[int]:
    return [number for number in numbers if not pages[number - 1].unreadable]


class _StepClock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = now - self._last
        self._last = now
