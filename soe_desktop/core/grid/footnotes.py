"""Footnotes of a grid: the lines printed under it (or on a footnote page after it), keyed by marker.

A footnote line starts with its marker: "a.", "3)", "(b)", "*", a Unicode superscript, or a marker
printed small ("ᵃ Performed ..."); lines without one continue the footnote above. An
"Abbreviations:" or "Note:" line ends the footnotes it follows (its text is not a footnote).
A marker alone on its line (pdfium ends the line after a marker printed as its own text object:
"f" then "Informed consent must be ...") starts the footnote the next line holds. A running page
footer ("103/Protocol MO40597, Version 4", "Page 3 of 40") is never a footnote: a marker must stand
apart from what follows it, so "103/Protocol" is not footnote "10" with text "3/Protocol".
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from soe_desktop.core.grid.chars import Char, body_size, runs_of
from soe_desktop.core.grid.marks import looks_like_refs, split_refs
from soe_desktop.core.grid.table import to_reading

_MARKER = re.compile(
    r"^\s*(?:\((?P<paren>[A-Za-z0-9]{1,2})\)(?!\w)|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ]+)|"
    r"(?P<sym>[*†‡§¶#]+)|(?P<plain>\d{1,2}(?![\d/])|[a-z]{1,2})(?P<punct>[.):])?|(?P<upper>[A-Z])(?P<upunct>[.)]))"
    r"\s*(?P<rest>\S.*)$"
)
# A marker alone on its line: one letter, a doubled letter ("aa"), 1-2 digits, symbols or superscripts
# (never a wrapped line's short word such as "of" or "to").
_LONE_MARKER = re.compile(r"^\s*\(?(?:[a-z]|([a-z])\1|\d{1,2}|[*†‡§¶#]+|[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ]+)\)?[.):]?\s*$")
# Running page headers and footers: "103/Protocol MO40597, Version 4", "Page 3 of 40", "3 of 40",
# "Confidential": printed on every page, so never a note of one table.
_RUNNING_LINE = re.compile(
    r"(?i)^\s*(?:\d{1,4}\s*/\s*[a-z]|page\s+\d+(?:\s+of\s+\d+)?\b|\d+\s+of\s+\d+\s*$|confidential\b)"
    r"|\bpage\s+\d+\s+of\s+\d+\s*$")
_STOP = re.compile(r"(?i)^\s*(abbreviations?|note|notes|source|key|legend)\s*[:.]")
_SPACES = re.compile(r"\s+")
# A plain lower-case letter marker without punctuation ("a Performed ...") is only taken when the
# rest starts like a sentence, so a wrapped line "to be done at ..." does not become footnote "to".
_SENTENCE_START = re.compile(r"^[A-Z0-9(\[]")


GAP_LINES = 3.0  # a blank gap this many line heights tall ends the block (the page footer)


def lines_below(chars: Sequence[Char], table_bbox, direction: int, size) -> list[list[tuple[str, bool]]]:
    """The text lines after the table in reading orientation, as (text, small) runs, up to the
    first wide blank gap (what follows it is the running footer, not notes). Small is judged
    against the notes' own body size: notes are often printed smaller than the table."""
    bottom = to_reading(table_bbox, direction, size)[3]

    def reading_y(char: Char) -> float:
        return to_reading((*char.centre, *char.centre), direction, size)[1]

    below = [char for char in chars if char.generated or reading_y(char) > bottom]
    lines = _split(below)
    kept: list[list[Char]] = []
    for line in lines:
        visible = [char for char in line if not char.generated and char.text.strip()]
        top = min(reading_y(char) for char in visible)
        height = max((char.bbox[3] - char.bbox[1]) if direction == 0 else (char.bbox[2] - char.bbox[0])
                     for char in visible)
        if kept:
            last = max(reading_y(char) for char in kept[-1] if not char.generated and char.text.strip())
            if top - last > GAP_LINES * max(height, 1.0):
                break
        kept.append(line)
    body = body_size([char for line in kept for char in line])
    return [runs_of(line, body, lambda box: to_reading(box, direction, size)) for line in kept]


def lines_above(chars: Sequence[Char], table_bbox, direction: int, size, count: int = 3) -> list[str]:
    """Up to `count` text lines right above the table in reading orientation, nearest first, up
    to the first wide blank gap (where a caption would be printed)."""
    top = to_reading(table_bbox, direction, size)[1]

    def reading_y(char: Char) -> float:
        return to_reading((*char.centre, *char.centre), direction, size)[1]

    above = [char for char in chars if char.generated or reading_y(char) < top]
    lines = []
    for line in _split(above):
        visible = [char for char in line if not char.generated and char.text.strip()]
        height = max((char.bbox[3] - char.bbox[1]) if direction == 0 else (char.bbox[2] - char.bbox[0])
                     for char in visible)
        lines.append((max(reading_y(char) for char in visible), height, line))
    lines.sort(key=lambda item: -item[0])
    kept, edge = [], top
    for bottom, height, line in lines[:count]:
        if edge - bottom > GAP_LINES * max(height, 1.0):
            break
        kept.append(_SPACES.sub(" ", "".join(char.text for char in line)).strip())
        edge = bottom - height
    return kept


def _split(chars: Sequence[Char]) -> list[list[Char]]:
    lines: list[list[Char]] = [[]]
    for char in chars:
        if char.text in ("\n", "\r"):
            if lines[-1]:
                lines.append([])
            continue
        lines[-1].append(char)
    return [line for line in lines if any(not char.generated and char.text.strip() for char in line)]


def split_lines(chars: Sequence[Char], body: float) -> list[list[tuple[str, bool]]]:
    """All text lines of `chars` (a whole footnote page), as (text, small) runs."""
    return [runs_of(line, body) for line in _split(chars)]


def _marker(runs: Sequence[tuple[str, bool]]) -> tuple[list[str], str] | None:
    """(refs, rest of the line) when the line starts with a footnote marker."""
    text = _SPACES.sub(" ", "".join(part for part, _ in runs)).strip()
    first = next(((part, small) for part, small in runs if part.strip()), None)
    if first and first[1] and looks_like_refs(first[0].strip()):  # marker printed small
        rest = text[len(first[0].strip()):].lstrip(" .):")
        return (split_refs(first[0]), rest) if rest else None
    match = _MARKER.match(text)
    if not match:
        return None
    rest = match.group("rest")
    if match.group("plain") and not match.group("punct"):
        if not _SENTENCE_START.match(rest):
            return None
    marker = next(match.group(key) for key in ("paren", "sup", "sym", "plain", "upper") if match.group(key))
    return split_refs(marker) or [marker], rest


_SENTENCE_END = re.compile(r"[.;:)]\s*$")


def _split_at_markers(runs: Sequence[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """pdfium joins a line that starts with a raised marker to the line above ("... Section 8. ᵇ
    Participants ..."): a small marker after a sentence end, before a capital, starts a new line."""
    lines: list[list[tuple[str, bool]]] = [[]]
    for index, (text, small) in enumerate(runs):
        before = "".join(part for part, _ in lines[-1])
        after = "".join(part for part, _ in runs[index + 1:index + 2]).lstrip()
        if (small and before.strip() and looks_like_refs(text.strip()) and _SENTENCE_END.search(before)
                and after[:1].isupper()):
            lines.append([])
        lines[-1].append((text, small))
    return [line for line in lines if line]


def is_running_line(text: str) -> bool:
    """A page header or footer line ("103/Protocol X, Version 4", "Page 3 of 40")."""
    return bool(_RUNNING_LINE.search(text))


def _lone_marker(text: str) -> list[str]:
    """The refs of a line that is only a marker ("f", "aa", "12", "†"); [] for any other line."""
    return split_refs(text.strip(" .):")) if _LONE_MARKER.match(text) else []


def parse_footnotes(lines: Iterable[Sequence[tuple[str, bool]]]) -> dict[str, str]:
    """{ref: text} from footnote lines; a ref defined twice keeps its first text."""
    notes: dict[str, str] = {}
    current: list[str] = []
    for runs in (part for line in lines for part in _split_at_markers(line)):
        text = _SPACES.sub(" ", "".join(part for part, _ in runs)).strip()
        if _STOP.match(text) or is_running_line(text):
            current = []  # the page's footer ends the note above it (its text is no note's)
            continue
        if lone := _lone_marker(text):
            current = [ref for ref in lone if ref not in notes]  # its text is on the next line
            for ref in current:
                notes[ref] = ""
            continue
        found = _marker(runs)
        if found:
            refs, rest = found
            current = [ref for ref in refs if ref not in notes]
            for ref in current:
                notes[ref] = rest
        elif current:
            for ref in current:
                notes[ref] = f"{notes[ref]} {text}".strip()
    return {ref: text for ref, text in notes.items() if text}  # a lone marker with no text is no note
