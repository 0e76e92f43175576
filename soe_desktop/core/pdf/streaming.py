"""The streaming screen: read pages one by one and detect tables on a page that is SoE on its own
while the rest of the document is still being read.

Why: reading the text of a 150-page protocol and scoring every page takes most of a second, and
only then would detection start. A viewer should draw the first SoE box within half a second of
the drop (issue #6), so a page whose score cannot fall below the table screen's threshold,
whatever the unread pages hold, is detected at once. Its candidates are exactly those the full
pass would find (same page, same earlier pages for the context, same detectors), so the full
pass reuses them instead of detecting the page again: the final result is unchanged.

A page's score depends on pages up to two away (neighbour cues) and on the whole document
(document-relative cues). The screen waits for the two pages after it, so only the
document-relative cues are unknown; each lies in a known range, and the page model is linear
in them, so the lowest score it can still get (`score_floor`) is exact.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from soe_desktop.core.pdf.page_model import load_page_model, sigmoid
from soe_desktop.core.jobs import CancelToken, Partial, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import Candidate, Document, PageText
from soe_desktop.core.pdf import features
from soe_desktop.core.pdf.candidates import PageReader, page_candidates
from soe_desktop.core.pdf.ingest import open_pdfium
from soe_desktop.core.pdf.contain import contained
from soe_desktop.core.pdf.limits import NO_BUDGET, Budget
from soe_desktop.core.pdf.pages import read_page, unreadable_page

# Neighbour cues reach this many pages on either side (prev/next and max over ±1, ±2).
LOOKAHEAD = 2
# A page is detected early when even its lowest possible score is at least this: the page model
# calls it SoE whatever the rest of the document holds. Far above the table screen's threshold
# (0.12), so every early page is certainly a table page (the full pass checks it again).
EARLY_SCORE = 0.5
# Pages detected while reading. One gives the viewer its first box; more would cost time: each
# early page is parsed by pdfplumber from its own one-page copy, without the font cache the full
# pass shares across its pages (+0.1-0.2 s a page on protocols with heavy embedded fonts), and
# it holds up reading. The other SoE pages come first in the full pass (best-scored first).
MAX_EARLY_PAGES = 1


@dataclass
class StreamedPages:
    """Pages read in order, their own features, and the candidates found while reading."""

    pages: list[PageText] = field(default_factory=list)
    singles: list[dict[str, float]] = field(default_factory=list)
    early: dict[int, list[Candidate]] = field(default_factory=dict)  # page number -> candidates


def score_floor(model, known: Mapping[str, float], bounds: Mapping[str, tuple[float, float]]) -> float:
    """The lowest score a linear page model can give, knowing `known` exactly and `bounds` as ranges.

    0.0 (nothing is sure) for a model that is not linear or that uses a feature neither gives.
    """
    names = getattr(model, "feature_names", None)
    if names is None or not all(hasattr(model, attr) for attr in ("mean", "scale", "coef", "intercept")):
        return 0.0
    total = model.intercept
    for name, mean, scale, coef in zip(names, model.mean, model.scale, model.coef):
        if name in known:
            value = known[name]
        elif name in bounds:
            low, high = bounds[name]
            value = low if coef >= 0 else high
        else:
            return 0.0
        total += coef * (float(value) - mean) / scale  # the same terms, in the same order, as predict
    return sigmoid(total)


def clearly_soe(stream: StreamedPages, index: int, page_count: int, model) -> bool:
    """Page `index` (0-based) looks like an SoE grid on its own and will pass the table screen.

    Needs pages index-2..index+2 read. Only pages with a real text layer qualify: the run cues
    of text-less pages and their fallback context reach further than two pages.
    """
    page, single = stream.pages[index], stream.singles[index]
    if not page.has_text_layer or single["low_text"] or not single["strong"]:
        return False
    known = features.neighbourhood_features(stream.singles, index, page_count)
    bounds = features.document_relative_bounds(stream.singles, index)
    return score_floor(model, known, bounds) >= max(EARLY_SCORE, features.TABLE_PAGE_THRESHOLD)


def _complete_neighbourhoods(index: int, total: int) -> range:
    """Pages (0-based) whose neighbours up to LOOKAHEAD away are all read once page `index` is:
    the one LOOKAHEAD before it, and at the end of the document the last ones too."""
    end = index - LOOKAHEAD + 1 if index + 1 < total else total
    return range(max(index - LOOKAHEAD, 0), max(end, 0))


def _detect_early(path: Path, pdf, document: Document, stream: StreamedPages, number: int) -> list[Candidate]:
    """`page_candidates` of one page, as the full pass would call it for a table page."""
    with ExitStack() as stack:
        reader = PageReader(path, {number}, stack, pdfium=pdf)
        return page_candidates(reader, document, stream.pages, number, want_fallback=True)


def read_with_early_detection(
    path: str | Path,
    document: Document,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    model=None,
    max_early: Optional[int] = None,
    pdf=None,
    budget: Budget = NO_BUDGET,
) -> StreamedPages:
    """Every page's text and own features, in order, plus the candidates of the first
    `max_early` pages (default MAX_EARLY_PAGES; 0 turns the streaming off) that are clearly SoE,
    found (and reported) while reading.

    Reports Progress("reading", n, total) per page and, right after it for each early page, the
    same step again carrying its candidates: Progress("reading", n, total, partial=Partial(found,
    page)). The stage stays 'reading', so a display of the steps carries on as it was.
    Stops with Cancelled between pages. `pdf`: the document already opened with pdfium by the
    caller (left open), so an ingest opens each file once. A page pdfium cannot read comes back
    marked unreadable; once `budget` is spent the pages left are marked unread, not read.
    """
    progress = progress or no_progress
    model = model if model is not None else load_page_model()
    max_early = MAX_EARLY_PAGES if max_early is None else max_early
    path = Path(path)
    stream = StreamedPages()
    owned = pdf is None
    pdf = open_pdfium(path) if owned else pdf
    try:
        total = len(pdf)
        for index in range(total):
            check(cancel)
            page = read_page(pdf, index) if not budget.spent else unreadable_page(pdf, index, budget.out_of_time_note())
            stream.pages.append(page)
            stream.singles.append(features.single_page_features(page))
            progress(Progress("reading", index + 1, total))
            for ready in _complete_neighbourhoods(index, total):
                if len(stream.early) < max_early and clearly_soe(stream, ready, total, model):
                    check(cancel)
                    found = contained(stream.pages, ready + 1, budget, "the table finders",
                                      lambda: _detect_early(path, pdf, document, stream, ready + 1), [])
                    stream.early[ready + 1] = found
                    progress(Progress("reading", index + 1, total, partial=Partial(tuple(found), ready + 1)))
        return stream
    finally:
        if owned:
            pdf.close()
