"""Footnote markers told by print: raised above the line, not a subscript below it."""

from soe_desktop.core.grid.chars import Char, runs_of
from soe_desktop.core.grid.marks import normalise_name


def _line(text: str, size: float = 9.0, x: float = 10.0, baseline: float = 100.0, height: float = 6.5,
          rise: float = 0.0) -> list[Char]:
    chars = []
    for char in text:
        bottom = baseline - rise
        chars.append(Char(char, (x, bottom - height, x + size * 0.5, bottom), size, False))
        x += size * 0.5
    return chars


def _name(chars, body=9.0):
    return normalise_name(runs_of(chars, body))


def test_a_raised_marker_a_little_smaller_than_the_text_is_a_ref():
    # 8 pt against 9 pt, raised 2 pt: not small by size alone, but raised above the line
    chars = _line("Hemoglobin") + _line("a", size=8.0, x=60.0, height=4.0, rise=2.0)
    assert _name(chars) == ("Hemoglobin", ["a"])


def test_a_subscript_stays_in_the_name():
    # 6.5 pt digit sitting below the line, as in SpO2: small, but low
    chars = _line("SpO") + _line("2", size=6.5, x=24.0, height=4.5, rise=-1.0)
    assert _name(chars) == ("SpO2", [])


def test_a_small_raised_marker_is_a_ref_and_a_body_size_raised_letter_too():
    small = _line("Screening") + _line("b", size=6.0, x=60.0, height=4.0, rise=3.0)
    assert _name(small) == ("Screening", ["b"])
    # some layouts raise a marker in the body size (9 pt beside 8 pt text)
    same = _line("Pregnancy test", size=8.0) + _line("c", size=9.0, x=80.0, height=4.5, rise=3.0)
    assert _name(same, body=8.0) == ("Pregnancy test", ["c"])


def test_letters_on_the_line_are_never_refs_even_beside_descenders():
    assert _name(_line("Glucose pqyg")) == ("Glucose pqyg", [])
