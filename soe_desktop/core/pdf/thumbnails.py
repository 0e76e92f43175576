"""Small page pictures (PNG bytes) for lists of pages, e.g. the pages where a new model and the
active labeler disagree: drawn by pdfium as displayed, each document opened once. A file that is
gone or a page that cannot be drawn is left out (the list still names the page)."""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from typing import Optional, Sequence

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import CancelToken, check
from soe_desktop.core.pdf.ingest import open_pdfium

log = logging.getLogger(__name__)

THUMBNAIL_HEIGHT_PX = 96


def page_thumbnails(pages: Sequence[tuple[str, int]], height_px: int = THUMBNAIL_HEIGHT_PX,
                    cancel: Optional[CancelToken] = None) -> dict[tuple[str, int], bytes]:
    """PNG bytes of each (PDF path, 1-based page) of `pages` that can be drawn, its longer side
    `height_px`."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for path, page in pages:
        by_path[path].append(page)
    pictures: dict[tuple[str, int], bytes] = {}
    for path, numbers in by_path.items():
        check(cancel)
        try:
            document = open_pdfium(path)
        except (SoeError, OSError) as error:
            log.info("no thumbnails from %s: %s", path, error)
            continue
        try:
            for number in numbers:
                check(cancel)
                picture = _draw(document, number, height_px)
                if picture is not None:
                    pictures[(path, number)] = picture
        finally:
            document.close()
    return pictures


def _draw(document, number: int, height_px: int) -> Optional[bytes]:
    if not 1 <= number <= len(document):
        return None
    try:
        page = document[number - 1]
        longest = max(page.get_size())  # a turned or landscape page fits the same square
        image = page.render(scale=height_px / max(longest, 1.0)).to_pil()
    except Exception as error:  # noqa: BLE001 - a damaged page costs its picture only
        log.info("page %s not drawn: %s", number, error)
        return None
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
