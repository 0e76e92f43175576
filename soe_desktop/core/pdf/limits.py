"""Time limits: a per-page limit for the table finders and a per-document limit for the whole
analysis, so one pathological page cannot hang the queue.

Why an asynchronous exception: pdfplumber and pdfminer are pure Python, so a deadline checked
between pages cannot stop a page that never ends, and SIGALRM only reaches the main thread (the
app analyses on worker threads). A watchdog timer raises `PageTimeout` in the thread running
the finder (CPython's PyThreadState_SetAsyncExc): Python code stops at its next bytecode, in any
thread, for the cost of one short-lived timer thread per page (benchmarks/bad_inputs.py
measures it). A finder inside C code (OpenCV, pdfium rendering) stops when it returns to Python.
`PageTimeout` derives from BaseException, so the libraries' own `except Exception` clauses do not
swallow it.
"""

from __future__ import annotations

import ctypes
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional

from soe_desktop.core.errors import SoeError


class PageTimeout(BaseException):
    """Raised inside the thread whose time ran out (never escapes `time_limit`)."""


class TimeLimitExceeded(SoeError):
    """A step took longer than its limit; the message says which and how long."""


def _raise_in(thread_id: int, exception: Optional[type]) -> None:
    """Schedule `exception` in thread `thread_id` (None clears one not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else None)


@contextmanager
def time_limit(seconds: Optional[float], what: str) -> Iterator[None]:
    """Run the block for at most `seconds` (None or <= 0: no limit); raises TimeLimitExceeded.

    The watchdog fires only while the block is running (both sides hold one lock), and on the
    way out a timeout not yet delivered is cleared, so it can never land after the block."""
    if seconds is None or seconds <= 0 or math.isinf(seconds):
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                _raise_in(target, PageTimeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        try:
            yield
        finally:
            with lock:
                state["armed"] = False
                if state["fired"]:
                    _raise_in(target, None)
            timer.cancel()
    except PageTimeout:
        pass
    if state["fired"]:
        raise TimeLimitExceeded(f"{what} took longer than the {seconds:g} s limit")


@dataclass
class Budget:
    """The time one document may still take, and the limit for each page's table finders."""

    document_s: Optional[float] = None  # None: no limit
    page_s: Optional[float] = None
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        if self.document_s is None or self.document_s <= 0:
            return math.inf
        return self.document_s - (time.monotonic() - self.started)

    @property
    def spent(self) -> bool:
        return self.left() <= 0

    def page_limit(self) -> Optional[float]:
        """The page limit, or what the document has left when that is shorter."""
        limits = [value for value in (self.page_s, self.left()) if value is not None and value > 0]
        finite = [value for value in limits if not math.isinf(value)]
        return min(finite) if finite else None

    def out_of_time_note(self) -> str:
        return f"not examined: the document took longer than the {self.document_s:g} s limit"


NO_BUDGET = Budget()
