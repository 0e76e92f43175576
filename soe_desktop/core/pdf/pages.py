"""Page text from pypdfium2: ~1 ms/page, and correct on grids drawn rotated inside a page
(pdfplumber returns reversed text there)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import PageText
from soe_desktop.core.pdf.coverage import could_be_pictured, measure
from soe_desktop.core.pdf.ingest import open_pdfium
from soe_desktop.core.pdf.orientation import page_direction, sideways_note
from soe_desktop.core.pdf.rotation import frame_of

# A page whose text layer holds fewer characters than this is treated as having none
# (scanned inserts often carry a page number or a watermark only).
MIN_TEXT_CHARS = 20


def _page_text(pdf, index: int) -> PageText:
    page = pdf[index]
    try:
        width, height = page.get_size()  # displayed size: pdfium applies /Rotate
        rotation = page.get_rotation()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_bounded()
            frame = frame_of(page)
            direction = page_direction(textpage, frame)
            has_text_layer = len(text.strip()) >= MIN_TEXT_CHARS
            picture = _picture_note(page, textpage, frame, text, has_text_layer)
        finally:
            textpage.close()
    finally:
        page.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return PageText(
        number=index + 1,
        width=float(width),
        height=float(height),
        rotation=int(rotation),
        text=text,
        has_text_layer=has_text_layer,
        direction=direction,
        pictured=bool(picture),
        reading=picture or sideways_note(direction),
    )


def _picture_note(page, textpage, frame, text: str, has_text_layer: bool) -> str:
    """'' for a text page, else why it is pictured: no text layer, or one covering little of its ink
    (measured only on pages with few characters: a render costs a few ms)."""
    visible = sum(1 for char in text if not char.isspace())
    if not has_text_layer:
        return f"pictured: no text layer ({visible} characters)" if visible else "pictured: no text layer"
    if not could_be_pictured(visible):
        return ""
    coverage = measure(page, textpage, frame, visible)
    return coverage.note() if coverage.pictured else ""


def read_page(pdf, index: int, name: str = "") -> PageText:
    """Page `index` (0-based) of an open pdfium document. A page pdfium cannot load or read comes
    back empty with `unreadable` saying why, so one broken page costs that page only."""
    try:
        return _page_text(pdf, index)
    except Exception as error:  # pdfium raises on broken page objects and content streams
        return unreadable_page(pdf, index, f"pdfium cannot read this page ({one_line(error)})")


def unreadable_page(pdf, index: int, reason: str) -> PageText:
    """An empty page marked unreadable, with its size when pdfium still knows it."""
    try:
        width, height = pdf.get_page_size(index)
    except Exception:  # the page dictionary itself is gone
        width, height = 0.0, 0.0
    return PageText(number=index + 1, width=float(width), height=float(height), rotation=0, text="",
                    has_text_layer=False, unreadable=reason)


def one_line(error: BaseException) -> str:
    """A library's error as one short line (some carry multi-line dumps)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def read_pages(
    path: str | Path,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> list[PageText]:
    """Text, size and rotation of every page, in order."""
    progress = progress or no_progress
    pdf = open_pdfium(path)
    try:
        total = len(pdf)
        pages = []
        for index in range(total):
            check(cancel)
            pages.append(read_page(pdf, index, Path(path).name))
            progress(Progress("reading", index + 1, total))
        return pages
    finally:
        pdf.close()
