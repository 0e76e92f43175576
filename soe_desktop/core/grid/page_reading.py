"""One page of an SoE table -> its part of the grid: the table's cell geometry (pdfplumber, camelot
lattice where pdfplumber found none), its characters from pdfium, then header, columns and rows
(page.py); a table region without a text layer goes through OCR (ocr_page.py). Also the footnotes
printed under the table, and those of a footnote page after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from soe_desktop.core.grid.chars import Char, body_size, page_chars
from soe_desktop.core.grid.footnotes import lines_above, lines_below, parse_footnotes, split_lines
from soe_desktop.core.grid.geometry import camelot_geometry, inside, plumber_geometry
from soe_desktop.core.grid.ocr_page import ocr_table
from soe_desktop.core.grid.page import PagePart, is_caption, read_page
from soe_desktop.core.grid.table import PageTable, build_table
from soe_desktop.core.model import Candidate
from soe_desktop.core.pdf.candidates import PageReader
from soe_desktop.core.pdf.orientation import page_direction
from soe_desktop.core.pdf.rotation import frame_of

MIN_TEXT_CHARS = 40  # fewer visible characters than this in the table region: read it by OCR


@dataclass
class PageRead:
    part: Optional[PagePart]
    notes: dict[str, str]
    ocr: bool = False


def _read_text_page(reader: PageReader, candidate: Candidate, chars: list[Char], size,
                    direction: int) -> Optional[PageTable]:
    plumber_page = reader.plumber_page(candidate.page)
    if plumber_page is None:
        return None
    boxes = plumber_geometry(plumber_page, candidate.bbox, candidate.detector)
    detector = "pdfplumber"
    if not boxes:
        boxes, detector = camelot_geometry(reader.path, candidate.page, candidate.bbox), "camelot"
    if not boxes:
        return None
    return build_table(candidate.page, boxes, chars, direction, size, detector)


def _text_chars(table: PageTable) -> int:
    """Visible characters in the table's cells."""
    return sum(len(cell.text.replace(" ", "")) for cell in table.cells)


def read_table_page(reader: PageReader, candidate: Candidate, ocr: bool, header: Sequence[str]) -> PageRead:
    pdfium_page = reader.pdfium[candidate.page - 1]
    textpage = pdfium_page.get_textpage()
    try:
        frame = frame_of(pdfium_page)
        size = frame.displayed_size
        chars = page_chars(textpage, frame)
        region = [c for c in chars if not c.generated and c.text.strip() and inside(
            {"x0": c.bbox[0], "x1": c.bbox[2], "top": c.bbox[1], "bottom": c.bbox[3]}, candidate.bbox)]
        # the page's one orientation decision, as every reader of the page takes it
        direction = page_direction(textpage, frame)
        table = _read_text_page(reader, candidate, chars, size, direction) if region else None
        if len(region) < MIN_TEXT_CHARS and (table is None or _text_chars(table) < MIN_TEXT_CHARS):
            # no text layer here (a candidate holding only a piece of a ruled table, its marks, is
            # read as the whole table above)
            if not ocr:
                return PageRead(None, {})
            table, lines = ocr_table(reader.pdfium, candidate.page, candidate.bbox)
            part = read_page(table, known_header=header) if table is not None else None
            return PageRead(part, parse_footnotes(lines), ocr=True)
        if table is None:
            return PageRead(None, {})
        part = read_page(table, known_header=header)
        if part is not None and not part.caption:
            above = lines_above(chars, table.bbox, table.direction, size)
            part.caption = next((line for line in above if is_caption(line)), "")
        lines = lines_below(chars, table.bbox, table.direction, size)
        return PageRead(part, parse_footnotes(lines))
    finally:
        textpage.close()
        pdfium_page.close()


def footnote_page(reader: PageReader, number: int) -> dict[str, str]:
    """Footnotes on a page without the table (a footnote continuation), whole page in reading order."""
    pdfium_page = reader.pdfium[number - 1]
    textpage = pdfium_page.get_textpage()
    try:
        chars = page_chars(textpage, frame_of(pdfium_page))
        return parse_footnotes(split_lines(chars, body_size(chars)))
    finally:
        textpage.close()
        pdfium_page.close()
