"""Exported text that a spreadsheet shows and never runs (formula injection, CWE-1236).

Text read from a PDF (cell text, activity names, footnotes, visit headers, file names) is
untrusted. A spreadsheet program evaluates a CSV cell that starts with `=`, `+`, `-` or `@` (and
tab, carriage return or NUL, which some programs skip before looking) as a formula, and openpyxl
stores a string that starts with `=` as a live formula. So, one rule for every export:

- CSV (OWASP's CSV-injection guidance, ASVS 1.2.10): a formula-looking value gets a single quote
  in front (`'=HYPERLINK(...)`), and every field is quoted, so a value holding the delimiter of
  another locale (`;`) cannot start a cell of its own;
- XLSX: every string is written as a string cell (`data_type` "s"), and a formula-looking one is
  also marked `quotePrefix`, Excel's own "typed with a leading apostrophe", so editing the cell
  keeps it text.

Numbers and numeric windows are not formulas and stay as printed: `-8` (Week -8), `+3`,
`-28 to -1`, `+/-`, `+/- 2 days`, `-10%`. The allowed shapes hold no function name, no cell
reference, no operator between numbers and no `|` (DDE), so nothing left as it is can compute or
call anything: `-1+1`, `=1+1`, `@SUM(A1)` and `+cmd|' /C calc'!A0` are neutralised.
"""

from __future__ import annotations

import csv
import re
from typing import Any, Iterable, Sequence, TextIO

# Where a spreadsheet starts reading a formula. The full-width forms are included because some
# spreadsheet programs fold them to the ASCII ones when they parse input.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Skipped by some programs before they look at the first character (OWASP lists tab and CR).
LEADING_BLANKS = " \t\r\n\0"
QUOTE = "'"

_NUMBER = r"[+\-\u2212]?\d+(?:[.,]\d+)?%?"
_UNIT = r"(?:days?|d|weeks?|wks?|w|hours?|hrs?|h|minutes?|mins?|months?|mo|years?|yrs?|y)"
_RANGE = rf"{_NUMBER}(?:\s*(?:to|\u2013|\u2014)\s*{_NUMBER})?(?:\s*{_UNIT})?"  # -28 to -1, -3 – +3 days
_WINDOW = rf"\+\s*/\s*[-\u2212](?:\s*{_NUMBER}(?:\s*{_UNIT})?)?"  # +/-, +/- 2 days
_SIGNS = r"[+\-\u2212\u00b1/]+"  # a lone "-" printed in an empty visit cell, "+/-", "--"
_NUMERIC = re.compile(rf"(?:{_RANGE}|{_WINDOW}|{_SIGNS})", re.IGNORECASE)


def is_numeric_text(text: str) -> bool:
    """A plain number, a numeric range or a visit window: what a spreadsheet may show as is."""
    return _NUMERIC.fullmatch(text.strip(LEADING_BLANKS)) is not None


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could evaluate `text` (a string) as a formula."""
    if not text:
        return False
    stripped = text.lstrip(LEADING_BLANKS)
    if stripped != text and text[0] != " ":
        return True  # tab, CR, LF or NUL first: programs differ in what they make of them
    return bool(stripped) and stripped[0] in FORMULA_STARTS and not is_numeric_text(stripped)


def safe_text(text: str) -> str:
    """`text` as a spreadsheet shows it without evaluating it: a quote in front when it looks like
    a formula, otherwise unchanged."""
    return QUOTE + text if looks_like_formula(text) else text


def safe_cell(value: Any) -> Any:
    """A CSV value: strings through `safe_text`; numbers, booleans and None (ours, not the PDF's)
    unchanged."""
    return safe_text(value) if isinstance(value, str) else value


class SafeCsvWriter:
    """`csv.writer` with every field quoted and every string made safe."""

    def __init__(self, handle: TextIO, **options: Any) -> None:
        self._writer = csv.writer(handle, quoting=csv.QUOTE_ALL, **options)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """`csv.DictWriter` with every field quoted and every string made safe (the header too)."""

    def __init__(self, handle: TextIO, fieldnames: Sequence[str], **options: Any) -> None:
        super().__init__(handle, fieldnames, quoting=csv.QUOTE_ALL, **options)

    def writerow(self, rowdict: dict) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[dict]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)


def set_text_cell(cell, value: Any) -> None:
    """Put `value` in an openpyxl cell (worksheet cell or WriteOnlyCell): a string as a string cell,
    never a formula; a formula-looking string also marked quotePrefix. Other values unchanged."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True


def text_cells(sheet, values: Sequence[Any]) -> list:
    """WriteOnlyCells of `values` for `sheet.append` in an openpyxl write-only workbook."""
    from openpyxl.cell import WriteOnlyCell  # only an XLSX export needs openpyxl

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        set_text_cell(cell, value)
        cells.append(cell)
    return cells
