"""How a protocol names itself on its first pages: its number and its title.

Libraries hold many files called "protocol.pdf"; what tells them apart is printed on the title
page ("Protocol Number: CTJ301UC201", "Protocol I3Y-MC-JPCF(e)", "Study Code D0816C00020",
"NCT03019588", "Title: A Phase II ..."). Only the page text is read, never its layout, and the
result is plain text: control characters are dropped, spaces collapsed and the length capped, so
whatever a hostile PDF prints can only ever be shown as words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FIRST_PAGES = 3  # title page, sometimes a cover sheet before it, sometimes a signature page
MAX_NUMBER = 40
MAX_TITLE = 200

# A protocol identifier: letters, digits and the punctuation sponsors put in them, optionally a
# second word when that word holds a digit ("EDP 305-101").
_PART = r"[A-Za-z0-9][\w\-/.()]*"
_TOKEN = rf"(?P<id>{_PART}(?:[ ]{_PART})?)"
# "Protocol Number: X", "Clinical Trial Protocol Number X", "Protocol No.: X", "Study Code X",
# "Study Number X", "Sponsor trial ID: X", "PROTOCOL NUMBER: X".
_LABELLED = re.compile(
    rf"\b(?:protocol|study|trial)[ \t]+(?:no\b\.?|number|code|id\b|identifier|#)[ \t]*[:#]?\s*{_TOKEN}",
    re.IGNORECASE)
# "Protocol I3Y-MC-JPCF(e)", "Protocol: J2N-MC-JZNW (a)", "Master protocol: J1S-MC-JAAA (b)" at a line start.
_PLAIN = re.compile(rf"^[ \t]*(?:master[ \t]+)?protocol[ \t]*:?[ \t]+{_TOKEN}", re.IGNORECASE | re.MULTILINE)
_NCT = re.compile(r"\bNCT[ \t]*#?[ \t]*(\d{8})\b")
# "Title: ...", "Official Title: ...", "Protocol Title:" (the title on the next lines), "PROTOCOL TITLE".
_TITLE = re.compile(r"^[ \t]*(?:(?:official|protocol|study)[ \t]+){0,2}title\b(?:[ \t]+of[ \t]+study)?"
                    r"(?P<colon>[ \t]*:)?[ \t]*(?P<rest>.*)$", re.IGNORECASE | re.MULTILINE)
_LOOKS_LIKE_LABEL = re.compile(r"^[A-Za-z][\w .()/#-]{0,40}:")
_PAGE_LINE = re.compile(r"\bpage[ \t]+\d+", re.IGNORECASE)  # a running header: the title has ended
_WORD = re.compile(r"[A-Za-z]+")
# Capitals after "PROTOCOL" that belong to a heading ("PROTOCOL AMENDMENT APPROVAL"), not a code.
_HEADING_WORDS = {"AMENDMENT", "VERSION", "TITLE", "NUMBER", "SYNOPSIS", "APPROVAL", "SUMMARY", "SIGNATURE"}


@dataclass(frozen=True)
class ProtocolIdentity:
    """What the first pages say the protocol is ('' when they do not say)."""

    number: str = ""
    title: str = ""


def read_identity(page_texts: list[str]) -> ProtocolIdentity:
    """The protocol number and title printed on the first pages (texts in page order)."""
    # A blank line between pages ends a title at its page; pdfium ends lines with \r\n.
    text = "\n\n".join(page_texts[:FIRST_PAGES]).replace("\r\n", "\n").replace("\r", "\n")
    return ProtocolIdentity(number=protocol_number(text), title=protocol_title(text))


def protocol_number(text: str) -> str:
    """A labelled protocol/study number first, then 'Protocol X' at a line start, then the NCT number."""
    for pattern in (_LABELLED, _PLAIN):
        for match in pattern.finditer(text):
            found = _identifier(match.group("id"))
            if found:
                return found
    nct = _NCT.search(text)
    return f"NCT{nct.group(1)}" if nct else ""


def _identifier(raw: str) -> str:
    """The identifier in a match, or '' when it is a word ('Amendment 3.1', 'with', 'Version')."""
    first, _, second = raw.partition(" ")
    if not _is_code(first):
        return ""
    if second and not any(ch.isdigit() for ch in second):
        second = ""  # "J2N-MC-JZNW (a)": the amendment letter is not part of the number
    found = f"{first} {second}".strip() if second else first
    found = found.rstrip(".,;:/")
    return plain_text(found, MAX_NUMBER) if any(ch.isdigit() for ch in found) else ""


def _is_code(part: str) -> bool:
    """Holds a digit ('C1071003') or is a run of capitals ('EDP' of 'EDP 305-101'), not a word."""
    if any(ch.isdigit() for ch in part):
        return True
    letters = "".join(_WORD.findall(part))
    return len(letters) >= 2 and letters.isupper() and part not in _HEADING_WORDS


def protocol_title(text: str) -> str:
    """The text after a 'Title' label (on its line or the next few), or ''."""
    lines = text.splitlines()
    starts = {match.start(): match for match in _TITLE.finditer(text)}
    offset = 0
    for index, line in enumerate(lines):
        match = starts.get(offset)
        offset += len(line) + 1
        if match is None:
            continue
        rest = match.group("rest").strip()
        if rest and len(rest) < 15 and not match.group("colon"):
            continue  # "TITLE PAGE": a heading, not a title
        found = _title_lines([rest] if rest else [], lines[index + 1:])
        if found:
            return found
    return ""


def _title_lines(first: list[str], following: list[str]) -> str:
    """The title's first line plus what continues it, up to three lines or MAX_TITLE characters."""
    taken = [line for line in first if line]
    for line in following:
        line = line.strip()
        if len(taken) >= 3 or not line or _LOOKS_LIKE_LABEL.match(line) or _LABELLED.search(line) \
                or _PAGE_LINE.search(line):
            break
        taken.append(line)
    return plain_text(" ".join(taken), MAX_TITLE)


def plain_text(value: str, limit: int) -> str:
    """Printable characters only, spaces collapsed, at most `limit` characters (an ellipsis when cut)."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + "…"
