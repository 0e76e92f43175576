"""A table page without a text layer: its words through the existing OCR path, its cells through
camelot lattice.

The page is recognised with RapidOCR (core/pdf/ocr.py: rendered as displayed, boxes in points).
Its ruling is a picture, which pdfplumber cannot see and camelot lattice can, but camelot refuses
a page without text; so the picture is put on a one-page PDF of the same size together with an
invisible dot at each recognised box, camelot reads the ruled cells of that page, and each OCR box
goes to the cell under its centre, as characters do on a text page.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Optional

from soe_desktop.core.grid.chars import Char
from soe_desktop.core.grid.geometry import camelot_geometry
from soe_desktop.core.grid.table import PageTable, build_table
from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.ocr import OCR_DPI, OcrBox, ocr_available, ocr_rows, recognise_page
from soe_desktop.core.pdf.rotation import UPRIGHT

# Camelot needs to see the ruling: the picture is rendered at the OCR resolution at least.
PICTURE_DPI = 150


# OCR reads a raised footnote marker as a plain letter after the word: "Vital signs h",
# "Screening a, b", "OPc", "UNSd" (a capitalised abbreviation and one lower-case letter; not a
# plural "s", not after a digit: "HbA1c" stays). Without printed sizes, these shapes are the cue.
_OCR_MARKER = re.compile(r"^(?P<text>.*?[A-Za-z)\]]{2,})(?:\s+(?P<spaced>[a-z](?:\s*,\s*[a-z])*)|"
                         r"(?<=[A-Z]{2})(?P<glued>[a-rt-z]))$")
# Clinical abbreviations whose last lower-case letter or digit is part of the name ("QTc" is not
# "QT" + marker c). A marker read after one is split off all the same ("SpO2b": SpO2 + b), which
# the shapes above cannot see after a digit.
CLINICAL_ABBREVIATIONS = ("QTc", "QTcF", "QTcB", "LDLc", "HDLc", "VLDLc", "HbA1c", "FEV1", "FEV6", "SpO2", "SaO2",
                          "PaO2", "PaCO2", "FiO2", "CO2", "HCO3", "FT3", "FT4", "CD4", "CD8")
_ABBREVIATION_END = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>" + "|".join(sorted(map(re.escape, CLINICAL_ABBREVIATIONS), key=len, reverse=True))
    + r")(?:\s+(?P<spaced>[a-z](?:\s*,\s*[a-z])*)|(?P<glued>[a-rt-z]))?$")
MARKER_SIZE = 0.5  # the size given to a marker split off an OCR box (boxes are size 1)


def split_ocr_marker(text: str) -> tuple[str, str]:
    """(the text without a footnote marker OCR read as a plain letter at its end, the marker or "")."""
    text = text.strip()
    known = _ABBREVIATION_END.search(text)
    match = known or _OCR_MARKER.match(text)
    marker = (match.group("spaced") or match.group("glued")) if match else None
    if not marker:
        return text, ""
    return (text[:known.end("name")] if known else match.group("text")), marker


def _box_chars(boxes: list[OcrBox]) -> list[Char]:
    """One pseudo-character per OCR box (its whole text), each followed by a space; a footnote
    marker at its end becomes a small pseudo-character of its own."""
    chars: list[Char] = []
    for box in sorted(boxes, key=lambda b: (round(b.centre_y / 4), b.bbox[0])):
        text, marker = split_ocr_marker(box.text)
        if marker:
            chars.append(Char(text, box.bbox, 1.0, False))
            chars.append(Char(marker, box.bbox, MARKER_SIZE, False))
        else:
            chars.append(Char(box.text, box.bbox, 1.0, False))
        chars.append(Char(" ", box.bbox, 0.0, True))
    return chars


def _picture_pdf(pdfium_doc, index: int, boxes: list[OcrBox], target: Path) -> tuple[float, float]:
    """The page's picture with invisible dots where OCR found words; returns its size in points."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    page = pdfium_doc[index]
    try:
        width, height = page.get_size()
        image = page.render(scale=PICTURE_DPI / 72).to_pil().convert("L")
    finally:
        page.close()
    canvas = Canvas(str(target), pagesize=(width, height), invariant=1)
    canvas.drawImage(ImageReader(image), 0, 0, width, height)
    text = canvas.beginText()
    text.setTextRenderMode(3)  # invisible: camelot only needs to know the page has text
    text.setFont("Helvetica", 6)
    for box in boxes:
        text.setTextOrigin((box.bbox[0] + box.bbox[2]) / 2, height - (box.bbox[1] + box.bbox[3]) / 2)
        text.textOut(".")
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    return float(width), float(height)


def _inside(box: OcrBox, bbox: BBox) -> bool:
    x, y = (box.bbox[0] + box.bbox[2]) / 2, box.centre_y
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def ocr_table(pdfium_doc, number: int, bbox: BBox) -> tuple[Optional[PageTable], list[list[tuple[str, bool]]]]:
    """(the ruled table read from the picture of page `number`, the OCR lines under it as runs)."""
    if not ocr_available():
        return None, []
    boxes = recognise_page(pdfium_doc, number - 1, dpi=OCR_DPI)
    if not boxes:
        return None, []
    with tempfile.TemporaryDirectory(prefix="soe-grid-ocr-") as folder:
        target = Path(folder) / "page.pdf"
        size = _picture_pdf(pdfium_doc, number - 1, boxes, target)
        cells = camelot_geometry(target, 1, bbox)
    if not cells:
        return None, []
    table = build_table(number, cells, _box_chars(boxes), UPRIGHT, size, "camelot-ocr")
    if table is None:
        return None, []
    below = [box for box in boxes if box.centre_y > table.bbox[3] and not _inside(box, table.bbox)]
    lines = [[(" ".join(row), False)] for row in ocr_rows(below)]
    return table, lines
