"""The public entry of grid extraction: a candidate group (one SoE table over its pages) -> `Grid`.

Per page: the table's cell geometry from pdfplumber (camelot lattice where pdfplumber found none,
pdfplumber's text strategy for a borderless grid), its characters from pdfium, then the page's
header, columns and rows (page.py); pages without a text layer go through OCR (ocr_page.py).
Footnotes come from the lines under the table on each page and from a footnote page right after
the last one. The pages are stitched into one grid (stitch.py).

Then a second reading checks the first (cross_check.py: the page's characters binned by header and
activity positions; disagreeing cells are flagged `uncertain`), a blacked-out body makes the grid
`redacted` (pdf/redaction.py), and a grid that does not look like a schedule is marked `suspect`
(sanity.py). A page whose reading fails is contained to that page (`unreadable_pages`), and a
table that gives no grid is a `GridFailure` with its reason: nothing is dropped without a word.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from soe_desktop.core.grid.chars import page_chars
from soe_desktop.core.grid.cross_check import PageChars, cross_check
from soe_desktop.core.grid.model import MARK, Grid, GridFailure
from soe_desktop.core.grid.page import PagePart
from soe_desktop.core.grid.page_reading import footnote_page, read_table_page
from soe_desktop.core.grid.sanity import MIN_MARKS, failure_reason, suspect_reason
from soe_desktop.core.grid.stitch import stitch
from soe_desktop.core.jobs import CancelToken, Cancelled, check
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.pdf.candidates import PageReader
from soe_desktop.core.pdf.orientation import page_direction
from soe_desktop.core.pdf.redaction import is_redacted
from soe_desktop.core.pdf.rotation import frame_of

log = logging.getLogger(__name__)
__all__ = ["MIN_MARKS", "TableReading", "DocumentGrids", "extract_grid", "read_table", "read_tables",
           "grids_for_document", "soe_groups", "soe_table"]


def _cited(grid: Grid) -> set[str]:
    refs = {ref for row in grid.rows for ref in row.footnote_refs}
    refs |= {ref for row in grid.rows for cell in row.cell_refs.values() for ref in cell}
    refs |= {ref for column in grid.columns for ref in column.footnote_refs}
    refs |= {ref for section in grid.sections for ref in section.footnote_refs}
    return refs


@dataclass
class TableReading:
    """One SoE table read: its grid, or why there is none (`failure`), and the pages whose reading
    failed (page -> reason)."""

    grid: Optional[Grid]
    failure: Optional[GridFailure] = None
    unreadable: dict[int, str] = field(default_factory=dict)


@dataclass
class DocumentGrids:
    """Every SoE table of a document: grids (main schedule first), tables without a grid and why,
    and the table pages that could not be read."""

    grids: list[Grid] = field(default_factory=list)
    failed: list[GridFailure] = field(default_factory=list)
    unreadable: dict[int, str] = field(default_factory=dict)

    def unreadable_json(self) -> list[dict]:
        return [{"page": page, "reason": reason} for page, reason in sorted(self.unreadable.items())]


def _largest_per_page(candidates: Sequence[Candidate]) -> dict[int, Candidate]:
    by_page: dict[int, Candidate] = {}
    for candidate in candidates:
        area = (candidate.bbox[2] - candidate.bbox[0]) * (candidate.bbox[3] - candidate.bbox[1])
        kept = by_page.get(candidate.page)
        if kept is None or area > (kept.bbox[2] - kept.bbox[0]) * (kept.bbox[3] - kept.bbox[1]):
            by_page[candidate.page] = candidate
    return by_page


def _body_box(part: Optional[PagePart], candidate: Candidate):
    """The table's body on the page: the candidate's box below the header's lowest cell."""
    x0, top, x1, bottom = candidate.bbox
    heads = [source.bbox[3] for column in (part.columns if part else []) for source in column.sources]
    header_bottom = max(heads, default=top)
    return (x0, header_bottom, x1, bottom) if top <= header_bottom < bottom else candidate.bbox


def _blacked_out(reader: PageReader, part: Optional[PagePart], candidate: Candidate) -> bool:
    """Whether the table's body on this page is covered by dark fills or a dark image (asked only
    of a page that gave no marks, so a normal page costs nothing)."""
    plumber_page = reader.plumber_page(candidate.page)
    if plumber_page is None:
        return False
    try:
        return is_redacted(plumber_page.rects, plumber_page.images, _body_box(part, candidate),
                           reader.pdfium[candidate.page - 1])
    except Exception as error:  # pdfminer raises on damaged content streams
        log.warning("redaction check failed on page %s: %s", candidate.page, error)
        return False


def _page_chars(reader: PageReader, number: int) -> PageChars:
    pdfium_page = reader.pdfium[number - 1]
    textpage = pdfium_page.get_textpage()
    try:
        frame = frame_of(pdfium_page)
        return PageChars(page_chars(textpage, frame), frame.displayed_size, page_direction(textpage, frame))
    finally:
        textpage.close()
        pdfium_page.close()


def _second_reading(reader: PageReader, grid: Grid) -> None:
    """Check the cell reading on every text-layer page (OCR pages have no characters to bin)."""
    pages = {}
    for number in grid.pages:
        if number in grid.ocr_pages:
            continue
        try:
            pages[number] = _page_chars(reader, number)
        except Exception as error:  # the page read once already; a second failure leaves it unchecked
            log.warning("second reading skipped page %s: %s", number, error)
    cross_check(grid, pages)


MAX_FOOTNOTE_PAGES = 4  # footnote pages read after a table's last page (a long list runs over several)


def _footnote_pages(reader: PageReader, grid: Grid, first: int) -> None:
    """The cited footnotes the table's pages lack, from the pages after it: page by page while each
    still gives some (only the grid's refs are taken: not a page's dates or list items)."""
    for number in range(first, min(first + MAX_FOOTNOTE_PAGES, len(reader.pdfium) + 1)):
        missing = _cited(grid) - set(grid.footnotes)
        if not missing:
            return
        extra = footnote_page(reader, number)
        found = set(extra) & missing
        if not found:  # this page carries none of the table's footnotes: the list ended before it
            return
        for ref in sorted(found):
            grid.footnotes[ref] = extra[ref]


def _unreadable_reason(reader: PageReader, ocr: bool) -> str:
    if reader.failure:
        return reader.failure
    return ("no table could be read on the page (no cell geometry from pdfplumber or camelot"
            + ("" if ocr else ", or no text layer and OCR off") + ")")


def _read(path: Path, by_page: dict[int, Candidate], ocr: bool, cancel: Optional[CancelToken]):
    """(grid, unreadable pages): every page read, each page's failure contained to the page."""
    numbers = sorted(by_page)
    parts: list[PagePart] = []
    notes: dict[str, str] = {}
    ocr_pages: list[int] = []
    unreadable: dict[int, str] = {}
    redacted = False
    with ExitStack() as stack:
        reader = PageReader(path, set(numbers), stack)
        for number in numbers:
            check(cancel)
            header = next((part.header for part in reversed(parts) if part.header), [])
            try:
                read = read_table_page(reader, by_page[number], ocr, header)
            except (Cancelled, MemoryError):
                raise
            except Exception as error:  # a damaged page, a table finder that raises: this page only
                log.warning("grid page %s unreadable: %s", number, error)
                unreadable[number] = f"{type(error).__name__}: {error}"
                continue
            if read.ocr:
                ocr_pages.append(number)
            if read.part is None:
                unreadable[number] = _unreadable_reason(reader, ocr)
            else:
                parts.append(read.part)
                if not any(cell is not None and cell.value == MARK for row in read.part.rows for cell in row.cells):
                    redacted = _blacked_out(reader, read.part, by_page[number]) or redacted
            for ref, text in read.notes.items():
                notes.setdefault(ref, text)
        grid = stitch(parts, notes)
        if numbers:
            _footnote_pages(reader, grid, numbers[-1] + 1)
        grid.pages = [part.page for part in parts]
        grid.ocr_pages = ocr_pages
        grid.redacted = redacted
        _second_reading(reader, grid)
    return grid, unreadable


def read_table(pdf_path: str | Path, candidates: Sequence[Candidate], ocr: bool = True,
               cancel: Optional[CancelToken] = None) -> TableReading:
    """One SoE table (its candidates, any order; per page the largest is read) -> its grid, checked
    by the second reading and the sanity rules, or the reason it gave none. The CLI and the window
    both go through this, so they agree on which tables have grids."""
    by_page = _largest_per_page(candidates)
    grid, unreadable = _read(Path(pdf_path), by_page, ocr, cancel)
    numbers = sorted(by_page)
    grid.group = numbers and by_page[numbers[0]].group or ""
    grid.unreadable_pages = sorted(unreadable)
    reason = failure_reason(grid, unreadable, numbers)
    if reason:
        return TableReading(None, GridFailure(numbers, reason, grid.group), unreadable)
    grid.suspect = suspect_reason(grid)
    return TableReading(grid, None, unreadable)


def extract_grid(pdf_path: str | Path, candidates: Sequence[Candidate], ocr: bool = True,
                 cancel: Optional[CancelToken] = None) -> Grid:
    """One grid from the candidates of one table, as read (any order; one per page is used, the
    largest), whatever it holds: see `read_table` for the grid or the reason there is none.

    `ocr`: read table pages without a text layer with local OCR (when the engine is installed).
    """
    by_page = _largest_per_page(candidates)
    grid, unreadable = _read(Path(pdf_path), by_page, ocr, cancel)
    numbers = sorted(by_page)
    grid.group = numbers and by_page[numbers[0]].group or ""
    grid.unreadable_pages = sorted(unreadable)
    grid.suspect = suspect_reason(grid)
    return grid


def soe_groups(candidates: Iterable[Candidate], labels: Mapping[str, Label]) -> list[list[Candidate]]:
    """Candidate groups whose effective label says SoE (any member), in document order, the main
    schedule first: the largest group (most pages, then most rows), then by first page."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.group, []).append(candidate)
    chosen = [members for members in groups.values()
              if any((label := labels.get(c.id)) is not None and label.is_soe for c in members)]
    chosen = [sorted(members, key=lambda c: (c.page, c.bbox[1])) for members in chosen]
    chosen.sort(key=lambda members: members[0].page)
    if not chosen:
        return []
    main = max(chosen, key=lambda m: (len({c.page for c in m}), sum(len(c.rows) for c in m), -m[0].page))
    return [main] + [members for members in chosen if members is not main]


def soe_table(candidates: Iterable[Candidate], labels: Mapping[str, Label], group: str) -> list[Candidate]:
    """The members of candidate group `group` when `soe_groups` counts it as an SoE table (page
    order), else []: the window asks this of the table it shows, `soe grid` reads every table
    `soe_groups` gives, so the two never disagree on which tables have grids."""
    return next((members for members in soe_groups(candidates, labels) if members[0].group == group), [])


def read_tables(pdf_path: str | Path, candidates: Sequence[Candidate], labels: Mapping[str, Label],
                ocr: bool = True, cancel: Optional[CancelToken] = None) -> DocumentGrids:
    """Every SoE group of a document (labels: candidate id -> effective label), main schedule first
    then document order: a grid, or a `failed` entry saying why not."""
    found = DocumentGrids()
    for members in soe_groups(candidates, labels):
        reading = read_table(pdf_path, members, ocr=ocr, cancel=cancel)
        found.unreadable.update(reading.unreadable)
        if reading.grid is not None:
            found.grids.append(reading.grid)
        elif reading.failure is not None:
            found.failed.append(reading.failure)
    return found


def grids_for_document(pdf_path: str | Path, candidates: Sequence[Candidate], labels: Mapping[str, Label],
                       ocr: bool = True, cancel: Optional[CancelToken] = None) -> list[Grid]:
    """The grids of `read_tables` (tables that gave none are in its `failed`)."""
    return read_tables(pdf_path, candidates, labels, ocr=ocr, cancel=cancel).grids
