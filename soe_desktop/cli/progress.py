"""A tqdm progress bar on stderr that speaks the core's Progress callback (hidden with --quiet)."""

from __future__ import annotations

import sys

from tqdm import tqdm

from soe_desktop.core.jobs import Progress


class ProgressBar:
    """One bar per stage; stdout stays clean for --json output."""

    def __init__(self, enabled: bool = True, label: str = "") -> None:
        self.enabled = enabled
        self.label = label
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, report: Progress) -> None:
        if not self.enabled:
            return  # a report's partial result (boxes for a viewer) is not drawn: only its counts
        if report.stage != self._stage or self._bar is None:
            self.close()
            self._stage = report.stage
            desc = f"{self.label} {report.stage}".strip()
            self._bar = tqdm(total=report.total or None, desc=desc, file=sys.stderr, leave=False, unit="")
        self._bar.n = report.done
        if report.message:
            self._bar.set_postfix_str(report.message, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
