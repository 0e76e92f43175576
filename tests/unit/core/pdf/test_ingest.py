"""Ingest: fingerprint, page count, text-layer flag, and one typed one-line error per bad input."""

from __future__ import annotations

import pytest

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.pdf.ingest import open_document, sha256_of
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.synthetic import write_bad_inputs

from pdf_fixtures import build, image_only_page, prose_page


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(
    "name, words",
    [("empty", "empty"), ("not_pdf", "not a pdf"), ("truncated_50", "damaged or truncated"), ("encrypted", "encrypted")],
)
def test_bad_input_raises_one_line_bad_input_error(bad_inputs, name, words):
    with pytest.raises(BadInputError) as caught:
        open_document(bad_inputs[name])
    message = str(caught.value)
    assert words in message.lower()
    assert "\n" not in message and message.startswith(f"{name}.pdf:")


def test_missing_file_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="file not found"):
        open_document(tmp_path / "nowhere.pdf")


def test_directory_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="not a file"):
        open_document(tmp_path)


def test_pdf_cut_after_header_is_bad_input(tmp_path):
    whole = build(tmp_path / "whole.pdf", [prose_page])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[:40])
    with pytest.raises(BadInputError):
        read_pages(cut)


def test_same_bytes_same_document(tmp_path):
    first = build(tmp_path / "a.pdf", [prose_page, prose_page])
    second = tmp_path / "copy of a.pdf"
    second.write_bytes(first.read_bytes())
    doc_a, doc_b = open_document(first), open_document(second)
    assert doc_a.sha256 == doc_b.sha256 == sha256_of(first)
    assert doc_a.page_count == 2


def test_text_layer_flag_per_page(tmp_path):
    path = build(tmp_path / "mixed.pdf", [prose_page, image_only_page])
    pages = read_pages(path)
    assert [page.has_text_layer for page in pages] == [True, False]
    assert [page.number for page in pages] == [1, 2]


def test_image_only_file_opens_and_is_flagged(bad_inputs):
    document = open_document(bad_inputs["image_only"])
    pages = read_pages(bad_inputs["image_only"])
    assert document.page_count == len(pages) >= 1
    assert not any(page.has_text_layer for page in pages)
