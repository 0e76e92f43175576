"""Bad inputs are what their names claim."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from soe_desktop.core.synthetic import write_bad_inputs


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


def test_all_kinds_are_written(bad):
    assert set(bad) == {"empty", "not_pdf", "truncated", "encrypted", "image_only"}
    assert all(path.exists() for path in bad.values())


def test_empty_and_not_pdf(bad):
    assert bad["empty"].stat().st_size == 0
    assert not bad["not_pdf"].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["empty", "not_pdf", "truncated", "encrypted"])
def test_unreadable_without_help(bad, kind):
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(bad[kind]))


def test_truncated_starts_like_a_pdf(bad):
    data = bad["truncated"].read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" not in data[-64:]


def test_encrypted_opens_with_its_user_password(bad):
    pdf = pdfium.PdfDocument(str(bad["encrypted"]), password="user-secret")
    assert "Schedule of Activities" in pdf[0].get_textpage().get_text_range()


def test_image_only_pdf_has_images_and_no_text(bad):
    pdf = pdfium.PdfDocument(str(bad["image_only"]))
    assert len(pdf) == 2
    for page in pdf:
        assert page.get_textpage().get_text_range().strip() == ""
        assert pdfium_c.FPDF_PAGEOBJ_IMAGE in [obj.type for obj in page.get_objects()]
