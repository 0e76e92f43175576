"""Table regions from the registered table finders (pdfplumber `find_tables`, camelot lattice), as
one list of cell grids. Adding a finder is a function plus one `register_table_finder` line (and
its name in core.model.Detector).

Why both: on the labelled SoE pages pdfplumber finds a table on 95 %, and camelot lattice
(which looks at the rendered ruling) finds some that pdfplumber misses. Both are expensive
(~150 ms and ~500 ms a page on the corpus, docs/BENCHMARKS.md), so camelot only runs on pages where pdfplumber
found nothing. Only geometry is taken from them: cell text is read later with pypdfium2,
which is ~5 µs per cell and never reverses rotated text. The text direction that turns a grid
drawn sideways back into reading order is the page's one decision (orientation.py,
`PageText.direction`), not a guess from pdfplumber's characters.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from soe_desktop.core.errors import PageError
from soe_desktop.core.model import BBox, Detector, PageText
from soe_desktop.core.pdf.rotation import UPRIGHT, orient_grid, text_direction

log = logging.getLogger(__name__)

MIN_ROWS = 2
MIN_COLS = 2
DUPLICATE_IOU = 0.5
MIN_RULINGS = 3
RULED_IMAGE_SHARE = 0.3

CellBox = Optional[BBox]


@dataclass
class RawTable:
    """One detected grid on one page: displayed, top-left boxes, rows in reading order."""

    detector: str
    bbox: BBox
    cells: list[list[CellBox]]  # rows x columns; None where a spanning cell covers the slot
    direction: int = UPRIGHT  # text direction inside the table (see rotation.py)
    extra: dict = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return max((len(row) for row in self.cells), default=0)


def is_big_enough(table: RawTable) -> bool:
    return table.n_rows >= MIN_ROWS and table.n_cols >= MIN_COLS


def clip(box: BBox, width: float, height: float) -> Optional[BBox]:
    """Keep boxes on the page: a ruling drawn past the edge makes pdfplumber report a table
    wider than the page (seen on a real protocol: x from -313 to 1937 on an 842-pt page)."""
    x0, top, x1, bottom = max(0.0, box[0]), max(0.0, box[1]), min(width, box[2]), min(height, box[3])
    return (x0, top, x1, bottom) if x1 - x0 > 0.5 and bottom - top > 0.5 else None


def _clip_grid(grid: list[list[CellBox]], width: float, height: float) -> list[list[CellBox]]:
    rows = [[clip(cell, width, height) if cell else None for cell in row] for row in grid]
    return [row for row in rows if any(row)]


def _inside(char: dict, bbox: BBox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def pdfplumber_tables(page, direction: Optional[int] = None) -> list[RawTable]:
    """Ruled tables on one pdfplumber page (default `lines` strategy). `direction`: the page's
    orientation decision (PageText.direction); None guesses it from pdfplumber's chars."""
    try:
        found = page.find_tables()
    except Exception as error:  # pdfminer raises on damaged content streams: the page is unreadable
        raise PageError(f"pdfplumber: {type(error).__name__}: {error}") from error
    tables = []
    for table in found:
        bbox = clip(tuple(float(v) for v in table.bbox), float(page.width), float(page.height))
        if bbox is None:
            continue
        turn = direction if direction is not None else text_direction(c for c in page.chars if _inside(c, bbox))
        grid = [[tuple(map(float, cell)) if cell else None for cell in row.cells] for row in table.rows]
        grid = _clip_grid(grid, float(page.width), float(page.height))
        tables.append(RawTable(Detector.PDFPLUMBER, bbox, orient_grid(grid, turn), turn))
    return [table for table in tables if is_big_enough(table)]


def has_ruling(page, min_rulings: int = MIN_RULINGS, image_share: float = RULED_IMAGE_SHARE) -> bool:
    """Could camelot lattice find a grid here? It looks for ruling lines in the rendered page,
    which come from vector paths (pdfplumber's edges, already parsed: a grid of 2 x 2 cells needs
    3 distinct horizontal and 3 vertical rulings, a frame around text has 2) or from a picture
    (a scanned grid). Other pages are skipped: camelot costs ~230 ms a page."""
    try:
        edges = page.edges
        rows = {round(edge["top"]) for edge in edges if edge["orientation"] == "h"}
        columns = {round(edge["x0"]) for edge in edges if edge["orientation"] == "v"}
        if len(rows) >= min_rulings and len(columns) >= min_rulings:
            return True
        area = float(page.width) * float(page.height)
        return any((img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) >= image_share * area for img in page.images)
    except Exception:  # damaged content: let camelot try
        return True


def _camelot_grid(table, page_height: float) -> list[list[CellBox]]:
    """camelot's rows/cols (displayed space, y up) -> top-left cell boxes."""
    grid = []
    for y_top, y_bottom in table.rows:
        grid.append([(x0, page_height - y_top, x1, page_height - y_bottom) for x0, x1 in table.cols])
    return grid


def camelot_tables(path: str | Path, page_number: int, page_chars: Optional[list[dict]] = None,
                   direction: Optional[int] = None) -> list[RawTable]:
    """Ruled tables camelot lattice sees on one page (1-based); [] when it fails or finds none.

    `direction`: the page's orientation decision (PageText.direction); without it `page_chars`
    (pdfplumber chars, when already parsed) give the text direction of each table.
    """
    import camelot  # imported lazily: it pulls opencv and pandas, ~1 s on first use

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "page is image-based", "no tables found"
            found = camelot.read_pdf(str(path), pages=str(page_number), flavor="lattice")
    except Exception as error:  # camelot, pdfminer or OpenCV on damaged content: the page is unreadable
        raise PageError(f"camelot: {type(error).__name__}: {error}") from error
    tables = []
    for table in found:
        if table.rotation:  # camelot re-laid the page turned; its boxes are not in page space
            log.info("camelot turned page %s (%s); table skipped", page_number, table.rotation)
            continue
        width, height = (float(v) for v in table.pdf_size)
        x0, y0, x1, y1 = (float(v) for v in table._bbox)
        bbox = clip((x0, height - y1, x1, height - y0), width, height)
        if bbox is None:
            continue
        turn = direction if direction is not None else text_direction(
            char for char in page_chars or () if _inside(char, bbox))
        grid = orient_grid(_clip_grid(_camelot_grid(table, height), width, height), turn)
        tables.append(RawTable(Detector.CAMELOT, bbox, grid, turn))
    return [table for table in tables if is_big_enough(table)]


def iou(a: BBox, b: BBox) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def deduplicate(tables: list[RawTable], threshold: float = DUPLICATE_IOU) -> list[RawTable]:
    """Keep the first of any tables overlapping by IoU >= threshold (callers list pdfplumber
    first: its cells follow spanning headers better than camelot's row x column lattice)."""
    kept: list[RawTable] = []
    for table in tables:
        if all(iou(table.bbox, other.bbox) < threshold for other in kept):
            kept.append(table)
    return sorted(kept, key=lambda t: (round(t.bbox[1]), t.bbox[0]))


@dataclass(frozen=True)
class FinderInput:
    """One page as the table finders see it."""

    path: Path
    number: int  # 1-based
    page: PageText
    plumber_page: Any  # the page parsed by pdfplumber (its chars and lines are shared by all finders)


@dataclass(frozen=True)
class TableFinder:
    detector: Detector
    find: Callable[[FinderInput], list[RawTable]]
    applies: Callable[[FinderInput], bool] = lambda _page: True  # worth running on this page at all


TABLE_FINDERS: list[TableFinder] = []


def register_table_finder(finder: TableFinder) -> TableFinder:
    TABLE_FINDERS.append(finder)
    return finder


def find_tables(page: FinderInput) -> list[RawTable]:
    """The first finder (in registration order) that finds a table on the page wins: each one is
    expensive, so a later one runs only where the earlier ones found nothing."""
    for finder in TABLE_FINDERS:
        if finder.applies(page):
            tables = finder.find(page)
            if tables:
                return deduplicate(tables)
    return []


def _lattice_could_see(page: FinderInput) -> bool:
    """Camelot lattice reads ruling: only pages with text and lines (or a large picture)."""
    return page.page.has_text_layer and has_ruling(page.plumber_page)


register_table_finder(TableFinder(Detector.PDFPLUMBER,
                                  lambda page: pdfplumber_tables(page.plumber_page, page.page.direction)))
register_table_finder(TableFinder(Detector.CAMELOT,
                                  lambda page: camelot_tables(page.path, page.number, direction=page.page.direction),
                                  applies=_lattice_could_see))
