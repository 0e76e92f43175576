"""The public entry of grid extraction: a candidate group (one SoE table over its pages) -> `Grid`.

Per page: the table's cell geometry from pdfplumber (camelot lattice where pdfplumber found none,
pdfplumber's text strategy for a borderless grid), its characters from pdfium, then the page's
header, columns and rows (page.py); pages without a text layer go through OCR (ocr_page.py).
Footnotes come from the lines under the table on each page and from a footnote page right after
the last one. The pages are stitched into one grid (stitch.py).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from soe_desktop.core.grid.model import MARK, Grid
from soe_desktop.core.grid.page import PagePart
from soe_desktop.core.grid.page_reading import footnote_page, read_table_page
from soe_desktop.core.grid.stitch import stitch
from soe_desktop.core.jobs import CancelToken, check
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.pdf.candidates import PageReader

MIN_MARKS = 3  # a table with fewer mark cells is not a schedule grid (a footnote or prose block)


def _cited(grid: Grid) -> set[str]:
    refs = {ref for row in grid.rows for ref in row.footnote_refs}
    refs |= {ref for row in grid.rows for cell in row.cell_refs.values() for ref in cell}
    refs |= {ref for column in grid.columns for ref in column.footnote_refs}
    refs |= {ref for section in grid.sections for ref in section.footnote_refs}
    return refs


def extract_grid(pdf_path: str | Path, candidates: Sequence[Candidate], ocr: bool = True,
                 cancel: Optional[CancelToken] = None) -> Grid:
    """One grid from the candidates of one table (any order; one per page is used, the largest).

    `ocr`: read table pages without a text layer with local OCR (when the engine is installed).
    """
    path = Path(pdf_path)
    by_page: dict[int, Candidate] = {}
    for candidate in candidates:
        area = (candidate.bbox[2] - candidate.bbox[0]) * (candidate.bbox[3] - candidate.bbox[1])
        kept = by_page.get(candidate.page)
        if kept is None or area > (kept.bbox[2] - kept.bbox[0]) * (kept.bbox[3] - kept.bbox[1]):
            by_page[candidate.page] = candidate
    numbers = sorted(by_page)
    parts: list[PagePart] = []
    notes: dict[str, str] = {}
    ocr_pages: list[int] = []
    with ExitStack() as stack:
        reader = PageReader(path, set(numbers), stack)
        for number in numbers:
            check(cancel)
            header = next((part.header for part in reversed(parts) if part.header), [])
            read = read_table_page(reader, by_page[number], ocr, header)
            if read.ocr:
                ocr_pages.append(number)
            if read.part is not None:
                parts.append(read.part)
            for ref, text in read.notes.items():
                notes.setdefault(ref, text)
        grid = stitch(parts, notes)
        after = numbers[-1] + 1 if numbers else 0
        missing = _cited(grid) - set(grid.footnotes)
        if numbers and after <= len(reader.pdfium) and missing:
            extra = footnote_page(reader, after)
            if set(extra) & missing:  # the page after carries this table's footnotes
                for ref in sorted(set(extra) & missing):  # only the grid's: not the page's dates
                    grid.footnotes.setdefault(ref, extra[ref])
    grid.pages = [part.page for part in parts]
    grid.ocr_pages = ocr_pages
    grid.group = numbers and by_page[numbers[0]].group or ""
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


def grids_for_document(pdf_path: str | Path, candidates: Sequence[Candidate], labels: Mapping[str, Label],
                       ocr: bool = True, cancel: Optional[CancelToken] = None) -> list[Grid]:
    """Grids of every SoE group of a document (labels: candidate id -> effective label), main
    schedule first then document order; groups that yield no grid are left out."""
    grids = []
    for members in soe_groups(candidates, labels):
        grid = extract_grid(pdf_path, members, ocr=ocr, cancel=cancel)
        marks = sum(value == MARK for row in grid.rows for value in row.marks.values())
        if grid.rows and grid.columns and marks >= MIN_MARKS:
            grids.append(grid)
    return grids
