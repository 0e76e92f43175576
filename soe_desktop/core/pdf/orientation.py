"""One orientation decision per page, from pdfium's glyph matrices, for every reader of the page.

Why one decision: a grid drawn turned by 90 degrees on an upright page (/Rotate 0, glyphs turned a
quarter) must be read in display order by the page features, the candidate cells, the fallback,
the table context and the grid alike. pypdfium2 reads such text in order, pdfplumber returns it
reversed ("keeW", "erudecorP"), so each reader used to guess the turn from its own library's
characters; they could disagree. `page_direction` decides once, from a sample of the page's glyph
matrices (pdfium's char angle, user space) turned into the displayed frame by the page's /Rotate, and
pages.py stores it on `PageText.direction`.
"""

from __future__ import annotations

import math
from collections import Counter

import pypdfium2.raw as pdfium_c

from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, UPRIGHT, PageFrame

# Enough glyphs to outvote a running header and footer on a sideways page, few enough to stay
# well under a millisecond on a dense grid (two ctypes calls a glyph, a few µs each).
SAMPLE_CHARS = 80
# A turn wins only with more than this share of the sampled glyphs; otherwise the page is upright
# (a page of prose with a few turned side labels stays upright).
MAJORITY_SHARE = 0.5

SIDEWAYS_NOTES = {UP_THE_PAGE: "sideways: text runs up the page", DOWN_THE_PAGE: "sideways: text runs down the page"}


def displayed_direction(angle: float, rotation: int) -> int:
    """The displayed direction (0, 90 up the page, 270 down) of a glyph turned `angle` degrees
    counter-clockwise in user space, on a page shown turned clockwise by `rotation` degrees. Text
    at 180 degrees (upside down) counts as upright: no reader turns it."""
    quarter = round((angle - rotation) / 90.0) % 4  # a clockwise /Rotate turns text clockwise
    return {1: UP_THE_PAGE, 3: DOWN_THE_PAGE}.get(quarter, UPRIGHT)


def _sample(count: int, size: int) -> range:
    return range(0, count, max(1, count // size))


def direction_votes(textpage, frame: PageFrame, sample: int = SAMPLE_CHARS) -> Counter:
    """Displayed direction -> how many sampled visible glyphs run that way. pdfium's char angle is
    its glyph matrix' angle (radians, clockwise in user space: text running up reads 3π/2); two
    calls a glyph."""
    raw = textpage.raw
    votes: Counter = Counter()
    for index in _sample(textpage.count_chars(), sample):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        if not code or chr(code).isspace():  # generated spaces and line breaks have no glyph
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(raw, index)
        if angle < 0:  # pdfium's error value
            continue
        votes[displayed_direction(360.0 - math.degrees(angle), frame.rotation)] += 1  # pdfium's is clockwise
    return votes


def decide(votes: Counter) -> int:
    """The turn most glyphs share when they are a majority, else upright."""
    if not votes:
        return UPRIGHT
    direction, count = votes.most_common(1)[0]
    return direction if count > MAJORITY_SHARE * sum(votes.values()) else UPRIGHT


def page_direction(textpage, frame: PageFrame) -> int:
    """The page's one orientation decision: 0 upright, 90 text running up the page, 270 down."""
    return decide(direction_votes(textpage, frame))


def sideways_note(direction: int) -> str:
    """The reading note of a page whose text is turned ("" for an upright page)."""
    return SIDEWAYS_NOTES.get(direction, "")
