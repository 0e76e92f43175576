"""Where every benchmark's result goes: printed, and appended to the run log
docs/history/BENCHMARKS_LOG.md (newest last, with date, machine and command), unless the run asked
not to touch it. docs/BENCHMARKS.md holds the current figures and is updated by hand from the log."""

from __future__ import annotations

from pathlib import Path

from _history import BENCHMARKS_LOG, append_run  # same folder



def publish(text: str, append: bool = True, path: Path = BENCHMARKS_LOG) -> None:
    """Print `text`; with `append`, add it to the end of `path` (created with a title if missing)."""
    print(text)
    if append:
        append_run(text, path)
