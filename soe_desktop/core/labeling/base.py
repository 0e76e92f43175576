"""The Labeler interface every teacher and the student implement."""

from __future__ import annotations

from typing import Optional, Protocol, Sequence, runtime_checkable

from soe_desktop.core.jobs import CancelToken, ProgressCallback
from soe_desktop.core.model import Candidate, Label


@runtime_checkable
class Labeler(Protocol):
    """Candidates in, one Label per candidate out (same order).

    `name` is the label source written with each label (e.g. "heuristic", "gemini",
    "student:<version>").
    """

    name: str

    def label(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Label]: ...
