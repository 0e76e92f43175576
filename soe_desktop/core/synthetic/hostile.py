"""A one-page SoE protocol whose printed text is hostile to spreadsheets, for the export-safety tests.

Its grid has an activity, a section, a visit header, text cells and a footnote that start with
`=`, `+`, `-` or `@` (formula injection, CWE-1236), next to honest text that starts the same way
and must be exported unchanged (a text cell "-8", the windows "±3"). The grid is the generator's
SoE grid (tables.build_soe_grid), cut to its first two sections so it fits on one landscape page
with its notes, drawn by the same page drawer as every synthetic grid; `GridTruth` is what the
extractor should read back.
"""

from __future__ import annotations

import random
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.grid_truth import GridTruth, grid_truth, header_spans
from soe_desktop.core.synthetic.tables import SoeGrid, build_soe_grid, register_fonts

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "+cmd|' /C calc'!A0"
# What the grid prints where (body row, column) or as what; every value here must be neutralised.
HOSTILE_ACTIVITIES = {1: HYPERLINK, 3: "-1+1", 4: DDE}  # body row -> activity name
HOSTILE_SECTION = "@SUM(A1) Safety Assessments"
HOSTILE_VISIT = "=2+3"  # the period cell above the ET visit
HOSTILE_CELL = "=1+1"
HOSTILE_FOOTNOTE = ("c", HYPERLINK)
HONEST_CELL = "-8"  # a text cell that is a number, not a formula: exported as it is
HOSTILE_TEXTS = (*HOSTILE_ACTIVITIES.values(), HOSTILE_SECTION, HOSTILE_VISIT, HOSTILE_CELL, HYPERLINK)
CAPTION = "Table 1 Schedule of Activities"
SECTIONS_KEPT = 2  # "Study Procedures" and "Safety Assessments": one page with the notes


def _cut(grid: SoeGrid) -> SoeGrid:
    """The grid's first SECTIONS_KEPT sections."""
    stop = grid.category_rows[SECTIONS_KEPT] if len(grid.category_rows) > SECTIONS_KEPT else len(grid.body)
    return SoeGrid(grid.header, grid.body[:stop], grid.category_rows[:SECTIONS_KEPT],
                   [cell for cell in grid.symbol_cells if cell[0] < stop], grid.footnotes)


def _first_empty(row: list[str]) -> int:
    """The first visit column of `row` without a mark (a screening-only row has several)."""
    return next(col for col in range(2, len(row)) if not row[col])


def _poison(grid: SoeGrid) -> None:
    """Put the hostile (and the honest look-alike) texts into the grid, in place."""
    body, procedures = grid.body, [i for i in range(len(grid.body)) if i not in grid.category_rows]
    for index, name in HOSTILE_ACTIVITIES.items():
        body[index][0] = name
    body[grid.category_rows[1]][0] = HOSTILE_SECTION
    grid.header[0][grid.header[1].index("ET")] = HOSTILE_VISIT
    single_mark = [i for i in procedures if i not in HOSTILE_ACTIVITIES and sum(map(bool, body[i][1:])) == 1]
    body[single_mark[0]][_first_empty(body[single_mark[0]])] = HOSTILE_CELL
    body[single_mark[1]][_first_empty(body[single_mark[1]])] = HONEST_CELL
    marked = next(i for i in procedures if i > grid.category_rows[1] and body[i][1] == "X")
    body[marked][1] = f"X^{HOSTILE_FOOTNOTE[0]}"


def write_hostile_pdf(path, seed: int = 0, visit_count: int = 6) -> GridTruth:
    """Write the hostile protocol to `path` (its file name is the caller's: a name is data too) and
    return the grid it drew."""
    register_fonts()
    grid = _cut(build_soe_grid(random.Random(seed), "X", visit_count=visit_count))
    _poison(grid)
    footnotes = {str(n): text for n, text in enumerate(grid.footnotes[:3], start=1)}
    footnotes[HOSTILE_FOOTNOTE[0]] = HOSTILE_FOOTNOTE[1]
    canvas = Canvas(str(Path(path)), pagesize=P.LANDSCAPE, invariant=1, pageCompression=1)
    (spec,) = grid.chunks(1)
    notes = [f"{ref}. {text}" for ref, text in footnotes.items()]
    P.draw_table_page(canvas, P.LANDSCAPE, spec, CAPTION, "1.3 Schedule of Activities", "", notes)
    canvas.showPage()
    canvas.save()
    return grid_truth(grid.header, header_spans(grid.header), grid.body, grid.category_rows, {}, footnotes, [1])
