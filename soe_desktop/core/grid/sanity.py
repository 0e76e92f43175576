"""Whether a read grid looks like a schedule, and why a table gave no grid at all.

Two outcomes the grid JSON must state instead of hiding: a table that yields no grid (`failure_reason`:
the grid JSON's `failed` entry) and a grid that was read but does not look like a schedule
(`suspect_reason`: the grid is kept, marked `suspect`, and the window shows it as such). A garbage
reading seen in the window, e.g. a "6 x 12" grid whose rows are single letters, is the second kind.
An activity name of one or two letters or digits ("A", "c", "12") is such a sign; most names being
that short is not a schedule (a real one has a few, "PK" or "BP", among named procedures).
"""

from __future__ import annotations

import re

from soe_desktop.core.grid.model import MARK, Grid

MIN_MARKS = 3  # a table with fewer mark cells is not a schedule grid (a footnote or prose block)
MOST = 0.5  # "most" rows or columns: more than this share
SHORT_NAME = 2  # an activity name of this many letters or digits or fewer reads as a stray letter
_NOT_WORD = re.compile(r"[\W_]+")
# Words and codes that name a visit or a time point in a header ("Visit 3", "Wk 4", "D1", "EOT").
_VISIT_WORD = re.compile(
    r"(?i)\b(visit|screen\w*|baseline|day|days|week|weeks|wk|month|year|hour|hr|cycle|period|treatment|"
    r"follow|end|early|termination|eot|eos|et|fu|unscheduled|random\w*|dose|dosing|pre|post|"
    r"discontinu\w*|phase|lead|run|washout|extension|enrol\w*|[vdwmc]-?\d+)\b")


def _marks(grid: Grid) -> int:
    return sum(value == MARK for row in grid.rows for value in row.marks.values())


def has_visit_header(grid: Grid) -> bool:
    """A column prints a visit, day or week, or a visit word (a header of labels "1", "2" under no
    title, or of stray letters, is no visit header)."""
    return any(column.visit or column.day or column.week or _VISIT_WORD.search(column.label)
               for column in grid.columns)


def is_stray_name(name: str) -> bool:
    """An activity name of at most SHORT_NAME letters or digits: a letter or mark read as a name."""
    return len(_NOT_WORD.sub("", name)) <= SHORT_NAME


def suspect_reason(grid: Grid) -> str:
    """Why the grid does not look like a schedule; "" when it does. A redacted grid is not judged
    (its body is blacked out on purpose)."""
    if grid.redacted or not grid.rows or not grid.columns:
        return ""
    names = [row.activity.strip() for row in grid.rows]
    short = sum(is_stray_name(name) for name in names)
    if short > MOST * len(names):
        return f"most activity names are one or two characters, not words ({short} of {len(names)})"
    if not has_visit_header(grid):
        return "no visit header found"
    used = {col for row in grid.rows for col in row.marks}
    empty = sum(column.id not in used for column in grid.columns)
    if empty > MOST * len(grid.columns):
        return f"most visit columns are empty ({empty} of {len(grid.columns)})"
    return ""


def failure_reason(grid: Grid, unreadable: dict[int, str], pages: list[int]) -> str:
    """Why a table gave no grid; "" when it gave one (a redacted grid with its header counts)."""
    if pages and len(unreadable) == len(pages):
        first = next(iter(unreadable.values()))
        return f"no page of the table could be read ({first})"
    if not grid.columns:
        return "no visit columns were read from the table"
    if grid.redacted:
        return ""
    if not grid.rows:
        return "no activity rows were read from the table"
    marks = _marks(grid)
    if marks < MIN_MARKS:
        return f"only {marks} marked cell{'s' if marks != 1 else ''}: the table does not read as a schedule grid"
    return ""
