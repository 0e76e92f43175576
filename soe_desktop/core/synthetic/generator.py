"""Write realistic protocol PDFs whose page labels are known by construction.

A protocol is first *planned* as a list of `PagePlan`s (what goes on each page), so page numbers,
the table of contents and the ground truth are all read from the plan; the PDF is then drawn page by
page with reportlab. Same seed and options give the same bytes (reportlab `invariant` mode).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.negatives import BUILDERS, NegativeTable
from soe_desktop.core.synthetic.raster import render_table_image
from soe_desktop.core.synthetic.tables import MARK_STYLES, build_soe_grid, register_fonts
from soe_desktop.core.synthetic.grid_truth import GridTruth, grid_truth, header_spans
from soe_desktop.core.synthetic.truth import SyntheticTruth
from soe_desktop.core.synthetic.vocabulary import (
    ABBREVIATIONS, DRUGS, INDICATIONS, PHASES, PROSE_SECTIONS, SPONSORS,
)

Draw = Callable[[Canvas], None]


@dataclass
class PagePlan:
    """One page: how to draw it and what it is (the ground truth comes from these fields)."""

    draw: Draw
    size: tuple[float, float] = P.PORTRAIT  # as displayed, after /Rotate
    rotation: int = 0
    toc_entry: str = ""
    decorated: bool = True  # header/footer drawn in the page's own (unrotated) space
    watermark: bool = False
    soe_group: Optional[int] = None
    notes_only: bool = False
    image_only: bool = False
    rotated: bool = False
    borderless: bool = False
    negative_kind: str = ""
    layout: str = ""  # a hard layout's name (hard_layouts.py): "stamped-pictured", "sideways", "redacted"


@dataclass
class _Plan:
    protocol: P.Protocol
    rng: random.Random
    pages: list[PagePlan] = field(default_factory=list)
    groups: int = 0
    grids: list[GridTruth] = field(default_factory=list)

    def add(self, page: PagePlan) -> None:
        self.pages.append(page)

    def new_group(self) -> int:
        self.groups += 1
        return self.groups - 1


def _protocol(rng: random.Random) -> P.Protocol:
    drug, indication = rng.choice(DRUGS), rng.choice(INDICATIONS)
    phase = rng.choice(PHASES)
    code = f"{drug[:3].upper()}-{rng.randint(100, 399)}-{rng.randint(1, 9):02d}"
    title = (f"A {phase}, Randomized, Double-blind, Placebo-controlled Study to Evaluate the Efficacy and "
             f"Safety of {drug} in Participants with {indication}")
    return P.Protocol(code, title, rng.choice(SPONSORS), drug, phase, indication)


def _abbreviation_line() -> str:
    return "; ".join(f"{short} = {long}" for short, long in ABBREVIATIONS[:12])


def _add_main_soe(plan: _Plan, mark_style: str, image_only_soe: bool) -> None:
    """Section 1.3: the grid over 2-3 text pages (+ an image-only continuation), then footnotes."""
    rng = plan.rng
    grid = build_soe_grid(rng, mark_style, visit_count=12)
    text_parts = rng.choice([2, 3])
    specs = grid.chunks(text_parts + (1 if image_only_soe else 0))
    group = plan.new_group()
    plan.grids.append(_main_grid_truth(grid, len(plan.pages) + 1, len(specs), image_only_soe))
    for index, spec in enumerate(specs):
        first, last_text = index == 0, index == text_parts - 1
        caption = "Table 1 Schedule of Activities" + ("" if first else " (continued)")
        if image_only_soe and index == len(specs) - 1:
            image = render_table_image(spec, caption)
            plan.add(PagePlan(lambda c, im=image: P.draw_image_page(c, im, P.LANDSCAPE), P.LANDSCAPE,
                              decorated=False, soe_group=group, image_only=True))
            continue
        notes = [f"{n}. {text}" for n, text in enumerate(grid.footnotes[:3], start=1)]
        notes += [f"Abbreviations: {_abbreviation_line()}"] if last_text else []
        plan.add(PagePlan(
            lambda c, s=spec, cap=caption, f=first, n=notes: P.draw_table_page(
                c, P.LANDSCAPE, s, cap, "1.3 Schedule of Activities" if f else "", "", n),
            P.LANDSCAPE, toc_entry="1.3 Schedule of Activities" if first else "",
            watermark=index == 1, soe_group=group))
    plan.add(PagePlan(lambda c: P.draw_notes_page(c, P.LANDSCAPE, "Table 1 Schedule of Activities: Footnotes",
                                                  grid.footnotes, _abbreviation_line()),
                      P.LANDSCAPE, notes_only=True))


def _main_grid_truth(grid, first_page: int, page_count: int, image_only: bool) -> GridTruth:
    """The grid section 1.3 draws; its notes under the table define footnotes 1-3."""
    notes = {str(n): text for n, text in enumerate(grid.footnotes[:3], start=1)}
    pages = list(range(first_page, first_page + page_count))
    truth = grid_truth(grid.header, header_spans(grid.header), grid.body, grid.category_rows, {}, notes, pages)
    truth.pictured_pages = pages[-1:] if image_only else []
    return truth


def _add_rotated_soe(plan: _Plan, mark_style: str) -> None:
    """An appendix SoE over two pages: one with /Rotate 90, one drawn sideways in a portrait page."""
    grid = build_soe_grid(plan.rng, mark_style, visit_count=plan.rng.randint(8, 10))
    first, second = grid.chunks(2)
    group = plan.new_group()
    section = "10.8 Appendix 8: Schedule of Activities for the Open-label Extension"
    caption = "Table 14 Schedule of Activities: Open-label Extension Period"

    def rotate_page(c: Canvas) -> None:
        c.saveState()
        P.rotate_into_portrait(c)
        P.draw_table_page(c, P.LANDSCAPE, first, caption, section)
        c.restoreState()

    def sideways_page(c: Canvas) -> None:
        c.saveState()
        P.rotate_into_portrait(c)
        P.draw_table_page(c, P.LANDSCAPE, second, caption + " (continued)", "", "", grid.footnotes[:4])
        c.restoreState()

    # reportlab takes the displayed size and stores a portrait media box with /Rotate 90.
    plan.add(PagePlan(rotate_page, P.LANDSCAPE, rotation=90, toc_entry=section,
                      soe_group=group, rotated=True))
    plan.add(PagePlan(sideways_page, P.PORTRAIT, soe_group=group, rotated=True))


def _add_borderless_soe(plan: _Plan) -> None:
    grid = build_soe_grid(plan.rng, "X", visit_count=8)
    spec = grid.chunks(2)[0]
    section = "10.9 Appendix 9: Schedule of Activities for Long-term Follow-up"
    plan.add(PagePlan(lambda c: P.draw_table_page(c, P.LANDSCAPE, spec, "Table 15 Schedule of Activities: "
                                                  "Long-term Follow-up", section, "", [], ruled=False),
                      P.LANDSCAPE, toc_entry=section, soe_group=plan.new_group(), borderless=True))


def _add_negative(plan: _Plan, kind: str) -> None:
    table: NegativeTable = BUILDERS[kind](plan.rng)
    plan.add(PagePlan(lambda c: P.draw_table_page(c, P.PORTRAIT, table.spec, table.caption, table.heading,
                                                  table.intro),
                      toc_entry=table.heading, negative_kind=kind))


def _add_prose(plan: _Plan, section: str) -> None:
    """One page of running text; `section` is empty on a page that continues the previous one."""
    seed = plan.rng.randrange(2**32)
    plan.add(PagePlan(lambda c: P.draw_prose(c, section, random.Random(seed)), toc_entry=section,
                      watermark=plan.rng.random() < 0.25))


def _prose_sections(count: int) -> list[str]:
    """Headings of `count` prose pages spread over the whole protocol; "" marks a continuation."""
    picked = [PROSE_SECTIONS[i * len(PROSE_SECTIONS) // count] for i in range(count)]
    return [name if index == 0 or name != picked[index - 1] else "" for index, name in enumerate(picked)]


def _section_key(heading: str) -> tuple[int, ...]:
    """(10, 2) for "10.2 Appendix 2 ..." so tables land in their section among the prose pages."""
    number = heading.split(" ")[0]
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def _body(plan: _Plan, prose_pages: int, include_soe: bool, borderless: bool, style: str) -> list[tuple]:
    """(section key, adder) for everything after section 1, in an order that sorting keeps stable."""
    items: list[tuple] = []
    last_key: tuple[int, ...] = (0,)
    for heading in _prose_sections(prose_pages) if prose_pages else []:
        last_key = _section_key(heading) if heading else last_key
        items.append((last_key, lambda h=heading: _add_prose(plan, h)))
    for kind, heading in [("safety_by_cohort", "2.3.1"), ("treatment_cycle", "6.1"), ("dose_modification", "6.6"),
                          ("lab_parameters", "10.2"), ("questionnaire", "10.7")]:
        items.append((_section_key(heading), lambda k=kind: _add_negative(plan, k)))
    if include_soe:
        items.append(((10, 8), lambda: _add_rotated_soe(plan, next(s for s in MARK_STYLES if s != style))))
        if borderless:
            items.append(((10, 9), lambda: _add_borderless_soe(plan)))
    return sorted(items, key=lambda item: item[0])


# Adds the main SoE (section 1.3) to a plan, given the mark style; hard_layouts.py passes its own.
MainSoe = Callable[[_Plan, str], None]
# (section key, adder) of a table placed among the prose pages by its section number.
Placed = tuple[tuple[int, ...], Callable[[], None]]


def _plan(seed: int, prose_pages: int, image_only_soe: bool, borderless: bool, include_soe: bool,
          mark_style: Optional[str], main_soe: Optional[MainSoe] = None,
          appendix: Callable[[_Plan, str], list[Placed]] = lambda _plan, _style: []) -> _Plan:
    rng = random.Random(seed)
    plan = _Plan(_protocol(rng), rng)
    style = mark_style or rng.choice(("X", "X", "check", "bullet"))
    plan.add(PagePlan(lambda c: P.draw_title_page(c, plan.protocol, random.Random(seed)), decorated=False))
    _add_negative(plan, "revision_history")
    plan.add(PagePlan(lambda c: P.draw_toc(c, _toc_entries(plan))))
    for part in (0, 1):
        plan.add(PagePlan(lambda c, p=part: P.draw_synopsis(c, plan.protocol, random.Random(seed + p), p),
                          toc_entry="1.1 Synopsis" if part == 0 else ""))
    _add_negative(plan, "abbreviations")
    if include_soe:
        (main_soe or (lambda p, s: _add_main_soe(p, s, image_only_soe)))(plan, style)
    else:
        text = ("The schedule of activities for this study is provided in a separate document, the SoA Addendum, "
                "which is maintained by the Sponsor and distributed to sites with each protocol amendment.")
        plan.add(PagePlan(lambda c: P.draw_prose(c, "1.3 Schedule of Activities", random.Random(seed), text),
                          toc_entry="1.3 Schedule of Activities"))
    body = _body(plan, prose_pages, include_soe, borderless, style) + appendix(plan, style)
    for _, add in sorted(body, key=lambda item: item[0]):
        add()
    plan.protocol.page_count = len(plan.pages)
    return plan


def _toc_entries(plan: _Plan) -> list[tuple[str, int]]:
    return [(page.toc_entry, number) for number, page in enumerate(plan.pages, start=1) if page.toc_entry]


def _truth(plan: _Plan, seed: int) -> SyntheticTruth:
    truth = SyntheticTruth(page_count=len(plan.pages), title=plan.protocol.title, seed=seed)
    groups: dict[int, list[int]] = {}
    for number, page in enumerate(plan.pages, start=1):
        if page.soe_group is not None:
            truth.soe_pages.append(number)
            groups.setdefault(page.soe_group, []).append(number)
        if page.rotated:
            truth.rotated_soe_pages.append(number)
        if page.image_only:
            truth.image_only_pages.append(number)
        if page.borderless:
            truth.borderless_soe_pages.append(number)
        if page.notes_only:
            truth.notes_only_pages.append(number)
        if page.negative_kind:
            truth.negative_table_pages[number] = page.negative_kind
    truth.group_pages = [groups[key] for key in sorted(groups)]
    truth.grids = list(plan.grids)
    return truth


def _decorate(canvas: Canvas, protocol: P.Protocol, number: int, page: PagePlan) -> None:
    """Header and footer in the displayed orientation: a /Rotate 90 page gets them turned too."""
    if page.rotation != 90:
        P.decorate(canvas, protocol, number, page.size, page.watermark)
        return
    canvas.saveState()
    P.rotate_into_portrait(canvas)
    P.decorate(canvas, protocol, number, P.LANDSCAPE, page.watermark)
    canvas.restoreState()


def _draw(plan: _Plan, path: Path) -> None:
    canvas = Canvas(str(path), pagesize=P.PORTRAIT, invariant=1, pageCompression=1)
    canvas.setTitle(plan.protocol.title)
    canvas.setAuthor(plan.protocol.sponsor)
    for number, page in enumerate(plan.pages, start=1):
        canvas.setPageSize(page.size)
        canvas.setPageRotation(page.rotation)
        page.draw(canvas)
        if page.decorated:
            _decorate(canvas, plan.protocol, number, page)
        canvas.showPage()
    canvas.save()


def write_protocol(path, seed: int = 0, *, prose_pages: int = 12, image_only_soe: bool = True,
                   borderless: bool = False, include_soe: bool = True,
                   mark_style: Optional[str] = None) -> SyntheticTruth:
    """Write one synthetic protocol to `path` and return its page labels.

    Contents: title, revision history, TOC, synopsis, abbreviations; section 1.3 with the SoE grid
    over 2-3 landscape pages (header rows repeated) and, with `image_only_soe`, one more grid page
    as a picture with no text layer (an SoE continuation: in both `soe_pages` and
    `image_only_pages`), then a footnote-only page; prose with look-alike tables in their sections;
    appendix SoE over a /Rotate 90 page and a page drawn sideways in portrait (`rotated_soe_pages`);
    with `borderless`, one SoE page without ruling. `include_soe=False` leaves every SoE out (the
    SoA section then points to an addendum). `prose_pages` sets the length (about 18 + prose_pages
    pages); `mark_style` is "X", "check" or "bullet" (default: drawn from the seed).
    """
    if mark_style is not None and mark_style not in MARK_STYLES:
        raise ValueError(f"mark_style must be one of {MARK_STYLES}")
    register_fonts()
    plan = _plan(seed, max(0, prose_pages), image_only_soe, borderless, include_soe, mark_style)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _draw(plan, path)
    return _truth(plan, seed)


def write_planned(path, seed: int, main_soe: MainSoe, *, prose_pages: int = 12,
                  appendix: Callable[[_Plan, str], list[Placed]] = lambda _plan, _style: [],
                  mark_style: Optional[str] = None) -> tuple[SyntheticTruth, list[PagePlan]]:
    """`write_protocol` with the main SoE drawn by `main_soe` and the tables `appendix` places
    among the prose pages (hard_layouts.py): the truth, and the page plans it was read from."""
    register_fonts()
    plan = _plan(seed, max(0, prose_pages), False, False, True, mark_style, main_soe, appendix)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _draw(plan, path)
    return _truth(plan, seed), plan.pages
