"""The run logs under docs/history/: each benchmark and experiment script appends what it printed,
with when, where and how it ran (newest last). docs/BENCHMARKS.md and docs/EXPERIMENTS.md hold only
the current figures and conclusions, brought up to date by hand from these logs, so a run never
rewrites what a newcomer reads first.

Scripts that build their report as a string call `append_run`; scripts that only print wrap their
main in `recorded_output`, which passes the output through and appends it once the run succeeded."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

REPO = Path(__file__).resolve().parents[1]
HISTORY_DIR = REPO / "docs" / "history"
BENCHMARKS_LOG = HISTORY_DIR / "BENCHMARKS_LOG.md"
EXPERIMENTS_LOG = HISTORY_DIR / "EXPERIMENTS_LOG.md"

# A new log file starts with this; the existing logs begin with the old documents' own titles.
_NEW_LOG_TITLE = "# Run log\n\nEach section is one run, appended by the script named in it (newest last).\n"


def provenance(argv: Sequence[str] | None = None, now: datetime | None = None) -> str:
    """One line saying when (UTC), on what machine and with which command the run was made."""
    now = now or datetime.now(timezone.utc)
    argv = list(sys.argv if argv is None else argv)
    command = " ".join([Path(argv[0]).as_posix() if argv else "?"] + argv[1:])
    return (f"_Recorded {now:%Y-%m-%d %H:%M} UTC on {platform.node() or 'an unnamed host'} "
            f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}); "
            f"command: `{command}`_")


def with_provenance(text: str, stamp: str) -> str:
    """`text` with the stamp under its heading (or above it when it has none), so a reader of the
    log finds the date, machine and command in the same place for every run."""
    lines = text.strip("\n").splitlines()
    if lines and lines[0].startswith("#"):
        return "\n".join([lines[0], "", stamp, *lines[1:]])
    return "\n".join([stamp, "", *lines])


def append_run(text: str, log: Path = BENCHMARKS_LOG, argv: Sequence[str] | None = None,
               now: datetime | None = None) -> Path:
    """Append one run's report to `log` (created with a title if missing); returns the log's path."""
    log.parent.mkdir(parents=True, exist_ok=True)
    existing = log.read_text(encoding="utf-8") if log.exists() else _NEW_LOG_TITLE
    block = with_provenance(text, provenance(argv, now))
    log.write_text(existing.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")
    return log


def holds_a_table(text: str) -> bool:
    """Whether printed output holds a markdown table: a run that only said it skipped (no corpus,
    no bundle) holds none, and is not worth a log entry."""
    return any(line.startswith("|") and "---" in line for line in text.splitlines())


class _Tee(io.TextIOBase):
    """Writes go to the real stream and into a buffer, so the user still sees the run as it goes."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.buffer_text = io.StringIO()

    def write(self, text: str) -> int:
        self.buffer_text.write(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()


@contextlib.contextmanager
def recorded_output(log: Path = BENCHMARKS_LOG, enabled: bool = True) -> Iterator[None]:
    """Pass stdout through; when the block ends without an error and printed a table, append what
    it printed to `log`. A failed run (an exception, or SystemExit with a non-zero code) is not
    recorded: its partial table would read like a result."""
    if not enabled:
        yield
        return
    tee = _Tee(sys.stdout)
    try:
        with contextlib.redirect_stdout(tee):
            yield
    except SystemExit as stop:
        if stop.code in (None, 0):
            _record(tee.buffer_text.getvalue(), log)
        raise
    _record(tee.buffer_text.getvalue(), log)


def _record(printed: str, log: Path) -> None:
    if holds_a_table(printed):
        path = append_run(printed, log)
        print(f"appended to {path}", file=sys.stderr)
