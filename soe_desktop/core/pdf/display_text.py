"""PDF text made fit to show a person: no missing-glyph boxes.

A text layer carries characters no screen font can draw: private-use code points of symbol fonts
(U+E000-U+F8FF, pdfium's U+F020-U+F0FF for fonts without a Unicode map), U+FFFD for a glyph it could
not map, the box U+25AF some producers write for one, control and format characters (soft hyphen,
zero-width space, byte-order mark). Qt draws each as a box. For display only: the stored text,
which labelers and features read, is left as extracted.

The few private-use codes with one common meaning (a Symbol or Wingdings bullet, tick or square)
become that character; the others become a space, so the words around them stay apart.
"""

from __future__ import annotations

import re
import unicodedata

MISSING_GLYPH_BOXES = {"\u25af", "\ufffd"}
# Private-use codes whose meaning is the same in the fonts that produce them (Symbol, Wingdings).
_KNOWN_PRIVATE_USE = {0xF0B7: "•", 0xF0A7: "▪", 0xF06C: "●", 0xF0FC: "✓", 0xF06E: "■", 0xF0D8: "➢"}
_KEPT_CONTROLS = {"\n", "\t"}
_RUNS_OF_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_AT_LINE_EDGE = re.compile(r"[ \t]+(?=\n)|(?<=\n)[ \t]+")


def _drawable(char: str) -> str:
    """The character itself, its known meaning, a space for one that cannot be drawn, or ''
    for an invisible one (a format character such as a soft hyphen)."""
    if char in _KEPT_CONTROLS:
        return char
    if ord(char) in _KNOWN_PRIVATE_USE:
        return _KNOWN_PRIVATE_USE[ord(char)]
    if char in MISSING_GLYPH_BOXES:
        return " "
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category in ("Co", "Cs", "Cn", "Cc"):
        return " "
    return char


def display_text(text: str) -> str:
    """`text` with every character no font can draw replaced (see the module's docstring);
    the spaces that leaves are collapsed, the line breaks kept."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text  # the common case costs one scan
    shown = "".join(_drawable(char) for char in text)
    shown = _RUNS_OF_SPACES.sub(" ", shown)
    return _SPACE_AT_LINE_EDGE.sub("", shown).strip(" ")
