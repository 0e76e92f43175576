"""A candidate for an SoE-like page where no detector found a grid.

Why: on the labelled SoE pages the detectors miss image-only pages (scanned inserts)
and borderless grids; without a fallback those pages would have no candidate at all.
A page with text gets its text block, with rows rebuilt from the glyph positions (lines,
split into cells at wide gaps); a page without text, or one that is mostly a picture,
is the whole page.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

from soe_desktop.core.model import BBox, Detector, PageText
from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, UPRIGHT, PageFrame

IMAGE_PAGE_SHARE = 0.5  # a picture covering this much of the page...
IMAGE_PAGE_MAX_CHARS = 200  # ...with this little text is a scanned table
CELL_GAP_WIDTHS = 1.6  # a gap wider than this many median glyph widths starts a new cell
WORD_GAP_WIDTHS = 0.25


@dataclass
class Glyph:
    char: str
    x0: float  # reading frame: x along the line, y down the lines
    y0: float
    x1: float
    y1: float


def image_share(pdfium_page, frame: PageFrame) -> float:
    """Largest share of the page covered by one image object."""
    width, height = frame.displayed_size
    best = 0.0
    for obj in pdfium_page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        best = max(best, (right - left) * (top - bottom) / (width * height))
    return min(best, 1.0)


def is_picture_page(pdfium_page, frame: PageFrame, page: PageText) -> bool:
    if not page.has_text_layer:
        return True
    return len(page.text.strip()) < IMAGE_PAGE_MAX_CHARS and image_share(pdfium_page, frame) >= IMAGE_PAGE_SHARE


def _to_reading(box: BBox, direction: int, width: float, height: float) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = box
    if direction == UP_THE_PAGE:
        return height - bottom, x0, height - top, x1
    if direction == DOWN_THE_PAGE:
        return top, width - x1, bottom, width - x0
    return box


def glyphs(textpage, frame: PageFrame, direction: int = UPRIGHT) -> tuple[list[Glyph], list[BBox]]:
    """Visible glyphs in the text's reading frame (`direction`: the page's orientation decision,
    PageText.direction), and their displayed boxes."""
    count = textpage.count_chars()
    width, height = frame.displayed_size
    found, boxes = [], []
    for index in range(count):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if not char.strip() or pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue
        box = frame.to_displayed(*textpage.get_charbox(index, loose=True))  # font box: no gaps inside words
        boxes.append(box)
        found.append(Glyph(char, *_to_reading(box, direction, width, height)))
    return found, boxes


def _lines(found: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs whose vertical centres fall within half a line height share a line."""
    lines: list[list[Glyph]] = []
    for glyph in sorted(found, key=lambda g: (g.y0 + g.y1) / 2):
        centre = (glyph.y0 + glyph.y1) / 2
        if lines:
            last = lines[-1]
            last_centre = statistics.fmean((g.y0 + g.y1) / 2 for g in last)
            if abs(centre - last_centre) <= max(2.0, (glyph.y1 - glyph.y0) / 2):
                last.append(glyph)
                continue
        lines.append([glyph])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _cells(line: list[Glyph], median_width: float) -> list[str]:
    cells, current, previous = [], "", None
    for glyph in line:
        if previous is not None:
            gap = glyph.x0 - previous.x1
            if gap > CELL_GAP_WIDTHS * median_width:
                cells.append(current)
                current = ""
            elif gap > WORD_GAP_WIDTHS * median_width:
                current += " "
        current += glyph.char
        previous = glyph
    return [cell.strip() for cell in [*cells, current]]


def text_rows(found: list[Glyph]) -> list[list[str]]:
    """Rows of cells rebuilt from glyph positions (what 'split on runs of spaces' means on a page)."""
    if not found:
        return []
    median_width = statistics.median(max(0.5, g.x1 - g.x0) for g in found)
    return [_cells(line, median_width) for line in _lines(found)]


def union(boxes: list[BBox]) -> BBox:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def fallback_parts(pdfium_page, textpage, frame: PageFrame, page: PageText) -> tuple[str, BBox, list[list[str]]]:
    """(detector, displayed bbox, rows) of the fallback candidate of one page."""
    width, height = frame.displayed_size
    if is_picture_page(pdfium_page, frame, page):
        found, _ = glyphs(textpage, frame, page.direction) if page.has_text_layer else ([], [])
        return Detector.FALLBACK_PAGE, (0.0, 0.0, width, height), text_rows(found)
    found, boxes = glyphs(textpage, frame, page.direction)
    if not boxes:
        return Detector.FALLBACK_PAGE, (0.0, 0.0, width, height), []
    return Detector.FALLBACK_TEXT, union(boxes), text_rows(found)
