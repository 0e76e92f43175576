"""Cell and name normalisation: marks, text cells and the footnote markers glued to them.

A cell's content arrives as runs of (text, small): `small` is True for characters printed in a
font clearly smaller than the table's body text (superscripts). That is the reliable sign of a
footnote marker ("Screening" + small "a"); without it (OCR, or a marker in the body size) only
unambiguous spellings are split: Unicode superscripts, "^a", "X1"/"Xa" in a mark cell, and digits
glued to a lower-case word ("Vital signs3"), never "FEV1" or "Visit 12".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from soe_desktop.core.grid.model import MARK

Run = tuple[str, bool]  # (text, printed small)

MARK_GLYPHS = set("xX✓✔√•●○◯◉⬤▲△■□▪◆◇✱☑☒") | {"\uf0fc", "\uf0b7", "\uf06c", "\uf0a7", "\uf0d6"}
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", "0123456789abcdefghijklmnoprstuvwxyz")
SUPERSCRIPT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
_REF_TOKEN = r"(?:\d{1,2}|[a-z]{1,2}|[A-Z]|[*†‡§¶#]+)"
_REF_LIST = re.compile(rf"^\(?{_REF_TOKEN}(?:\s*[,;]\s*{_REF_TOKEN})*\)?$")
_CARET = re.compile(r"\^\(?([A-Za-z0-9*†‡§,; ]{1,12}?)\)?(?=$|\s|\^)")
_TRAILING_SUPERSCRIPT = re.compile(rf"[{SUPERSCRIPT_CHARS}]+(?:[,;][{SUPERSCRIPT_CHARS}]+)*$")
_TRAILING_SYMBOLS = re.compile(r"\s*([*†‡§¶]+)$")
# "X1", "Xa", "X a,b", "✓2": a mark glyph followed by what can only be refs.
_MARK_WITH_REFS = re.compile(rf"^([{''.join(sorted(MARK_GLYPHS))}])\s?({_REF_TOKEN}(?:\s*,\s*{_REF_TOKEN})*)$")
# A lower-case word with 1-2 digits glued on: "signs3", "assessment12" (not "FEV1", "HbA1c", "Day 1").
_GLUED_DIGITS = re.compile(r"(?<=[a-z)\]])(\d{1,2}(?:,\d{1,2})*)$")
_SPACES = re.compile(r"\s+")


@dataclass
class Cell:
    """One cell after normalisation: `value` is MARK, the cell's text, or "" (empty)."""

    value: str
    refs: list[str] = field(default_factory=list)

    @property
    def is_mark(self) -> bool:
        return self.value == MARK


def split_refs(text: str) -> list[str]:
    """'a, b' -> ['a', 'b']; '(3)' -> ['3']."""
    text = text.translate(_SUPERSCRIPT).strip(" ,;").strip("()")
    return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


def looks_like_refs(text: str) -> bool:
    return bool(_REF_LIST.match(text.translate(_SUPERSCRIPT).strip(" ,;")))


def _join(runs: Sequence[Run]) -> str:
    return _SPACES.sub(" ", "".join(text for text, _ in runs)).strip()


def _small_refs(runs: Sequence[Run]) -> tuple[list[Run], list[str]]:
    """Small runs that follow normal text and read as refs become refs; the rest stays text."""
    kept: list[Run] = []
    refs: list[str] = []
    seen_normal = False
    for text, small in runs:
        if small and seen_normal and text.strip() and looks_like_refs(text):
            refs += split_refs(text)
            kept.append((" ", False))
        else:
            kept.append((text, False))
            seen_normal = seen_normal or bool(text.strip())
    return kept, refs


def _text_refs(text: str, glued_digits: bool) -> tuple[str, list[str]]:
    """Refs spelled in the text itself: Unicode superscripts, '^a', trailing '*', glued digits."""
    refs: list[str] = []
    for match in list(_CARET.finditer(text)):
        refs += split_refs(match.group(1))
    text = _CARET.sub(" ", text)
    while True:
        match = _TRAILING_SUPERSCRIPT.search(text) or _TRAILING_SYMBOLS.search(text)
        if not match or match.start() == 0:
            break
        refs = split_refs(match.group(0)) + refs
        text = text[:match.start()]
    inner = re.findall(rf"[{SUPERSCRIPT_CHARS}]+", text)
    for group in inner:
        refs += split_refs(group)
    text = re.sub(rf"[{SUPERSCRIPT_CHARS}]+", " ", text)
    if glued_digits and (match := _GLUED_DIGITS.search(text.strip())):
        refs = split_refs(match.group(1)) + refs
        text = text.strip()[:match.start()]
    return _SPACES.sub(" ", text).strip(), refs


def _dedupe(refs: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ref for ref in refs if ref))


def normalise_name(runs: Sequence[Run] | str, glued_digits: bool = True) -> tuple[str, list[str]]:
    """An activity, section or header name and the footnote refs glued to it. `glued_digits`:
    split "signs3" (names); off for headers, where "Week12" is a week."""
    if isinstance(runs, str):
        runs = [(runs, False)]
    kept, refs = _small_refs(runs)
    text, more = _text_refs(_join(kept), glued_digits=glued_digits)
    text = re.sub(r"\s+([,;:.)\]])", r"\1", re.sub(r"([(\[])\s+", r"\1", text))  # where a marker was cut out
    return text.rstrip(" ,;:"), _dedupe(refs + more)


def _is_mark_text(text: str) -> bool:
    """Only mark glyphs (one or more, e.g. "X X"), nothing else."""
    glyphs = text.replace(" ", "")
    return bool(glyphs) and all(char in MARK_GLYPHS for char in glyphs) and len(glyphs) <= 3


def normalise_cell(runs: Sequence[Run] | str) -> Cell:
    """A visit cell: a mark (with refs), a text cell (kept as printed, refs split off) or empty."""
    if isinstance(runs, str):
        runs = [(runs, False)]
    kept, refs = _small_refs(runs)
    text, more = _text_refs(_join(kept), glued_digits=False)
    refs += more
    if not text:
        return Cell("", _dedupe(refs))
    if _is_mark_text(text):
        return Cell(MARK, _dedupe(refs))
    if match := _MARK_WITH_REFS.match(text):
        return Cell(MARK, _dedupe(refs + split_refs(match.group(2))))
    return Cell(text, _dedupe(refs))
