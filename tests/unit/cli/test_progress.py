"""The CLI progress bar: one bar per stage; an early box found while reading does not break the bar."""

from __future__ import annotations

from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.jobs import Partial, Progress


def test_an_early_detection_report_keeps_the_reading_bar(capsys):
    bar = ProgressBar(enabled=True)
    bar(Progress("reading", 3, 10))
    reading_bar = bar._bar
    bar(Progress("reading", 3, 10, partial=Partial(("box",), page=2)))  # an early box, found while reading
    assert bar._bar is reading_bar and bar._stage == "reading" and bar._bar.n == 3
    bar(Progress("reading", 10, 10))
    bar(Progress("detecting", 1, 4))
    assert bar._stage == "detecting" and bar._bar is not reading_bar
    bar.close()
