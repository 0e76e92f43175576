"""Bad inputs are what their names claim."""

from __future__ import annotations

import os
import random

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from soe_desktop.core.synthetic import write_bad_inputs
from soe_desktop.core.synthetic.damaged import MUTATIONS, mutate, write_mutants, write_small_protocol

FILES = {"empty", "not_pdf", "truncated_10", "truncated_50", "truncated_90", "broken_xref", "encrypted",
         "owner_password", "image_only", "zero_size_page", "huge_page", "long_name"}


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


def test_all_kinds_are_written(bad):
    assert FILES | {"vanished", "directory"} <= set(bad)
    assert all(bad[kind].is_file() for kind in FILES)
    assert not bad["vanished"].exists() and bad["directory"].is_dir()


def test_empty_and_not_pdf(bad):
    assert bad["empty"].stat().st_size == 0
    assert not bad["not_pdf"].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["empty", "not_pdf", "truncated_10", "truncated_50", "truncated_90", "encrypted"])
def test_unreadable_without_help(bad, kind):
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(bad[kind]))


@pytest.mark.parametrize("percent", [10, 50, 90])
def test_truncated_keeps_that_share_and_loses_the_end(bad, percent):
    data = bad[f"truncated_{percent}"].read_bytes()
    whole = bad["long_name"].stat().st_size  # the same protocol, whole
    assert data.startswith(b"%PDF") and b"%%EOF" not in data[-64:]
    assert abs(len(data) - whole * percent / 100) <= 1


def test_broken_xref_points_nowhere(bad):
    data = bad["broken_xref"].read_bytes()
    assert len(data) == bad["long_name"].stat().st_size and data != bad["long_name"].read_bytes()
    offset = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert not data[offset:].startswith(b"xref")


def test_encrypted_opens_with_its_user_password(bad):
    pdf = pdfium.PdfDocument(str(bad["encrypted"]), password="user-secret")
    assert "Schedule of Activities" in pdf[0].get_textpage().get_text_range()


def test_owner_password_only_is_encrypted_yet_opens(bad):
    with pikepdf.open(bad["owner_password"]) as pdf:
        assert pdf.is_encrypted
    assert len(pdfium.PdfDocument(str(bad["owner_password"]))) > 1


def test_page_sizes(bad):
    with pikepdf.open(bad["zero_size_page"]) as pdf:  # pdfium shows such a page at a default size
        assert [float(v) for v in pdf.pages[0].mediabox] == [0.0, 0.0, 0.0, 0.0]
    assert pdfium.PdfDocument(str(bad["huge_page"])).get_page_size(0) == (14400.0, 14400.0)  # 200 inches


def test_odd_names(bad):
    assert len(bad["long_name"].name) >= 200
    if "non_utf8_name" in bad:  # where the file system takes any bytes
        with pytest.raises(UnicodeEncodeError):
            bad["non_utf8_name"].name.encode("utf-8")
        assert os.fsencode(bad["non_utf8_name"]).endswith(b"\xe9\xff.pdf")


def test_image_only_pdf_has_images_and_no_text(bad):
    pdf = pdfium.PdfDocument(str(bad["image_only"]))
    assert len(pdf) == 2
    for page in pdf:
        assert page.get_textpage().get_text_range().strip() == ""
        assert pdfium_c.FPDF_PAGEOBJ_IMAGE in [obj.type for obj in page.get_objects()]


@pytest.mark.slow
def test_large_cases(tmp_path):
    bad = write_bad_inputs(tmp_path, large=True)
    assert len(pdfium.PdfDocument(str(bad["pages_1000"]))) == 1000
    page = pdfium.PdfDocument(str(bad["many_objects"]))[0]
    assert sum(1 for obj in page.get_objects() if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT) == 50_000


def test_mutations_are_seeded_and_change_the_bytes(tmp_path):
    data = write_small_protocol(tmp_path / "p.pdf").read_bytes()
    for kind in MUTATIONS:
        first, second = mutate(data, random.Random(3), kind), mutate(data, random.Random(3), kind)
        assert first == second and first != data
    with pytest.raises(ValueError):
        mutate(data, random.Random(0), "melt")
    mutants = list(write_mutants(tmp_path / "p.pdf", tmp_path / "m", 10, seed=1))
    assert [m.kind for m in mutants] == list(MUTATIONS) * 2
    assert all(m.path.read_bytes() != data for m in mutants)
