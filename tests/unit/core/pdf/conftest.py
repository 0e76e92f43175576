"""Fixtures: tiny PDFs with known geometry (builders in pdf_fixtures.py)."""

from __future__ import annotations

import pytest
from pdf_fixtures import (
    Built,
    Drawn,
    borderless_grid_page,
    build,
    continuation_page,
    footnote_page,
    image_only_page,
    prose_page,
    rotate_attr_page,
    rotated_in_page,
    ruled_portrait_page,
)


@pytest.fixture
def ruled_pdf(tmp_path) -> Built:
    drawn: list[Drawn] = []
    path = build(tmp_path / "ruled.pdf", [prose_page, ruled_portrait_page(drawn, 2)])
    return Built(path, drawn)


@pytest.fixture
def rotate_attr_pdf(tmp_path) -> Built:
    drawn: list[Drawn] = []
    return Built(build(tmp_path / "rotate.pdf", [rotate_attr_page(drawn, 1)]), drawn)


@pytest.fixture
def rotated_in_page_pdf(tmp_path) -> Built:
    drawn: list[Drawn] = []
    return Built(build(tmp_path / "inpage.pdf", [rotated_in_page(drawn, 1)]), drawn)


@pytest.fixture
def multipage_pdf(tmp_path) -> Built:
    """Grid on pages 2-3, footnote page 4, grid again on 5, image-only page 6, grid on 7, prose 8."""
    drawn: list[Drawn] = []
    pages = [
        prose_page,
        ruled_portrait_page(drawn, 2),
        continuation_page(drawn, 3, ["Chemistry", "Urinalysis", "Pregnancy test"]),
        footnote_page,
        continuation_page(drawn, 5, ["PK sampling", "Biomarkers"]),
        image_only_page,
        continuation_page(drawn, 7, ["Survival follow-up"]),
        prose_page,
    ]
    return Built(build(tmp_path / "multi.pdf", pages), drawn)


@pytest.fixture
def fallback_pdf(tmp_path) -> Built:
    """Page 1 borderless grid, page 2 image only, page 3 prose."""
    return Built(build(tmp_path / "fallback.pdf", [borderless_grid_page, image_only_page, prose_page]), [])
