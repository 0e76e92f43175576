"""Short PDFs holding one SoE grid drawn a chosen way, with the grid it drew (`GridTruth`).

For the grid extractor's tests: every mark style, footnote markers glued to names (Unicode
superscripts, small raised letters, plain digits), text cells and cells merged across visits, a
multi-row visit header with period cells spanning columns, the grid over several pages with the
header repeated, turned (/Rotate 90, or drawn sideways in a portrait page) or pictured (no text
layer). Same seed and options, same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.grid_truth import GridTruth, grid_truth, header_spans
from soe_desktop.core.synthetic.raster import render_table_image
from soe_desktop.core.synthetic.tables import SoeGrid, TableSpec, build_soe_grid, register_fonts

# Style name -> printed cell text ("^a": marker printed small). Glyphs outside Vera use DejaVu.
MARK_STYLES = {
    "X": "X", "x": "x", "check": "\u2713", "bullet": "\u2022", "filled_circle": "\u25cf",
    "empty_circle": "\u25cb", "triangle": "\u25b2", "x_superscript": "X\u00b9", "x_small_ref": "X^a",
    "x_glued_ref": "Xb",
}
SYMBOL_STYLES = {"check", "filled_circle", "empty_circle", "triangle"}
CELL_FOOTNOTES = {"a": "Performed pre-dose.", "b": "Only for participants in the sub-study."}
LAYOUTS = ("upright", "rotate90", "sideways")
TEXT_CELL = "Optional"
DEFAULT_CAPTION = "Table 1 Schedule of Activities"
TURNED_COLUMN = 2  # the Day 1 visit: its header printed as one turned cell
TURNED_TEXT = "Randomization"
MERGED_TEXT = "Continuous"


@dataclass
class GridOptions:
    visit_count: int = 8
    pages: int = 3  # the body and its notes do not fit on fewer landscape pages
    layout: str = "upright"
    pictured: bool = False
    mark_styles: tuple[str, ...] = ("X",)
    text_cells: bool = True
    merged_cells: bool = True
    glued_name_refs: bool = True  # some names end in a plain digit marker ("Vital signs3")
    small_name_refs: bool = True  # some names end in a small raised letter ("Height^b")
    # The visits printed in this many blocks, each block over `pages` pages with the activity
    # names repeated, block after block: a continuation that adds columns (later visits).
    column_pages: int = 1
    subscript_names: bool = False  # some names hold a subscript digit ("SpO_{2}": SpO2, printed low)
    # Ruling styles a default table finder misreads:
    white_fills: bool = False  # every text line drawn on its own white filled rectangle
    outer_rules: bool = True  # False: no rule before the activity column nor after the last visit
    turned_header: bool = False  # the Day 1 column: one shaded header cell "Randomization" running up
    caption: str = DEFAULT_CAPTION  # the table's title, printed above it (" (continued)" after page 1)
    caption_row: bool = False  # the title printed as the table's first row, spanning every column


def _restyle(grid: SoeGrid, options: GridOptions, glued: dict[int, str]) -> dict[int, list[tuple[int, int]]]:
    """Rewrite marks, names and a few cells in place; returns the body's merged cells and fills
    `glued` with the plain-text markers appended to names."""
    styles = list(options.mark_styles)
    grid.symbol_cells = []
    spans: dict[int, list[tuple[int, int]]] = {}
    count = 0
    for index, row in enumerate(grid.body):
        if index in grid.category_rows:
            continue
        row[0] = row[0].rstrip("\u00b9\u00b2\u00b3")
        if options.glued_name_refs and index % 5 == 1:
            glued[index] = str(1 + index % 3)
            row[0] += glued[index]
        elif options.small_name_refs and index % 7 == 3:
            row[0] += "^b"
        elif options.subscript_names and index % 7 == 5:
            row[0] += " SpO_{2}"
        for col in range(1, len(row)):
            if row[col]:
                style = styles[count % len(styles)]
                count += 1
                row[col] = MARK_STYLES[style]
                if style in SYMBOL_STYLES:
                    grid.symbol_cells.append((index, col))
    body_rows = [i for i in range(len(grid.body)) if i not in grid.category_rows]
    if options.text_cells and body_rows:
        row = grid.body[body_rows[len(body_rows) // 3]]
        row[-1] = TEXT_CELL
    if options.merged_cells and len(body_rows) > 2 and options.visit_count >= 5:
        index = body_rows[-2]
        row = grid.body[index]
        first, last = 2, len(row) - 3
        row[first:last + 1] = [MERGED_TEXT] + [""] * (last - first)
        grid.symbol_cells = [cell for cell in grid.symbol_cells if not (cell[0] == index and first <= cell[1] <= last)]
        spans[index] = [(first, last)]
    return spans


def _turn_header(grid: SoeGrid) -> None:
    """The turned column's header below the period row: one cell, its visit name only."""
    grid.header[1][TURNED_COLUMN] = TURNED_TEXT
    for row in grid.header[2:]:
        row[TURNED_COLUMN] = ""


def _style_spec(spec: TableSpec, options: GridOptions, caption: str) -> None:
    """The ruling style of `options` on one page's spec; a caption row goes on top of it."""
    spec.text_fill = options.white_fills
    spec.outer_verticals = options.outer_rules
    if options.caption_row:
        width = len(spec.rows[0])
        spec.rows.insert(0, [caption] + [""] * (width - 1))
        spec.header_rows += 1
        spec.period_row = 1
        spec.category_rows = [r + 1 for r in spec.category_rows]
        spec.symbol_cells = [(r + 1, c) for r, c in spec.symbol_cells]
        spec.spans = [(r + 1, first, last) for r, first, last in spec.spans] + [(0, 0, width - 1)]
    if options.turned_header:
        top = spec.period_row + 1
        spec.vspans.append((TURNED_COLUMN, top, spec.header_rows - 1))
        spec.turned_cells.append((top, TURNED_COLUMN))
        spec.shaded_cols.append(TURNED_COLUMN)


def _footnotes(grid: SoeGrid) -> dict[str, str]:
    notes = {str(n): text for n, text in enumerate(grid.footnotes[:3], start=1)}
    return {**notes, **CELL_FOOTNOTES}


def _specs(grid: SoeGrid, spans: dict[int, list[tuple[int, int]]], parts: int) -> list[TableSpec]:
    specs = grid.chunks(parts)
    size = -(-len(grid.body) // parts)
    head = len(grid.header)
    for index, spec in enumerate(specs):
        start = index * size
        spec.spans = [(head + r - start, first, last) for r, cells in spans.items()
                      if start <= r < start + size for first, last in cells]
    return specs


def _blocks(grid: SoeGrid, spans: dict[int, list[tuple[int, int]]], count: int):
    """The grid cut into `count` blocks of visit columns, each with the name column: a period cell
    cut by a block edge and a merged body cell are printed again in the block they continue into."""
    visits = len(grid.header[0]) - 1
    size = -(-visits // count)
    for start in range(1, visits + 1, size):
        cols = [0] + list(range(start, min(start + size, visits + 1)))
        header = [[row[c] for c in cols] for row in grid.header]
        period = next((grid.header[0][c] for c in range(start, 0, -1) if grid.header[0][c]), "")
        header[0][1] = header[0][1] or period
        body = [[row[c] for c in cols] for row in grid.body]
        block_spans: dict[int, list[tuple[int, int]]] = {}
        for index, cells in spans.items():
            for first, last in cells:
                inner = [cols.index(c) for c in range(first, last + 1) if c in cols]
                if inner:
                    body[index][inner[0]] = grid.body[index][first]
                    block_spans.setdefault(index, []).append((inner[0], inner[-1]))
        symbols = [(r, cols.index(c)) for r, c in grid.symbol_cells if c in cols]
        block = SoeGrid(header, body, list(grid.category_rows), symbols, grid.footnotes)
        yield block, block_spans


def _draw_page(canvas: Canvas, spec: TableSpec, caption: str, notes: list[str], layout: str) -> None:
    if layout == "upright":
        canvas.setPageSize(P.LANDSCAPE)
        P.draw_table_page(canvas, P.LANDSCAPE, spec, caption, "1.3 Schedule of Activities", "", notes)
        return
    # /Rotate 90: displayed landscape, drawn in a portrait media box; sideways: a plain portrait page.
    canvas.setPageSize(P.LANDSCAPE if layout == "rotate90" else P.PORTRAIT)
    canvas.setPageRotation(90 if layout == "rotate90" else 0)
    canvas.saveState()
    P.rotate_into_portrait(canvas)
    P.draw_table_page(canvas, P.LANDSCAPE, spec, caption, "", "", notes)
    canvas.restoreState()


def _set_pages(truth: GridTruth, grid: SoeGrid, parts: int) -> None:
    """Each truth row's page: the body is split in chunks of equal size (SoeGrid.chunks)."""
    size = -(-len(grid.body) // parts)
    body_rows = [index for index in range(len(grid.body)) if index not in grid.category_rows]
    for row, index in zip(truth.rows, body_rows):
        row.page = index // size + 1


def write_grid_pdf(path, seed: int = 0, options: GridOptions | None = None) -> GridTruth:
    """Write a PDF of one SoE grid over `options.pages` pages (the header repeated on each) and
    return the grid it drew. The notes under the last page define every footnote the grid cites."""
    options = options or GridOptions()
    if options.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    if options.turned_header and (options.column_pages > 1 or options.visit_count < 5):
        raise ValueError("turned_header needs the visits in one block and a Treatment Period")
    register_fonts()
    rng = random.Random(seed)
    grid = build_soe_grid(rng, "X", visit_count=options.visit_count)
    if options.turned_header:
        _turn_header(grid)
    glued: dict[int, str] = {}
    body_spans = _restyle(grid, options, glued)
    footnotes = _footnotes(grid)
    specs = [spec for block, spans in _blocks(grid, body_spans, max(options.column_pages, 1))
             for spec in _specs(block, spans, options.pages)]
    canvas = Canvas(str(Path(path)), pagesize=P.LANDSCAPE, invariant=1, pageCompression=1)
    pictured: list[int] = []
    for number, spec in enumerate(specs, start=1):
        caption = options.caption + ("" if number == 1 else " (continued)")
        notes = [f"{ref}. {text}" for ref, text in footnotes.items()] if number == len(specs) else []
        _style_spec(spec, options, caption)
        if options.caption_row:
            caption = ""  # printed in the table, not above it
        if options.pictured:
            canvas.setPageSize(P.LANDSCAPE)
            P.draw_image_page(canvas, render_table_image(spec, caption), P.LANDSCAPE)
            pictured.append(number)
        else:
            _draw_page(canvas, spec, caption, notes, options.layout)
        canvas.showPage()
    canvas.save()
    truth = grid_truth(grid.header, header_spans(grid.header), grid.body, grid.category_rows, body_spans,
                       footnotes, list(range(1, len(specs) + 1)), glued)
    _set_pages(truth, grid, options.pages)
    truth.rotated = options.layout != "upright"
    truth.caption = options.caption
    truth.pictured_pages = pictured
    if pictured:  # the picture carries the grid only, no notes
        truth.footnotes = {}
    return truth
