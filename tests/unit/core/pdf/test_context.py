"""Heading and caption recognition, and the context text's shape and limit."""

from __future__ import annotations

import pytest

from soe_desktop.core.model import PageText
from soe_desktop.core.pdf.context import MAX_CONTEXT_CHARS, compose, inherited_heading, is_caption, is_heading


@pytest.mark.parametrize("line", ["1.3 Schedule of Activities", "1.3. Schedule of Activities", "1 Synopsis", "SECTION 4 STUDY DESIGN", "Appendix B Schedule"])
def test_headings(line):
    assert is_heading(line)


@pytest.mark.parametrize("line", ["28 to 35 days", "6 cycles and has achieved a PR", "1.3 Schedule of Activities ........ 12", "2 x 10^9/L"])
def test_not_headings(line):
    assert not is_heading(line)


def test_captions():
    assert is_caption("Table 1 Schedule of Activities") and is_caption("Table 10.2-3: Laboratory tests")
    assert not is_caption("Table of contents") and not is_caption("Schedule of Activities")


def _page(number, text):
    return PageText(number=number, width=612, height=792, rotation=0, text=text, has_text_layer=bool(text))


def test_continuation_page_inherits_last_heading_before_it():
    pages = [_page(1, "1.2 Synopsis\nbody"), _page(2, "1.3 Schedule of Activities\nTable 1"), _page(3, "grid only")]
    assert inherited_heading(pages, 3) == "1.3 Schedule of Activities"
    assert inherited_heading(pages, 1) is None


def test_compose_orders_and_limits():
    text = compose("1.3 Schedule", "Table 1 SoA", ["above " * 500], ["below"])
    assert text.startswith("Section: 1.3 Schedule\nCaption: Table 1 SoA\nAbove: ")
    assert len(text) <= MAX_CONTEXT_CHARS
