"""Table-level layout cues computed from a candidate's rows (page-level cues live in features.py).

Why: an SoE is procedures x visits with mark cells; its look-alikes (lab parameter lists,
dosing tables, questionnaires) have numbers, prose or empty grids instead. These shares are
cheap (one pass over the cells) and make the json representation's shape explicit.
"""

from __future__ import annotations

import re
from typing import Sequence

HEADER_ROWS = 3
HEADER_CELL_MAX_CHARS = 40  # header cells are labels; a long cell in the first rows is body text

_MARK_SYMBOL = r"(?:[Xx✓✔✗√•●○◆■□▲△◊]|\(X\)|\[X\])"
_FOOTNOTE = r"(?:[0-9,*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰ᵃᵇᶜᵈᵉᶠ]{0,4}|[a-z](?:,[a-z0-9]){0,3}|\([0-9a-z,]{1,4}\))"
# "X", "Xa", "X¹", "X (b)", "X X", "•" -- but not "3 X ULN" (a multiplication) nor "Xylose".
_MARK_CELL = re.compile(rf"^(?:{_MARK_SYMBOL}\s?{_FOOTNOTE}\s*)+$")
_NUMERIC_CELL = re.compile(r"^[<>≤≥±~+\-]?\s?\d+(?:[.,:]\d+)*\s?(?:%|h|hr|hrs|d|days?|wks?|weeks?|min|mg|ml|mL)?$")
_VISIT_TOKEN = re.compile(
    r"\b(?:day|days|week|weeks|wk|visit|v\d+[a-z]?|screening|baseline|follow[- ]?up|fu|eot|et|eos|"
    r"cycle|c\d+d-?\d+|d-?\d+|w-?\d+|month|months|m\d+|randomi[sz]ation|unscheduled|"
    r"end of (?:treatment|study)|early termination|pre-?dose|post-?dose|run-?in|period)\b",
    re.IGNORECASE,
)
_WORDY = re.compile(r"[A-Za-z]{3,}")


def is_mark(cell: str) -> bool:
    return bool(cell) and len(cell) <= 12 and bool(_MARK_CELL.match(cell))


def is_numeric(cell: str) -> bool:
    return bool(_NUMERIC_CELL.match(cell))


def visit_tokens(cells: Sequence[str]) -> int:
    return sum(len(_VISIT_TOKEN.findall(cell)) for cell in cells)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def table_cues(rows: Sequence[Sequence[str]]) -> dict[str, float]:
    """n_rows, n_cols, mark/numeric/empty cell shares, visit tokens in the header rows, and
    how wordy the first column is (procedure names)."""
    n_rows = len(rows)
    n_cols = max((len(row) for row in rows), default=0)
    cells = [cell for row in rows for cell in row]
    filled = [cell for cell in cells if cell]
    header_cells = [cell for row in rows[:HEADER_ROWS] for cell in row if len(cell) <= HEADER_CELL_MAX_CHARS]
    body_first_col = [row[0] for row in rows[1:] if row]
    marks = sum(is_mark(cell) for cell in filled)
    return {
        "n_rows": float(n_rows),
        "n_cols": float(n_cols),
        "n_cells": float(len(cells)),
        "mark_cells": float(marks),
        "mark_cell_share": _share(marks, len(filled)),
        "numeric_cell_share": _share(sum(is_numeric(cell) for cell in filled), len(filled)),
        "empty_cell_share": _share(n_rows * n_cols - len(filled), n_rows * n_cols),
        "header_visit_tokens": float(visit_tokens(header_cells)),
        "first_col_wordy_share": _share(sum(bool(_WORDY.search(cell)) for cell in body_first_col), len(body_first_col)),
        "rows_with_marks_share": _share(sum(any(is_mark(cell) for cell in row) for row in rows), n_rows),
    }
