"""Cell geometry of one table from the detectors the project uses: pdfplumber's ruled cells (its
text strategy for a borderless block) and camelot lattice where pdfplumber finds none. The table
is the detector's table that overlaps the candidate's box best."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.grid.table import camelot_boxes, plumber_boxes
from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.detect import clip, iou

log = logging.getLogger(__name__)

TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text"}
MIN_OVERLAP = 0.2  # IoU with the candidate's box below which a detector's table is another table


def inside(char: dict, bbox: BBox) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def best(tables: Sequence, bbox: BBox, box_of) -> Optional[object]:
    scored = [(iou(box_of(table), bbox), table) for table in tables]
    scored = [item for item in scored if item[0] > MIN_OVERLAP]
    return max(scored, key=lambda item: item[0])[1] if scored else None


def plumber_geometry(plumber_page, bbox: BBox, detector: str) -> Optional[list[BBox]]:
    """Cell boxes of the ruled table pdfplumber finds at `bbox` (text strategy for a text block)."""
    width, height = float(plumber_page.width), float(plumber_page.height)
    try:
        if detector == "fallback-text":
            box = clip(bbox, width, height)
            tables = plumber_page.crop(box).find_tables(TEXT_SETTINGS) if box else []
        else:
            tables = plumber_page.find_tables()
    except Exception as error:  # pdfminer raises on damaged content streams
        log.warning("pdfplumber failed on page %s: %s", plumber_page.page_number, error)
        return None
    table = best(tables, bbox, lambda t: t.bbox)
    if table is None and detector == "fallback-text" and tables:
        table = max(tables, key=lambda t: len(t.cells))
    return plumber_boxes(table) if table is not None else None


def camelot_geometry(path: Path, number: int, bbox: BBox) -> Optional[list[BBox]]:
    import camelot  # lazily: it pulls opencv and pandas

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = camelot.read_pdf(str(path), pages=str(number), flavor="lattice")
    except Exception as error:
        log.warning("camelot failed on page %s: %s", number, error)
        return None
    tables = [table for table in found if not table.rotation]
    height = lambda t: float(t.pdf_size[1])  # noqa: E731
    box = lambda t: (t._bbox[0], height(t) - t._bbox[3], t._bbox[2], height(t) - t._bbox[1])  # noqa: E731
    table = best(tables, bbox, box)
    return camelot_boxes(table, height(table)) if table is not None else None
