"""Failures contained to the page: a page whose table finders or OCR raise, or run past their
time limit, is marked unreadable and skipped; the rest of the document is analysed as usual.

Why here and not around the whole document: pdfminer, pdfplumber, camelot, OpenCV and the OCR
raise on damaged content streams of one page (and pdfminer on anything: `'int' object is not
iterable` on a flipped byte), and a protocol must cost the user only the pages that really are
unreadable.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, MutableSequence, TypeVar

from soe_desktop.core.errors import PageError
from soe_desktop.core.jobs import Cancelled
from soe_desktop.core.model import PageText
from soe_desktop.core.pdf.limits import Budget, TimeLimitExceeded, time_limit
from soe_desktop.core.pdf.pages import one_line

log = logging.getLogger(__name__)

T = TypeVar("T")


def mark_unreadable(pages: MutableSequence[PageText], number: int, reason: str) -> None:
    """Page `number` (1-based) is skipped, for `reason` (kept when it was already marked)."""
    page = pages[number - 1]
    if not page.unreadable:
        pages[number - 1] = dataclasses.replace(page, unreadable=reason)


def contained(pages: MutableSequence[PageText], number: int, budget: Budget, what: str,
              work: Callable[[], T], default: T) -> T:
    """`work()` for page `number` within the page's time limit; on any failure of the libraries
    (or when the document's time is spent) the page is marked unreadable and `default` returned.
    Cancelled still stops the document."""
    if budget.spent:
        mark_unreadable(pages, number, budget.out_of_time_note())
        return default
    try:
        with time_limit(budget.page_limit(), f"{what} on page {number}"):
            return work()
    except Cancelled:
        raise
    except TimeLimitExceeded as error:  # the page's own limit, or what was left of the document's
        log.warning("page %s abandoned: %s", number, error)
        mark_unreadable(pages, number, budget.out_of_time_note() if budget.spent else str(error))
    except Exception as error:  # any library's failure on this page's content: this page only
        log.warning("page %s skipped: %s failed", number, what, exc_info=True)
        kind = "" if isinstance(error, PageError) else f"{type(error).__name__}: "
        mark_unreadable(pages, number, f"{what} failed ({kind}{one_line(error)})")
    return default
