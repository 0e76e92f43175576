"""Symbol-font characters that a text layer gives as private-use code points.

Fonts without a Unicode map (Adobe Symbol, Wingdings) come out of pdfium as U+F020-U+F0FF: the
font's own code plus 0xF000. Their meaning depends on the font: 0xB1 is ± in Symbol, 0xE0 is an
arrow in Wingdings. The characters a schedule prints (signs, Greek letters, arrows, ®, check
marks) are mapped back by the font's name; a code with no entry is kept as it is.
"""

from __future__ import annotations

SYMBOL_FONT_FIRST, SYMBOL_FONT_LAST = 0xF020, 0xF0FF

_GREEK_FROM = "ABCDEFGHIKLMNOPQRSTUWXYZabcdefghiklmnopqrstuwxyz"
_GREEK_TO = "ΑΒΧΔΕΦΓΗΙΚΛΜΝΟΠΘΡΣΤΥΩΞΨΖαβχδεφγηικλμνοπθρστυωξψζ"
# Adobe Symbol encoding. Minus is given as "-" so "−2 to 0" still reads as a day range.
SYMBOL = {
    **{ord(a): b for a, b in zip(_GREEK_FROM, _GREEK_TO)},
    **{code: chr(code) for code in b" !#%&(),./0123456789:;<=>?[]_{|}"},
    0x22: "∀", 0x24: "∃", 0x27: "∋", 0x2A: "*", 0x2B: "+", 0x2D: "-", 0x40: "≅", 0x5E: "⊥", 0x7E: "~",
    0xA2: "′", 0xA3: "≤", 0xA5: "∞", 0xAB: "↔", 0xAC: "←", 0xAD: "↑", 0xAE: "→", 0xAF: "↓",
    0xB0: "°", 0xB1: "±", 0xB2: "″", 0xB3: "≥", 0xB4: "×", 0xB5: "∝", 0xB7: "•", 0xB8: "÷", 0xB9: "≠",
    0xBA: "≡", 0xBB: "≈", 0xBC: "…", 0xD2: "®", 0xD3: "©", 0xD4: "™", 0xD6: "√", 0xD7: "⋅",
    0xE2: "®", 0xE3: "©", 0xE4: "™",
}
WINGDINGS = {
    0x6C: "●", 0x6E: "■", 0xA7: "▪", 0xDF: "←", 0xE0: "→", 0xE1: "↑", 0xE2: "↓", 0xE8: "→",
    0xFC: "✓", 0xFD: "☒", 0xFE: "☑",
}


def symbol_text(code: int, font_name: str) -> str:
    """The character private-use `code` stands for in the font `font_name` (subset prefix and
    style suffix allowed, e.g. "OKSISY+Symbol"); the code itself when unknown."""
    name = font_name.lower()
    table = SYMBOL if "symbol" in name else WINGDINGS if "wingding" in name else {}
    return table.get(code - 0xF000, chr(code))
