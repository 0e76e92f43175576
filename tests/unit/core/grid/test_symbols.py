"""Private-use code points of symbol fonts read as the characters they print."""

from soe_desktop.core.grid.symbols import symbol_text


def test_symbol_font_signs_and_registered():
    assert symbol_text(0xF02D, "OKSISY+Symbol") == "-"
    assert symbol_text(0xF02B, "Symbol") == "+"
    assert symbol_text(0xF0B1, "ABCDEF+Symbol") == "±"
    assert symbol_text(0xF0E2, "XYZ+SymbolMT") == "®"
    assert symbol_text(0xF06D, "Symbol") == "μ"


def test_the_same_code_means_another_character_in_wingdings():
    assert symbol_text(0xF0E0, "BKJJZZ+Wingdings") == "→"
    assert symbol_text(0xF0FC, "Wingdings-Regular") == "✓"
    assert symbol_text(0xF0E2, "Wingdings") == "↓"


def test_unknown_fonts_and_codes_are_kept():
    assert symbol_text(0xF0E2, "Arial") == "\uf0e2"
    assert symbol_text(0xF0F0, "Symbol") == "\uf0f0"
