"""Is a page pictured? How much of its inked area its text layer covers.

Why not a character count: pictured pages downloaded from a registry often carry a stamped text
layer (a registry number "NCT0..." in a corner, a page number, a confidentiality line), which can
pass any count, while the grid itself is a picture. What tells them from a text page is how little
of the ink the text covers. The ink comes from a low-resolution greyscale render (pypdfium2; a few
ms a page), so only pages that could be pictured are measured: those with few characters and a
large picture on them. The picture is required: on the dev corpus, vector grids with little text
(ruling is ink too) and redacted pages (black fills) also have text over a small share of their ink,
but no picture; a redaction is redaction.py's to tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from soe_desktop.core.pdf.fallback import image_share
from soe_desktop.core.pdf.rotation import PageFrame

# Pages with at least this many characters are text pages: every labelled pictured page of the dev
# corpus has far fewer, and a text page has thousands (rendering every page would cost ~7 ms each).
MAX_PICTURED_CHARS = 600
INK_DPI = 36  # a letter page is 306 x 396 pixels: enough for the share of ink, ~2-6 ms to render
INK_LEVEL = 200  # a grey pixel darker than this is ink (thin text at 36 dpi renders mid-grey)
TEXT_PAD_PX = 1  # antialiased glyph edges spill a pixel beyond pdfium's text boxes
# A page whose text covers less than this share of its ink is pictured, when it has ink at all.
PICTURED_COVERAGE = 0.25
MIN_INK_SHARE = 0.01  # less ink than this share of the page: a blank or near-blank page, not a picture
# One image object covering at least this share of the page (every pictured SoE page of the dev
# corpus with a text layer has one covering 0.5 or more).
MIN_IMAGE_SHARE = 0.25


@dataclass(frozen=True)
class InkCoverage:
    """The page's inked share and the share of that ink its text layer covers."""

    chars: int  # visible characters in the text layer
    image_share: float  # share of the page its largest image object covers
    ink_share: float = 0.0  # inked pixels / all pixels of the page
    covered: float = 1.0  # inked pixels inside the text layer's boxes / inked pixels

    @property
    def pictured(self) -> bool:
        return (self.image_share >= MIN_IMAGE_SHARE and self.ink_share >= MIN_INK_SHARE
                and self.covered < PICTURED_COVERAGE)

    def note(self) -> str:
        """'pictured: 11 characters over 0.4 % of the ink' (a reviewer reads it as the reason)."""
        return f"pictured: {self.chars} characters over {100 * self.covered:.1f} % of the ink"


def could_be_pictured(visible_chars: int) -> bool:
    return visible_chars < MAX_PICTURED_CHARS


def measure(pdfium_page, textpage, frame: PageFrame, visible_chars: int, dpi: int = INK_DPI) -> InkCoverage:
    """The page's largest picture and, when it is large, the ink inside and outside its text boxes
    (the page rendered at `dpi` in greyscale)."""
    picture = image_share(pdfium_page, frame)
    if picture < MIN_IMAGE_SHARE:
        return InkCoverage(visible_chars, picture)
    scale = dpi / 72
    bitmap = pdfium_page.render(scale=scale, grayscale=True)  # as displayed (pdfium applies /Rotate)
    try:
        pixels = bitmap.to_numpy()
        ink = pixels.reshape(pixels.shape[0], pixels.shape[1], -1)[:, :, 0] < INK_LEVEL
    finally:
        bitmap.close()
    inked = int(ink.sum())
    if not inked:
        return InkCoverage(visible_chars, picture)
    text = ink.copy()
    text[:] = False
    rows, cols = ink.shape
    for index in range(textpage.count_rects()):
        x0, top, x1, bottom = frame.to_displayed(*textpage.get_rect(index))
        r0, r1 = max(0, int(top * scale) - TEXT_PAD_PX), min(rows, int(bottom * scale) + 1 + TEXT_PAD_PX)
        c0, c1 = max(0, int(x0 * scale) - TEXT_PAD_PX), min(cols, int(x1 * scale) + 1 + TEXT_PAD_PX)
        text[r0:r1, c0:c1] = True
    covered = int((ink & text).sum())
    return InkCoverage(visible_chars, picture, inked / ink.size, covered / inked)
