"""Display text: missing-glyph boxes, private-use and invisible characters from PDF fonts are not shown."""

from soe_desktop.core.pdf.display_text import display_text


def test_plain_text_is_unchanged():
    assert display_text("Vital signs (BP, HR)\nDay −28 to −1 ± 2 µg ≥ 5") == "Vital signs (BP, HR)\nDay −28 to −1 ± 2 µg ≥ 5"


def test_boxes_and_unmapped_glyphs_become_spaces_between_words():
    assert display_text("Screening\u25afPhase\ufffd(C)") == "Screening Phase (C)"


def test_private_use_codes_of_symbol_fonts_are_not_shown():
    assert display_text("Week\ue001 4 \U000f0001end") == "Week 4 end"
    assert display_text("\uf0b7 Informed consent \uf0fc") == "• Informed consent ✓"


def test_invisible_and_control_characters_go_and_line_breaks_stay():
    assert display_text("pre\u00addose\u200b visit\x07\nsecond\tline\ufeff") == "predose visit\nsecond\tline"


def test_no_box_survives():
    text = "".join(chr(code) for code in (0x25AF, 0xFFFD, 0xE000, 0xF8FF, 0xF020, 0x0001)) + "x"
    shown = display_text(text)
    assert shown == "x"
