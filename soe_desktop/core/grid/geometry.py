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
RULE_MAX_WIDTH = 2.0  # points: a rectangle this thin in one dimension is a rule, whatever its colour
LIGHT_FILL = 0.75  # luminance from which a fill is shading (white, light grey, pastel)
OUTER_SLACK = 4.0  # points: a rule this far outside the table's box still belongs to it
SNAP = 3.0  # points: pdfplumber's default snap tolerance; rule ends this close are the same
OPEN_ROW_MAX = 30.0  # points: a row without inner rules this short is a section row of the table
CONTAINED = 0.9  # share of the candidate's box inside a detector's table that makes it that table


def inside(char: dict, bbox: BBox) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _covered(box: BBox, bbox: BBox) -> float:
    """Share of `bbox` inside `box` (a candidate that is a piece of a larger table)."""
    width = min(box[2], bbox[2]) - max(box[0], bbox[0])
    height = min(box[3], bbox[3]) - max(box[1], bbox[1])
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    return max(width, 0.0) * max(height, 0.0) / area if area > 0 else 0.0


def best(tables: Sequence, bbox: BBox, box_of) -> Optional[object]:
    """The detector's table that overlaps the candidate's box best, or that holds it whole (a
    candidate found as one piece of a table whose pieces the implied rules join)."""
    scored = [(iou(box_of(table), bbox), table) for table in tables]
    scored = [item for item in scored if item[0] > MIN_OVERLAP or _covered(box_of(item[1]), bbox) >= CONTAINED]
    return max(scored, key=lambda item: item[0])[1] if scored else None


def _luminance(colour) -> Optional[float]:
    """0 (black) .. 1 (white) of a pdfplumber colour (gray, RGB or CMYK); None when unknown
    (a pattern, no colour)."""
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (tuple, list)) or not all(isinstance(v, (int, float)) for v in colour):
        return None
    if len(colour) == 1:
        return float(colour[0])
    if len(colour) == 3:
        return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    if len(colour) == 4:
        c, m, y, k = colour
        return (1 - min(1.0, 0.3 * c + 0.59 * m + 0.11 * y)) * (1 - k)
    return None


def is_shading(obj: dict) -> bool:
    """A filled rectangle behind text, not a rule: wider and taller than a rule, filled white or
    light, and not outlined in a dark stroke. Rules are lines, or rectangles thin in one
    dimension (filled black or grey: many PDFs draw their rules so)."""
    if obj.get("object_type") != "rect" or min(obj["width"], obj["height"]) <= RULE_MAX_WIDTH:
        return False
    if obj.get("stroke") and (_luminance(obj.get("stroking_color")) or 0.0) < LIGHT_FILL:
        return False  # a box drawn around the cell: its outline is a rule
    light = _luminance(obj.get("non_stroking_color"))
    return bool(obj.get("fill")) and light is not None and light >= LIGHT_FILL


def ruled_page(plumber_page):
    """The page without its shading rectangles, so that only its rules make cell edges (the page
    itself when it has none: filtering makes pdfplumber collect the page's objects again)."""
    if not any(is_shading(rect) for rect in plumber_page.rects):
        return plumber_page
    return plumber_page.filter(lambda obj: not is_shading(obj))


def _linked(upper: float, lower: float, verticals: Sequence[dict], ends: tuple[float, float]) -> bool:
    """Two consecutive rules belong to one table: an inner rule runs between them, or the row
    between them is a short one without inner rules (a section row spanning the table)."""
    if lower - upper <= OPEN_ROW_MAX:
        return True
    return any(ends[0] - SNAP <= edge["x0"] <= ends[1] + SNAP and edge["top"] <= upper + SNAP
               and edge["bottom"] >= lower - SNAP for edge in verticals)


def _open_ends(edges: Sequence[dict], bbox: BBox) -> list[dict]:
    """Vertical lines at the ends of the table's horizontal rules, for a grid printed without
    its outer vertical rules (its label column and last visit column would have no edge on one
    side, and each section row spanning the table cuts it in pieces for the finder). The table's
    rules are those with the same ends as the longest rule across the box, from the box's
    rules up and down while consecutive rules stay linked; where the outer rules are printed the
    lines fall on them."""
    horizontal = [edge for edge in edges if edge["orientation"] == "h"]
    across = [edge for edge in horizontal if bbox[1] - OUTER_SLACK <= edge["top"] <= bbox[3] + OUTER_SLACK
              and edge["x0"] < bbox[2] and edge["x1"] > bbox[0]]
    if not across:
        return []
    longest = max(across, key=lambda edge: edge["x1"] - edge["x0"])
    ends = (longest["x0"], longest["x1"])
    tops = sorted({round(edge["top"], 1) for edge in horizontal
                   if abs(edge["x0"] - ends[0]) <= SNAP and abs(edge["x1"] - ends[1]) <= SNAP})
    inside = [i for i, top in enumerate(tops) if bbox[1] - OUTER_SLACK <= top <= bbox[3] + OUTER_SLACK]
    if not inside:
        return []
    verticals = [edge for edge in edges if edge["orientation"] == "v"]
    first, last = inside[0], inside[-1]
    while first > 0 and _linked(tops[first - 1], tops[first], verticals, ends):
        first -= 1
    while last + 1 < len(tops) and _linked(tops[last], tops[last + 1], verticals, ends):
        last += 1
    if last == first:
        return []
    top, bottom = tops[first], tops[last]
    return [{"object_type": "explicit_edge", "orientation": "v", "x0": x, "x1": x, "top": top,
             "bottom": bottom, "width": 0.0, "height": bottom - top} for x in ends]


def _transposed(edge: dict) -> dict:
    """The edge mirrored over the page's diagonal (x <-> y): a grid drawn sideways has its rows'
    rules vertical on the page, so the same reasoning runs on the mirrored edges."""
    return {**edge, "x0": edge["top"], "x1": edge["bottom"], "top": edge["x0"], "bottom": edge["x1"],
            "width": edge.get("height", 0.0), "height": edge.get("width", 0.0),
            "orientation": "h" if edge["orientation"] == "v" else "v"}


def outer_lines(page, bbox: BBox) -> tuple[list[dict], list[dict]]:
    """(vertical, horizontal) explicit lines at the open ends of the table's rules: vertical
    lines at the ends of its horizontal rules (an upright grid without outer vertical rules) and
    horizontal lines at the ends of its vertical rules (the same grid drawn sideways)."""
    edges = page.edges
    vertical = _open_ends(edges, bbox)
    mirrored = _open_ends([_transposed(edge) for edge in edges], (bbox[1], bbox[0], bbox[3], bbox[2]))
    return vertical, [_transposed(line) for line in mirrored]


def plumber_geometry(plumber_page, bbox: BBox, detector: str) -> Optional[list[BBox]]:
    """Cell boxes of the ruled table pdfplumber finds at `bbox` (text strategy for a text block).
    Shading rectangles are left out and the outer verticals implied (see `outer_lines`)."""
    width, height = float(plumber_page.width), float(plumber_page.height)
    try:
        if detector == "fallback-text":
            box = clip(bbox, width, height)
            tables = plumber_page.crop(box).find_tables(TEXT_SETTINGS) if box else []
        else:
            page = ruled_page(plumber_page)
            vertical, horizontal = outer_lines(page, bbox)
            tables = page.find_tables({"explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal})
            if page is not plumber_page and best(tables, bbox, lambda t: t.bbox) is None:
                tables = plumber_page.find_tables()  # a table drawn by its fills alone, no rules
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
