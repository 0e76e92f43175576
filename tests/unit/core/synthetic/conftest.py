"""Generated protocols shared by the synthetic-generator tests (each written once per session)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from soe_desktop.core.synthetic import write_protocol, write_sample_protocol


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """(path, truth) of the first-run sample protocol (every hard case switched on)."""
    path = tmp_path_factory.mktemp("synthetic") / "sample.pdf"
    return path, write_sample_protocol(path)


@pytest.fixture(scope="session")
def sample_texts(sample):
    """pypdfium2 text of every page of the sample, index 0 = page 1."""
    return page_texts(sample[0])


@pytest.fixture(scope="session")
def check_marked(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "check.pdf"
    return path, write_protocol(path, seed=11, prose_pages=2, image_only_soe=False, mark_style="check")


@pytest.fixture(scope="session")
def read_texts():
    return page_texts


def page_texts(path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()
