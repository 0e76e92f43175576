"""The public entry of candidate detection: table regions on screened pages, with both
representations, table cues and multi-page groups.

Why this shape: detectors are the expensive step (docs/BENCHMARKS.md), so the caller's cheap page
screen decides which pages are opened at all (`table_pages`), and which pages must yield a
candidate even when no grid is found (`fallback_pages`). The PDF is opened once by each
library; pdfplumber only parses the pages it is asked about.
"""

from __future__ import annotations

import io
import logging
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import pdfplumber
import pypdfium2 as pdfium

from soe_desktop.core.errors import PageError
from soe_desktop.core.jobs import CancelToken, Partial, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import BBox, Candidate, Detector, Document, PageText
from soe_desktop.core.pdf.cells import drop_empty_lines, read_rows
from soe_desktop.core.pdf.contain import contained
from soe_desktop.core.pdf.context import page_context, table_context
from soe_desktop.core.pdf.detect import FinderInput, RawTable, find_tables
from soe_desktop.core.pdf.fallback import fallback_parts
from soe_desktop.core.pdf.grouping import WHOLE_PAGE, assign_groups
from soe_desktop.core.pdf.ingest import open_pdfium
from soe_desktop.core.pdf.limits import NO_BUDGET, Budget
from soe_desktop.core.pdf.redaction import REDACTED_SHARE, confirmed_dark_share
from soe_desktop.core.pdf.rotation import UPRIGHT, frame_of
from soe_desktop.core.pdf.table_cues import table_cues

log = logging.getLogger(__name__)

NO_TEXT_NOTE = "No text layer on this page (scanned or image only)."
PICTURE_NOTE = "The page is mostly a picture; its table, if any, has no text layer."
OCR_NOTE = "A pictured page (no text layer, or one covering little of its ink): its text and cells were read by OCR."
# 1.0 on every candidate of a page read uncertainly (OCR'd, pictured, sideways, redacted: PageText.reading,
# whose note opens the candidate's context), else 0.0. Labelers and the review rules read this key.
READING_UNCERTAIN = "reading_uncertain"
REDACTED = "redacted"  # 1.0 on a table candidate whose body is blacked out (redaction.py)
REDACTED_SHARE_KEY = "redacted_share"


def candidate_id(sha256: str, page: int, index: int) -> str:
    return f"{sha256[:12]}-p{page:04d}-t{index}"


def _valid(numbers: Iterable[int], page_count: int) -> list[int]:
    """The valid page numbers, once each, in the order given."""
    return list(dict.fromkeys(int(n) for n in numbers if 1 <= int(n) <= page_count))


class PageReader:
    """Both libraries' handles on one document, opened once and closed together.

    pdfplumber reads a copy holding only the table pages (pdfium `import_pages`, kept in
    memory): opening the whole file costs pdfminer ~3 ms per page of the document just to
    list its pages (417 ms on a 145-page protocol, against 25 ms for the copy). A page's
    tables do not depend on which other pages the copy holds, so the streaming screen reads
    one page at a time through a one-page copy (`pdfium`: a handle the caller already has open).
    """

    def __init__(self, path: Path, table_pages: set[int], stack: ExitStack, pdfium=None):
        self.path = path
        if pdfium is None:
            pdfium = open_pdfium(path)
            stack.callback(pdfium.close)
        self.pdfium = pdfium
        self._plumber_pages: dict[int, object] = {}
        self.failure = ""  # why pdfplumber could not open the table pages, if it could not
        if table_pages:
            numbers = sorted(table_pages)
            source = self._subset(numbers)
            only = None if isinstance(source, io.BytesIO) else numbers  # the copy holds just these
            try:
                plumber = stack.enter_context(pdfplumber.open(source, pages=only))
                self._plumber_pages = dict(zip(numbers, plumber.pages))
            except Exception as error:  # pdfminer cannot parse the document: its pages are unreadable
                log.warning("pdfplumber cannot open %s: %s", path.name, error)
                self.failure = f"pdfplumber cannot parse this document ({type(error).__name__}: {error})"

    def _subset(self, numbers: list[int]):
        try:
            subset = pdfium.PdfDocument.new()
            try:
                subset.import_pages(self.pdfium, [number - 1 for number in numbers])
                buffer = io.BytesIO()
                subset.save(buffer)
            finally:
                subset.close()
            buffer.seek(0)
            return buffer
        except pdfium.PdfiumError as error:  # fall back to the whole file, slower but equal
            log.warning("page copy failed (%s); pdfplumber reads the whole file", error)
            return self.path

    def plumber_page(self, number: int):
        return self._plumber_pages.get(number)


def detect_tables(reader: PageReader, number: int, page: PageText) -> list[RawTable]:
    """The registered table finders in order (pdfplumber, then camelot lattice), each only where
    the ones before it found nothing and it can see something (detect.TABLE_FINDERS)."""
    plumber_page = reader.plumber_page(number)
    if plumber_page is None:
        if reader.failure:
            raise PageError(reader.failure)
        return []
    tables = find_tables(FinderInput(reader.path, number, page, plumber_page))
    for table in tables:  # while pdfplumber's rects and images are parsed
        table.extra[REDACTED_SHARE_KEY] = confirmed_dark_share(plumber_page.rects, plumber_page.images,
                                                               _body_box(table), reader.pdfium[number - 1])
    plumber_page.close()  # frees the parsed layout: protocols can have hundreds of pages
    return tables


def _body_box(table: RawTable) -> BBox:
    """The table below its first row (where a redaction blacks out the body and leaves the header);
    the whole table when it is turned or has a single row."""
    first = [cell for cell in table.cells[0] if cell] if table.cells else []
    if table.direction != UPRIGHT or table.n_rows < 2 or not first:
        return table.bbox
    return table.bbox[0], max(cell[3] for cell in first), table.bbox[2], table.bbox[3]


def _note_redaction(page: PageText, tables: Sequence[RawTable]) -> None:
    """A table whose body is blacked out makes the page's reading uncertain: its header says what it
    is, its marks are gone (a redacted SoE is still an SoE page)."""
    share = max((table.extra.get(REDACTED_SHARE_KEY, 0.0) for table in tables), default=0.0)
    if share >= REDACTED_SHARE and "redacted" not in page.reading:
        note = f"redacted: {100 * share:.0f} % of the table body blacked out"
        page.reading = f"{page.reading}; {note}" if page.reading else note


def _candidate(document: Document, page: int, index: int, detector: str, bbox: BBox, rows, context: str) -> Candidate:
    rounded = tuple(round(float(v), 2) for v in bbox)
    return Candidate(
        id=candidate_id(document.sha256, page, index),
        document_sha256=document.sha256,
        page=page,
        bbox=rounded,
        detector=detector,
        rows=rows,
        context=context,
        features={
            **table_cues(rows),
            "fallback": float(detector.startswith("fallback")),
            "whole_page": float(detector == Detector.FALLBACK_PAGE),
        },
    )


def _fallback_note(detector: str, page: PageText) -> str:
    if page.ocr:
        return OCR_NOTE
    if detector == Detector.FALLBACK_TEXT:
        return ""
    return NO_TEXT_NOTE if not page.has_text_layer else PICTURE_NOTE


def page_candidates(
    reader: PageReader, document: Document, pages: Sequence[PageText], number: int, want_fallback: bool
) -> list[Candidate]:
    """All candidates of one page (1-based), fallback included when asked for and needed."""
    page = pages[number - 1]
    tables = detect_tables(reader, number, page)
    if not tables and not want_fallback:
        return []
    _note_redaction(page, tables)
    pdfium_page = reader.pdfium[number - 1]
    textpage = pdfium_page.get_textpage()
    try:
        frame = frame_of(pdfium_page)
        found = []
        for index, table in enumerate(tables):
            rows = drop_empty_lines(read_rows(textpage, frame, table.cells))
            context = table_context(textpage, frame, table.bbox, table.direction, pages, number)
            found.append(_candidate(document, number, index, table.detector, table.bbox, rows, context))
            found[-1].features[REDACTED] = float(table.extra.get(REDACTED_SHARE_KEY, 0.0) >= REDACTED_SHARE)
        if not found:
            if page.ocr:  # the whole page, as OCR read it: its boxes are the cells
                detector, bbox, rows = WHOLE_PAGE, (0.0, 0.0, *frame.displayed_size), drop_empty_lines(page.ocr_rows)
            else:
                detector, bbox, rows = fallback_parts(pdfium_page, textpage, frame, page)
            found.append(_candidate(document, number, 0, detector, bbox, rows,
                                    page_context(pages, number, _fallback_note(detector, page))))
            found[-1].features["ocr"] = float(page.ocr)
        for candidate in found:  # the labelers lower their confidence and auto-accept leaves it to a person
            candidate.features[READING_UNCERTAIN] = float(page.reading_uncertain)
        return found
    finally:
        textpage.close()
        pdfium_page.close()


def find_candidates(
    path: str | Path,
    document: Document,
    pages: list[PageText],
    table_pages: Iterable[int],
    fallback_pages: Iterable[int] = (),
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    found_early: Optional[Mapping[int, list[Candidate]]] = None,
    alone: Iterable[int] = (),
    budget: Budget = NO_BUDGET,
) -> list[Candidate]:
    """Candidate tables on the screened pages (1-based), grouped over pages, in page order.

    Detectors run only on `table_pages`; a page of `fallback_pages` where no table is found
    still yields one candidate (its text block, or the whole page when it has no text).
    Pages are visited in the order given (table pages first): the pipeline passes the most
    SoE-like first, so a viewer draws those boxes first. Reports Progress("detecting", done,
    total, partial=Partial(found on that page, page)) per page and stops with Cancelled when asked.
    `found_early`: `page_candidates` of table pages already detected (the streaming screen);
    they are used as they are and not reported again. `alone`: pages whose candidates stay groups
    of one (see grouping.assign_groups). A page whose finders fail or outrun `budget` is marked
    unreadable in `pages` and has no candidates (contain.py).
    """
    progress = progress or no_progress
    page_count = min(document.page_count, len(pages))
    tables_on = _valid(table_pages, page_count)
    fallback_order = _valid(fallback_pages, page_count)
    fallback_on = set(fallback_order)
    # Early pages were detected as table pages wanting a fallback: reused only where that still holds.
    reusable = set(tables_on) & fallback_on
    by_page = {number: list(found) for number, found in (found_early or {}).items() if number in reusable}
    todo = [number for number in dict.fromkeys([*tables_on, *fallback_order]) if number not in by_page]
    with ExitStack() as stack:
        reader = PageReader(Path(path), {number for number in tables_on if number not in by_page}, stack)
        for done, number in enumerate(todo, start=1):
            check(cancel)
            found = contained(pages, number, budget, "the table finders",
                              lambda: page_candidates(reader, document, pages, number, number in fallback_on), [])
            by_page[number] = found
            # Page by page, so a viewer can draw boxes long before the document is labelled.
            progress(Progress("detecting", done, len(todo), partial=Partial(tuple(found), number)))
    candidates = [candidate for number in sorted(by_page) for candidate in by_page[number]]
    return assign_groups(candidates, pages, alone=set(alone))
