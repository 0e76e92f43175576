"""Damaged and hostile PDFs: repair on open, failures contained to the page, time limits, and the
bad-input corpus end to end through analyse (docs/RELIABILITY.md)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from soe_desktop.core.app.triage import triage
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.pdf import analysis as analysis_module
from soe_desktop.core.pdf import detect
from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse
from soe_desktop.core.synthetic import write_bad_inputs
from soe_desktop.core.synthetic.damaged import write_small_protocol

NO_OCR = AnalysisOptions(ocr=False)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


@pytest.fixture(scope="module")
def healthy(bad):
    return triage(bad["long_name"], options=NO_OCR)  # the undamaged protocol the others come from


@pytest.mark.parametrize("kind, words", [
    ("empty", "empty"), ("not_pdf", "not a PDF"), ("encrypted", "encrypted"), ("directory", "not a file"),
    ("vanished", "file not found"), ("truncated_10", "damaged beyond repair"),
])
def test_refused_with_one_line(bad, kind, words, tmp_path):
    with pytest.raises(BadInputError) as caught:
        analyse(bad[kind], options=AnalysisOptions(ocr=False, repair_dir=str(tmp_path)))
    message = str(caught.value)
    assert words in message and "\n" not in message and message.startswith(bad[kind].name)


@pytest.mark.parametrize("kind", ["truncated_90", "unloadable_page"])
def test_repaired_with_qpdf_and_triaged(bad, healthy, kind, tmp_path):
    result = triage(bad[kind], options=AnalysisOptions(ocr=False, repair_dir=str(tmp_path)))
    payload = result.to_json()
    assert payload["document"]["repaired"] is True
    assert payload["unreadable_pages"] == []
    assert list(tmp_path.glob("*.pdf")) == [Path(result.analysis.source)]
    if kind == "truncated_90":  # the last tenth of the objects is gone: the pages before it are found
        assert result.document.page_count == healthy.document.page_count
        assert result.soe_pages() and set(result.soe_pages()) <= set(healthy.soe_pages())
    else:  # the broken entry is dropped from the page tree: the pages after it move up by one
        assert result.soe_pages() == [page - 1 for page in healthy.soe_pages() if page > 3]


@pytest.mark.parametrize("kind", ["broken_xref", "owner_password", "zero_size_page", "huge_page", "long_name",
                                  "non_utf8_name"])
def test_read_as_is_and_triaged_like_the_healthy_file(bad, healthy, kind):
    if kind not in bad:
        pytest.skip("this file system takes only Unicode names")
    result = triage(bad[kind], options=NO_OCR)
    assert result.to_json()["document"]["repaired"] is False and result.analysis.unreadable_pages == []
    assert set(healthy.soe_pages()) - {1} <= set(result.soe_pages())  # page 1 is the resized one


def test_a_page_pdfium_cannot_load_is_reported_and_the_rest_triaged(bad, healthy, monkeypatch):
    def no_repair(*args, **kwargs):
        raise BadInputError("no repair in this test")

    monkeypatch.setattr(analysis_module, "open_repaired", no_repair)
    result = triage(bad["unloadable_page"], options=NO_OCR)
    payload = result.to_json()
    assert payload["unreadable_pages"] == [3] and payload["document"]["repaired"] is False
    assert "pdfium" in payload["unreadable_reasons"]["3"]
    assert all(candidate["page"] != 3 for candidate in payload["candidates"])
    listed = result.document.page_count  # pdfium lists one page fewer than the tree holds
    assert {page for page in healthy.soe_pages() if page <= listed} - {3} <= set(result.soe_pages())


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    return write_small_protocol(tmp_path_factory.mktemp("p") / "protocol.pdf")


def test_a_finder_that_raises_costs_that_page_only(protocol, monkeypatch):
    healthy = triage(protocol, options=NO_OCR)
    target = healthy.soe_pages()[0]

    def pdfminer_bug():
        raise TypeError("'int' object is not iterable")

    monkeypatch.setattr(detect, "pdfplumber_tables", _failing_on_number(target, pdfminer_bug))
    result = triage(protocol, options=NO_OCR)
    assert result.analysis.unreadable_pages == [target]
    assert "not iterable" in result.to_json()["unreadable_reasons"][str(target)]
    assert result.soe_pages() == [page for page in healthy.soe_pages() if page != target]


def _failing_on_number(number: int, failure):
    """Fail on the pdfplumber page whose text holds the page's own footer number (page copies
    number their pages from 1, so the copy's page_number cannot tell)."""
    real = detect.pdfplumber_tables

    def finder(page, direction=None):
        if _page_of(page) == number:
            failure()
        return real(page, direction)

    return finder


def _page_of(page) -> int:
    """The number in the generated footer 'Page N of M'."""
    words = [w["text"] for w in page.extract_words() if w["top"] > float(page.height) - 60]
    for word, following in zip(words, words[1:]):
        if word == "Page" and following.isdigit():
            return int(following)
    return -1


def test_a_page_over_its_time_limit_is_abandoned_and_the_rest_triaged(protocol, monkeypatch):
    healthy = triage(protocol, options=NO_OCR)
    target = healthy.soe_pages()[-1]

    def forever():
        while True:  # pure Python, like a pdfminer loop that never ends
            pass

    monkeypatch.setattr(detect, "pdfplumber_tables", _failing_on_number(target, forever))
    started = time.monotonic()
    result = triage(protocol, options=AnalysisOptions(ocr=False, page_time_limit_s=1.0))
    assert time.monotonic() - started < 60  # stopped, not hung (the limit is 1 s)
    assert result.analysis.unreadable_pages == [target]
    assert "1 s limit" in result.analysis.pages[target - 1].unreadable
    assert result.soe_pages() == [page for page in healthy.soe_pages() if page != target]


def test_a_document_over_its_limit_triages_what_it_has(protocol, monkeypatch):
    real = detect.pdfplumber_tables

    def every_page_slow(page, direction=None):
        time.sleep(0.6)
        return real(page, direction)

    monkeypatch.setattr(detect, "pdfplumber_tables", every_page_slow)
    result = triage(protocol, options=AnalysisOptions(ocr=False, document_time_limit_s=1.5))
    unread = result.analysis.unreadable_pages
    assert unread and all("document took longer" in result.analysis.pages[n - 1].unreadable for n in unread)
    assert result.candidates  # the pages examined in time keep their candidates
