"""Grouping rules on hand-made candidates: consecutive pages, footnote pages, picture pages."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, PageText
from soe_desktop.core.pdf.grouping import assign_groups, is_footnote_page

HEADER = ["Procedure", "Screening", "Day 1", "Week 4"]


def _page(number, text="Some prose that is not a footnote at all.\nMore prose here.", width=792, height=612):
    return PageText(number=number, width=width, height=height, rotation=0, text=text, has_text_layer=bool(text))


def _candidate(page, rows=None, detector="pdfplumber", bbox=(72, 300, 720, 400), index=0):
    return Candidate(
        id=f"doc-p{page:04d}-t{index}", document_sha256="doc", page=page, bbox=bbox, detector=detector,
        rows=[HEADER, ["ECG", "X", "", "X"]] if rows is None else rows,
    )


FOOTNOTES = "a. Within 28 days.\nb. Pre-dose.\nc. If indicated.\nAbbreviations: ECG = electrocardiogram"


def test_footnote_page_detection():
    assert is_footnote_page(_page(1, FOOTNOTES))
    assert not is_footnote_page(_page(1))
    assert not is_footnote_page(_page(1, ""))


def test_consecutive_pages_with_same_header_share_the_first_id():
    pages = [_page(n) for n in range(1, 5)]
    found = assign_groups([_candidate(3), _candidate(2)], pages)
    assert [c.group for c in found] == ["doc-p0002-t0", "doc-p0002-t0"]


def test_different_tables_on_consecutive_pages_stay_apart():
    pages = [_page(n) for n in range(1, 4)]
    other = _candidate(2, rows=[["Parameter", "Low", "High"], ["ALT", "3", "40"]], bbox=(72, 300, 500, 400))
    found = assign_groups([_candidate(1), other], pages)
    assert found[0].group != found[1].group


def test_footnote_page_between_is_bridged_but_prose_is_not():
    with_notes = [_page(1), _page(2, FOOTNOTES), _page(3)]
    assert len({c.group for c in assign_groups([_candidate(1), _candidate(3)], with_notes)}) == 1
    with_prose = [_page(1), _page(2), _page(3)]
    assert len({c.group for c in assign_groups([_candidate(1), _candidate(3)], with_prose)}) == 2


def test_picture_pages_join_the_grid_next_to_them():
    pages = [_page(1), _page(2, ""), _page(3), _page(4, ""), _page(5), _page(6, "")]
    found = assign_groups(
        [_candidate(1), _candidate(2, rows=[], detector="fallback-page"), _candidate(3),
         _candidate(4, rows=[], detector="fallback-page"), _candidate(6, rows=[], detector="fallback-page")],
        pages,
    )
    groups = [c.group for c in found]
    assert groups[:4] == ["doc-p0001-t0"] * 4  # between and right after the grid pages
    assert groups[4] == "doc-p0006-t0"  # not next to any grid: its own group


def test_text_block_fallback_links_by_header_only():
    pages = [_page(1), _page(2)]
    text_block = _candidate(2, detector="fallback-text", rows=[["Running header", "Page 2"], ["a", "b", "c", "d"]])
    assert len({c.group for c in assign_groups([_candidate(1), text_block], pages)}) == 2
    repeated = _candidate(2, detector="fallback-text", rows=[HEADER, ["Labs", "X"]])
    assert len({c.group for c in assign_groups([_candidate(1), repeated], pages)}) == 1


def test_picture_page_does_not_join_unrelated_tables():
    pages = [_page(1), _page(2, ""), _page(3)]
    other = _candidate(3, rows=[["Parameter", "Low", "High"], ["ALT", "3", "40"]], bbox=(72, 300, 500, 400))
    found = assign_groups([_candidate(1), _candidate(2, rows=[], detector="fallback-page"), other], pages)
    assert [c.group for c in found] == ["doc-p0001-t0", "doc-p0001-t0", "doc-p0003-t0"]


def test_headerless_continuation_running_over_the_page_break():
    pages = [_page(1), _page(2)]
    first = _candidate(1, bbox=(0, 54, 842, 541), rows=[HEADER, ["ECG", "X", "", "X"]])
    second = _candidate(2, bbox=(0, 54, 842, 541), rows=[["Chest X-ray", "X"], ["Labs", "X", "X"]])
    assert len({c.group for c in assign_groups([first, second], pages)}) == 1
    short = _candidate(1, bbox=(0, 54, 842, 300), rows=[HEADER, ["ECG", "X", "", "X"]])
    assert len({c.group for c in assign_groups([short, second], pages)}) == 2


def test_only_the_first_table_of_a_page_continues_the_previous_page():
    pages = [_page(1), _page(2)]
    top = _candidate(2, bbox=(72, 50, 720, 200), index=0)
    below = _candidate(2, bbox=(72, 300, 720, 400), index=1, rows=[["Other", "table"], ["a", "b"]])
    found = assign_groups([below, top, _candidate(1)], pages)
    assert [c.group for c in found] == ["doc-p0001-t0", "doc-p0001-t0", "doc-p0002-t1"]


def test_footnote_page_with_its_own_text_candidate_is_still_bridged():
    pages = [_page(1), _page(2, FOOTNOTES), _page(3)]
    notes = _candidate(2, detector="fallback-text", rows=[["a. Within 28 days."], ["b. Pre-dose."]])
    found = assign_groups([_candidate(1), notes, _candidate(3)], pages)
    assert found[0].group == found[2].group == "doc-p0001-t0"
    assert found[1].group == notes.id


def test_at_most_two_pages_are_skipped():
    pages = [_page(1), _page(2, FOOTNOTES), _page(3, FOOTNOTES), _page(4, FOOTNOTES), _page(5)]
    assert len({c.group for c in assign_groups([_candidate(1), _candidate(5)], pages)}) == 2


def test_second_look_pages_stay_alone_and_break_the_run():
    pages = [_page(n) for n in range(1, 5)]
    full = (72, 40, 720, 590)  # every table fills its page: each one runs over the page break
    text_block = _candidate(3, rows=[["Some prose"]], detector="fallback-text", bbox=full)
    found = [_candidate(1, bbox=full), _candidate(2, bbox=full), text_block, _candidate(4, bbox=full)]
    assert len({c.group for c in assign_groups(found, pages)}) == 1  # one run without the rule
    alone = assign_groups(found, pages, alone={3})
    assert [c.group for c in alone] == ["doc-p0001-t0", "doc-p0001-t0", "doc-p0003-t0", "doc-p0004-t0"]
