"""Blacked-out regions: how much of a box dark filled rectangles or dark images cover.

Published protocols are often redacted: the body of a table (or a whole page) is covered by black
boxes, drawn as filled rectangles or pasted as a black image, and the text under them removed. A
grid read from such a table has a header and no marks; it is a redacted table, not a failed read.

`dark_fill_share` takes pdfplumber's own object dicts (`page.rects`, `page.images`), so the grid
and the page pipeline can both ask it without parsing the page again. A fill's colour value alone
can mislead: in a Separation or ICC colour space a value near 0 is a light tint, not black (a
protocol's pale-grey header cells read as 80-97 % "blacked out"). So a box the vectors call
blacked out is confirmed on the page as drawn (`drawn_dark_share`: a small greyscale render) before
it counts as redacted.
"""

from __future__ import annotations

import io
import logging
from typing import Iterable, Mapping, Optional, Sequence

from soe_desktop.core.model import BBox

log = logging.getLogger(__name__)

DARK_LUMINANCE = 0.3  # 0 black .. 1 white: a fill at or below this is a blacking-out colour
SAMPLES = 40  # sample points per side of the box: the covered share is measured to ~1/40
REDACTED_SHARE = 0.6  # a table body this much covered is blacked out
CHECK_DPI = 24  # enough to tell a black box from a pale fill, ~1 ms a page


def luminance(color) -> Optional[float]:
    """0-1 brightness of a pdfplumber colour (gray, RGB or CMYK tuple); None when unknown
    (no colour, a pattern name)."""
    if color is None or isinstance(color, str):
        return None
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return None
    if len(values) == 1:
        return float(values[0])
    if len(values) == 3:
        r, g, b = values
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(values) == 4:
        c, m, y, k = values
        r, g, b = ((1 - v) * (1 - k) for v in (c, m, y))
        return 0.299 * r + 0.587 * g + 0.114 * b
    return None


def _box(obj: Mapping) -> BBox:
    return float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"])


def image_luminance(image: Mapping) -> Optional[float]:
    """Mean brightness of a pdfplumber image dict, decoded through Pillow; None when it cannot be
    decoded (an unusual filter or colour space): such an image is not counted as dark."""
    stream = image.get("stream")
    if stream is None:
        return None
    try:
        from PIL import Image, ImageStat

        filters = [str(f) for f in (stream.get_filters() or [])]
        if any("DCT" in f or "JPX" in f for f in filters):
            picture = Image.open(io.BytesIO(stream.get_rawdata()))
        else:
            data = stream.get_data()
            width, height = (int(v) for v in image["srcsize"])
            bits = int(image.get("bits") or 8)
            mode = {width * height: "L", width * height * 3: "RGB", width * height * 4: "CMYK"}.get(len(data))
            if bits == 1 and len(data) >= (width + 7) // 8 * height:
                picture = Image.frombytes("1", (width, height), data[:(width + 7) // 8 * height])
            elif mode is None or bits != 8:
                return None
            else:
                picture = Image.frombytes(mode, (width, height), data)
        return ImageStat.Stat(picture.convert("L")).mean[0] / 255.0
    except Exception as error:  # a damaged or exotic image stream: unknown, not dark
        log.debug("image not decoded: %s", error)
        return None


def dark_boxes(rects: Iterable[Mapping], images: Iterable[Mapping]) -> list[BBox]:
    """The boxes of the dark filled rectangles and dark images among pdfplumber's `rects` / `images`."""
    return _dark_boxes(rects, images)


def _dark_boxes(rects: Iterable[Mapping], images: Iterable[Mapping]) -> list[BBox]:
    boxes = [_box(rect) for rect in rects
             if rect.get("fill") and (shade := luminance(rect.get("non_stroking_color"))) is not None
             and shade <= DARK_LUMINANCE]
    boxes += [_box(image) for image in images
              if (shade := image_luminance(image)) is not None and shade <= DARK_LUMINANCE]
    return boxes


def dark_fill_share(rects: Sequence[Mapping], images: Sequence[Mapping], bbox: BBox) -> float:
    """Share (0-1) of `bbox` (displayed, top-left, PDF points) covered by dark filled rectangles or
    dark images, overlaps counted once (measured on a SAMPLES x SAMPLES lattice of points)."""
    x0, top, x1, bottom = bbox
    if x1 <= x0 or bottom <= top:
        return 0.0
    near = [obj for obj in rects if _overlaps(_box(obj), bbox)]
    pictures = [obj for obj in images if _overlaps(_box(obj), bbox)]
    boxes = _dark_boxes(near, pictures)
    if not boxes:
        return 0.0
    step_x, step_y = (x1 - x0) / SAMPLES, (bottom - top) / SAMPLES
    covered = 0
    for i in range(SAMPLES):
        x = x0 + (i + 0.5) * step_x
        column = [b for b in boxes if b[0] <= x <= b[2]]
        if not column:
            continue
        for j in range(SAMPLES):
            y = top + (j + 0.5) * step_y
            covered += any(b[1] <= y <= b[3] for b in column)
    return covered / (SAMPLES * SAMPLES)


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drawn_dark_share(pdfium_page, bbox: BBox, dpi: int = CHECK_DPI) -> Optional[float]:
    """Share (0-1) of `bbox` (displayed, top-left, PDF points) that is dark on the page as pdfium
    draws it (greyscale, as displayed); None when the page cannot be drawn."""
    scale = dpi / 72
    try:
        bitmap = pdfium_page.render(scale=scale, grayscale=True)
    except Exception as error:  # noqa: BLE001 - a page pdfium cannot draw: the vectors decide
        log.debug("page not drawn for the redaction check: %s", error)
        return None
    try:
        pixels = bitmap.to_numpy()
    finally:
        bitmap.close()
    grey = pixels.reshape(pixels.shape[0], pixels.shape[1], -1)[:, :, 0]
    x0, top, x1, bottom = (int(round(v * scale)) for v in bbox)
    box = grey[max(top, 0):max(bottom, top + 1), max(x0, 0):max(x1, x0 + 1)]
    if box.size == 0:
        return None
    return float((box <= DARK_LUMINANCE * 255).mean())


def confirmed_dark_share(rects: Sequence[Mapping], images: Sequence[Mapping], bbox: BBox,
                         pdfium_page=None) -> float:
    """`dark_fill_share`, and where that says blacked out, the smaller of it and the share drawn
    dark (`drawn_dark_share`; skipped without a pdfium page)."""
    share = dark_fill_share(rects, images, bbox)
    if share < REDACTED_SHARE or pdfium_page is None:
        return share
    drawn = drawn_dark_share(pdfium_page, bbox)
    return share if drawn is None else min(share, drawn)


def is_redacted(rects: Sequence[Mapping], images: Sequence[Mapping], bbox: BBox, pdfium_page=None) -> bool:
    """Whether most of `bbox` is blacked out (confirmed on the drawn page when one is given)."""
    return confirmed_dark_share(rects, images, bbox, pdfium_page) >= REDACTED_SHARE
