"""The visit header: which rows are header rows, and what each visit column's header says.

Header rows are the rows above the first row with a mark, less the section rows just above it
("Screening assessments" spanning the table). A header cell merged over several columns (a study
period) is repeated in every column it spans, so each column's label is its own path down the
header, e.g. `Treatment Period | Week 4 | Day 29`. The first column of a header row often names
the row ("Study Day", "Visit Window"); that name says what the row's values are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from soe_desktop.core.grid.marks import Cell, normalise_name

# Words and shapes of visit headers; a row of mostly these is a header row.
_VISIT_WORD = re.compile(
    r"(?i)(\bvisit|\bday|\bweek|\bwk\b|\bmonth|\bscreen|\bbaseline|\brandomi[sz]|\bfollow|\bperiod|\bcycle|"
    r"\bphase|\bend of|\beos\b|\beot\b|\bet\b|\bedv\b|\bunsched|\buns\b|\btermination|\bdischarge|\bpre-?dose|"
    r"\bpost-?dose|\bhour|\bhr\b|\btreatment|\bclinic|\bwindow|^[vdw]\s?-?\d+|^-?\d+(\s*(to|-|–|through)\s*-?\d+)?$|"
    r"[±]|\+/-)"
)
_DAY = re.compile(r"(?i)\b(?:study\s+)?days?\s*(-?\d+(?:\s*(?:to|-|–|through)\s*-?\d+)?)")
_WEEK = re.compile(r"(?i)\b(?:weeks?|wk|w)\s*(-?\d+(?:\s*(?:to|-|–)\s*-?\d+)?)")
_WINDOW = re.compile(r"(±\s*\d+\s*\w*|\+/-\s*\d+\s*\w*|\(\s*[+-]\s*\d+[^)]*\)|\[\s*[+-±]?\s*\d+[^\]]*\])")
_VISIT = re.compile(
    r"(?i)^(?:v(?:isit)?\s*-?\d+\w*|screening|baseline|randomi[sz]ation|follow[- ]?up\w*|fu\d*|et|eot|eos|edv|"
    r"early (?:termination|discontinuation)\w*|end of (?:study|treatment)\w*|unscheduled\w*|uns)\b"
)
_NUMBER_VALUE = re.compile(r"^-?\d+(?:\s*(?:to|-|–|through)\s*-?\d+)?$")


@dataclass
class HeaderPart:
    """One header cell as seen from one column."""

    text: str
    row_label: str  # the header row's own name (its first column), may be ""
    span: int  # how many visit columns the cell covers
    refs: list[str] = field(default_factory=list)


def visit_like(text: str) -> bool:
    return bool(_VISIT_WORD.search(text))


def header_like(texts: Sequence[str]) -> bool:
    """Most of a row's filled cells read as visit headers."""
    filled = [text for text in texts if text]
    return bool(filled) and sum(visit_like(text) for text in filled) * 2 >= len(filled)


def header_text(runs) -> tuple[str, list[str]]:
    return normalise_name(runs, glued_digits=False)


@dataclass
class ColumnInfo:
    label: str
    parts: list[str]
    period: str = ""
    visit: str = ""
    day: str = ""
    week: str = ""
    window: str = ""
    refs: list[str] = field(default_factory=list)


def _first(pattern: re.Pattern, parts: Sequence[str]) -> str:
    for part in parts:
        if match := pattern.search(part):
            return (match.group(1) if match.groups() else match.group(0)).strip()
    return ""


def describe(parts: Sequence[HeaderPart]) -> ColumnInfo:
    """Flattened label plus the visit name, day, week and window where the header prints them."""
    # A name repeated down the header ("Screening" period over "Screening" visit) is said once;
    # a number is a value of its row (VISIT 8 over WEEK 8) and is kept: "8 | 8".
    texts: list[str] = []
    for part in parts:
        if part.text and (not texts or texts[-1] != part.text or _NUMBER_VALUE.match(part.text.strip())):
            texts.append(part.text)
    info = ColumnInfo(" | ".join(texts), texts, refs=list(dict.fromkeys(r for p in parts for r in p.refs)))
    for part in parts:
        label = part.row_label.lower()
        if not part.text:
            continue
        if "window" in label and not info.window:
            info.window = part.text
        elif re.search(r"\bdays?\b", label) and not info.day and _NUMBER_VALUE.match(part.text.strip()):
            info.day = part.text
        elif re.search(r"\bweeks?\b", label) and not info.week and _NUMBER_VALUE.match(part.text.strip()):
            info.week = part.text
        elif "visit" in label and not info.visit:
            info.visit = part.text
        elif "period" in label and not info.period:
            info.period = part.text
    info.window = info.window or _first(_WINDOW, texts)
    info.day = info.day or _first(_DAY, texts)
    info.week = info.week or _first(_WEEK, texts)
    info.visit = info.visit or next((text for text in texts if _VISIT.match(text)), "")
    if not info.period and len(parts) > 1 and parts[0].span > 1 and parts[0].text:
        info.period = parts[0].text
    return info


def header_rows(rows: Sequence[Sequence[Optional[Cell]]], label_cols: int, section_rows: set[int]) -> int:
    """How many of the top rows are the visit header.

    `rows`: normalised cells per slot; `section_rows`: rows that read as section rows.
    """
    first_mark = next((r for r, row in enumerate(rows)
                       if any(cell is not None and cell.is_mark for cell in row[label_cols:])), None)
    if first_mark is None:  # no marks on this page: the leading rows that read as visit headers
        count = 0
        while count < len(rows) and header_like([cell.value if cell else "" for cell in rows[count][label_cols:]]):
            count += 1
        return count
    count = first_mark
    while count > 0 and (count - 1) in section_rows:
        count -= 1
    return count
