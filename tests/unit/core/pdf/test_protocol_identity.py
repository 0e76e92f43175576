"""The protocol number and title a protocol prints on its first pages, as plain text."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from soe_desktop.core.pdf.protocol_identity import MAX_NUMBER, protocol_number, protocol_title, read_identity


@pytest.mark.parametrize("text, number", [
    ("Clinical Trial Protocol\r\nClinical Trial Protocol Number MS200095-0022\r\nTitle A Phase II trial", "MS200095-0022"),
    ("TJ301\nProtocol No.: CTJ301UC201\nSolution for Injection", "CTJ301UC201"),
    ("Protocol Number: EDP 305-101\nEudraCT Number: 2017-004365-27", "EDP 305-101"),
    ("Protocol I3Y-MC-JPCF(e)\nA Randomized, Open-Label, Phase 3 Study", "I3Y-MC-JPCF(e)"),
    ("Protocol: J2N-MC-JZNW (a)\nA Phase 1 study", "J2N-MC-JZNW"),
    ("Protocol WA42380, Version 3\nPROTOCOL", "WA42380"),
    ("Drug Substance Olaparib\nStudy Code D0816C00020\nVersion 3.0", "D0816C00020"),
    ("Sponsor trial ID: NN9536-4373\nOfficial title of study: Effect", "NN9536-4373"),
    ("Amgen Protocol Number 20140197", "20140197"),
])
def test_a_labelled_or_leading_protocol_number_is_read(text, number):
    assert protocol_number(text) == number


@pytest.mark.parametrize("text", [
    "Protocol Amendment 3.1 (US)\n18 Mar 2022",  # a heading, then a date
    "PROTOCOL AMENDMENT APPROVAL\nCONFIDENTIAL",
    "Protocol with Amendment 04 Approval Date: 08 July 2024",
    "Protocol A ( )\nNCT\nApproval Date: 9- -20",
    "Protocol version No. and date: V1.0/ May 26, 2022",
])
def test_headings_and_words_after_protocol_are_not_numbers(text):
    assert protocol_number(text) == ""


def test_the_nct_number_is_the_last_resort():
    assert protocol_number("Effects of Liraglutide\nNCT# 03523273\nOctober 29, 2020") == "NCT03523273"
    assert protocol_number("Protocol Number: KVD900-301\nNCT05259917") == "KVD900-301"


def test_the_title_follows_its_label_on_its_line_or_the_next_ones():
    assert protocol_title("Title: A Phase 1 Study of X\nSponsor: Y") == "A Phase 1 Study of X"
    text = "TITLE PAGE\nProtocol Title:\nA Phase 2, Open-label Study to Assess Copper\nin Wilson Disease\nProtocol Number: A-1"
    assert protocol_title(text) == "A Phase 2, Open-label Study to Assess Copper in Wilson Disease"
    assert protocol_title("PROTOCOL TITLE\nA Randomized Trial\nof KVD900\nin HAE\nand more\nProtocol Number: K") == \
        "A Randomized Trial of KVD900 in HAE"  # three lines at most
    assert protocol_title("Official Title:\nPage 1 of 142\nSomething else") == ""
    assert protocol_title("No label here at all") == ""


def test_what_a_hostile_pdf_prints_comes_back_as_capped_plain_text():
    identity = read_identity(["Protocol Number: A1\x00\x1b[31m<b>X</b>\nTitle: <script>alert(1)</script>\u202e\x07 evil"])
    assert "\x00" not in identity.number and "\x1b" not in identity.number
    assert identity.title == "<script>alert(1)</script> evil"  # words, shown by callers as plain text
    long = protocol_number("Protocol Number: " + "A1" * 100)
    assert len(long) == MAX_NUMBER and long.endswith("…")


def test_only_the_first_pages_count():
    assert read_identity(["cover", "signatures", "approvals", "Protocol Number: LATE-123"]).number == ""
    assert read_identity(["cover", "Protocol Number: EARLY-123"]).number == "EARLY-123"


def test_the_synthetic_protocols_number_is_read_from_its_title_page(small_protocol_pdf):
    pdf = pdfium.PdfDocument(str(small_protocol_pdf))
    try:
        texts = [pdf[index].get_textpage().get_text_range() for index in range(3)]
    finally:
        pdf.close()
    identity = read_identity(texts)
    assert re.fullmatch(r"[A-Z]{3}-\d{3}-\d{2}", identity.number), identity


@pytest.fixture(scope="module")
def small_protocol_pdf(tmp_path_factory):
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path_factory.mktemp("identity") / "protocol.pdf"
    write_protocol(path, seed=5, prose_pages=0)
    return path
