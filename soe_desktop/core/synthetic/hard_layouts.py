"""Protocols whose SoE pages have a text layer that lies: dev material for the page reading.

Why: on protocols from unseen sponsors the pages the pipeline misses are read wrongly before any
labeler sees them (issue #22), and those protocols cannot be handed to the project. So their
layouts are made here, with exact page truth:

- a *stamped pictured* page: a picture of an SoE grid plus a few characters of real text (a
  registry number "NCT0..." in a corner, a page number, optionally a confidentiality line, which
  may be long enough to pass any character count);
- *runs* of pictured pages on either side of the one text page of their table (pictured,
  pictured, pictured, text, pictured, pictured);
- a *sideways* grid on an upright page (/Rotate 0, glyphs turned a quarter: pdfplumber returns its
  words reversed), over several pages with the header repeated;
- a *redacted* body: the grid's header visible, its body blacked out and its text removed.

`write_hard_layout_set(folder, count)` writes a set of protocols mixing these, each in the corpus
layout (`<folder>/<name>/protocol.pdf` + `labels.json`, with a `hard_layouts` key naming each hard
page's layout): `benchmarks/hard_layouts.py` scores the pipeline on it.
"""

from __future__ import annotations

import copy
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.generator import PagePlan, Placed, write_planned
from soe_desktop.core.synthetic.raster import render_table_image
from soe_desktop.core.synthetic.tables import FONT, SoeGrid, TableSpec, build_soe_grid, draw_table
from soe_desktop.core.synthetic.truth import SyntheticTruth

STAMPED, SIDEWAYS, REDACTED = "stamped-pictured", "sideways", "redacted"
LAYOUTS = (STAMPED, SIDEWAYS, REDACTED)
MAIN_SECTION = "1.3 Schedule of Activities"
MAIN_CAPTION = "Table 1 Schedule of Activities"
SHORT_NOTICE = "CONFIDENTIAL"
# Long enough (> 120 characters) that a character count alone would call the page a text page.
LONG_NOTICE = ("Confidential and proprietary: this document may not be copied, disclosed or used without the prior "
               "written permission of the Sponsor. Downloaded from a public registry.")


@dataclass(frozen=True)
class Stamp:
    """The real text a pictured page carries: a registry number, its page number, a notice."""

    registry: str
    notice: str = ""

    def draw(self, c: Canvas, size: tuple[float, float]) -> None:
        width, height = size
        c.setFont(FONT, 7)
        c.setFillColor(colors.black)
        c.drawRightString(width - 14, height - 14, self.registry)
        c.drawRightString(width - 20, 10, f"Page {c.getPageNumber()}")
        if self.notice:
            c.drawCentredString(width / 2, 10, self.notice)


def stamped_picture_page(image, stamp: Stamp, size: tuple[float, float] = P.LANDSCAPE) -> Callable[[Canvas], None]:
    """A page that is one picture of a grid plus the stamp's few characters of text."""

    def draw(c: Canvas) -> None:
        P.draw_image_page(c, image, size)
        stamp.draw(c, size)

    return draw


def _captions(count: int) -> list[str]:
    return [MAIN_CAPTION + ("" if index == 0 else " (continued)") for index in range(count)]


def _footnotes_page(plan, grid: SoeGrid) -> None:
    plan.add(PagePlan(lambda c: P.draw_notes_page(c, P.LANDSCAPE, f"{MAIN_CAPTION}: Footnotes", grid.footnotes,
                                                  "ECG = electrocardiogram; ET = early termination"),
                      P.LANDSCAPE, notes_only=True))


def add_pictured_run(plan, style: str, before: int, after: int, stamp: Stamp, text_page: bool = True) -> None:
    """Section 1.3 as `before` stamped pictured pages, one text page (when `text_page`) and `after`
    pictured pages of one table, then its footnotes."""
    grid = build_soe_grid(plan.rng, style, visit_count=12)
    count = before + after + int(text_page)
    specs, captions = grid.chunks(count), _captions(count)
    group = plan.new_group()
    for index, (spec, caption) in enumerate(zip(specs, captions)):
        first = index == 0
        toc = MAIN_SECTION if first else ""
        if text_page and index == before:
            plan.add(PagePlan(lambda c, s=spec, cap=caption, f=first: P.draw_table_page(
                c, P.LANDSCAPE, s, cap, MAIN_SECTION if f else ""), P.LANDSCAPE, toc_entry=toc, soe_group=group))
            continue
        image = render_table_image(spec, f"{MAIN_SECTION}   {caption}" if first else caption)
        plan.add(PagePlan(stamped_picture_page(image, stamp), P.LANDSCAPE, toc_entry=toc, decorated=False,
                          soe_group=group, image_only=True, layout=STAMPED))
    _footnotes_page(plan, grid)


def _sideways_drawer(spec: TableSpec, caption: str, section: str) -> Callable[[Canvas], None]:
    def draw(c: Canvas) -> None:
        c.saveState()
        P.rotate_into_portrait(c)
        P.draw_table_page(c, P.LANDSCAPE, spec, caption, section)
        c.restoreState()

    return draw


def add_sideways_soe(plan, style: str, page_count: int, section: str, caption: str) -> None:
    """An SoE grid drawn sideways on `page_count` upright portrait pages (/Rotate 0), header repeated;
    the running header and footer stay upright."""
    grid = build_soe_grid(plan.rng, style, visit_count=plan.rng.randint(9, 12))
    group = plan.new_group()
    for index, spec in enumerate(grid.chunks(page_count)):
        cap = caption + ("" if index == 0 else " (continued)")
        plan.add(PagePlan(_sideways_drawer(spec, cap, section if index == 0 else ""), P.PORTRAIT,
                          toc_entry=section if index == 0 else "", soe_group=group, rotated=True, layout=SIDEWAYS))


def _blank_body(spec: TableSpec) -> TableSpec:
    """The spec with every body cell emptied: redaction removes the text, not only hides it."""
    blank = copy.deepcopy(spec)
    blank.rows = [row if index < spec.header_rows else [""] * len(row) for index, row in enumerate(blank.rows)]
    blank.symbol_cells = []
    return blank


def _header_height(spec: TableSpec, width: float) -> float:
    """Height the header rows take when drawn alone (measured on a throwaway canvas)."""
    header = copy.deepcopy(spec)
    header.rows, header.category_rows, header.symbol_cells = header.rows[:spec.header_rows], [], []
    return draw_table(Canvas(io.BytesIO()), header, 0, 500, width)


def _redacted_drawer(spec: TableSpec, caption: str, section: str) -> Callable[[Canvas], None]:
    def draw(c: Canvas) -> None:
        width, height = P.LANDSCAPE
        margin, y = 36.0, height - 62
        if section:
            y = P.heading(c, section, margin, y)
        y = P.heading(c, caption, margin, y, 10.5) + 8
        table_width = width - 2 * margin
        header = _header_height(spec, table_width)
        total = draw_table(c, _blank_body(spec), margin, y, table_width)
        c.setFillColor(colors.black)
        c.rect(margin, y - total, table_width, total - header, stroke=0, fill=1)

    return draw


def add_redacted_soe(plan, style: str, page_count: int, section: str, caption: str) -> None:
    """An SoE whose header is printed and whose body is blacked out, over `page_count` pages."""
    grid = build_soe_grid(plan.rng, style, visit_count=10)
    group = plan.new_group()
    for index, spec in enumerate(grid.chunks(page_count)):
        cap = caption + ("" if index == 0 else " (continued)")
        plan.add(PagePlan(_redacted_drawer(spec, cap, section if index == 0 else ""), P.LANDSCAPE,
                          toc_entry=section if index == 0 else "", soe_group=group, layout=REDACTED))


@dataclass
class HardLayoutTruth:
    """A generated protocol's page truth plus each hard page's layout (1-based page -> name)."""

    truth: SyntheticTruth
    layouts: dict[int, str] = field(default_factory=dict)
    name: str = ""

    def pages_of(self, layout: str) -> list[int]:
        return sorted(number for number, kind in self.layouts.items() if kind == layout)

    def to_labels_json(self) -> dict:
        labels = self.truth.to_labels_json()
        labels["hard_layouts"] = {str(number): kind for number, kind in sorted(self.layouts.items())}
        labels["identity"] = self.name or labels["identity"]
        return labels


# The main SoE of each protocol of the set, in turn: pictured runs on either side of the text page,
# pictured pages only, a sideways grid, or a plain text grid (the control).
def _main_layouts(stamp: Stamp) -> list[tuple[str, Callable]]:
    return [
        ("run-3-text-2", lambda plan, style: add_pictured_run(plan, style, 3, 2, stamp)),
        ("run-0-text-3", lambda plan, style: add_pictured_run(plan, style, 0, 3, stamp)),
        ("run-2-text-0", lambda plan, style: add_pictured_run(plan, style, 2, 0, stamp)),
        ("pictured-3", lambda plan, style: add_pictured_run(plan, style, 3, 0, stamp, text_page=False)),
        ("sideways-4", lambda plan, style: add_sideways_soe(plan, style, 4, MAIN_SECTION, MAIN_CAPTION)),
        ("run-1-text-1", lambda plan, style: add_pictured_run(plan, style, 1, 1, stamp)),
    ]


_APPENDIX_SECTION = "10.11 Appendix 11: Schedule of Activities for the Extension Period"
_APPENDIX_CAPTION = "Table 16 Schedule of Activities: Extension Period"


def _appendices() -> list[tuple[str, Callable]]:
    def placed(add: Callable) -> Callable:
        return lambda plan, style: [((10, 11), lambda: add(plan, style))]

    return [
        ("redacted-4", placed(lambda plan, style: add_redacted_soe(plan, style, 4, _APPENDIX_SECTION,
                                                                    _APPENDIX_CAPTION))),
        ("sideways-2", placed(lambda plan, style: add_sideways_soe(plan, style, 2, _APPENDIX_SECTION,
                                                                    _APPENDIX_CAPTION))),
        ("redacted-2", placed(lambda plan, style: add_redacted_soe(plan, style, 2, _APPENDIX_SECTION,
                                                                    _APPENDIX_CAPTION))),
        ("none", lambda plan, style: []),
    ]


def _stamp(rng: random.Random, index: int) -> Stamp:
    notice = (LONG_NOTICE, SHORT_NOTICE, "")[index % 3]
    return Stamp(f"NCT0{rng.randrange(10**7):07d}", notice)


def write_hard_layout_protocol(path, seed: int, main: int, appendix: int, prose_pages: int = 10) -> HardLayoutTruth:
    """One protocol: main SoE layout `main` and appendix layout `appendix` (indices into the cycles
    above, taken modulo their length)."""
    stamp = _stamp(random.Random(seed), seed)
    main_name, add_main = _main_layouts(stamp)[main % len(_main_layouts(stamp))]
    appendix_name, add_appendix = _appendices()[appendix % len(_appendices())]
    truth, plans = write_planned(path, seed, add_main, prose_pages=prose_pages, appendix=add_appendix)
    layouts = {number: plan.layout for number, plan in enumerate(plans, start=1) if plan.layout}
    return HardLayoutTruth(truth, layouts, f"hard layouts seed {seed}: {main_name} + {appendix_name}")


def write_hard_layout_set(folder, count: int = 24, seed: int = 0,
                          prose_pages: Sequence[int] = (8, 10, 12)) -> list[tuple[Path, HardLayoutTruth]]:
    """`count` protocols mixing the hard layouts (every main layout with every appendix layout in
    turn), each written as `<folder>/hard_NN/protocol.pdf` with its `labels.json` (corpus layout plus
    `hard_layouts`). Returns (pdf path, truth) per protocol. Same arguments, same bytes."""
    folder = Path(folder)
    written = []
    for index in range(count):
        target = folder / f"hard_{index:02d}"
        target.mkdir(parents=True, exist_ok=True)
        pdf = target / "protocol.pdf"
        truth = write_hard_layout_protocol(pdf, seed + index, index, index // len(_main_layouts(Stamp(""))) + index,
                                           prose_pages[index % len(prose_pages)])
        (target / "labels.json").write_text(json.dumps(truth.to_labels_json(), indent=1), encoding="utf-8")
        written.append((pdf, truth))
    return written

