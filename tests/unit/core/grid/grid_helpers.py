"""Helpers: candidates of a synthetic grid PDF, as the analysis would hand them over, and grids keyed by label."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from soe_desktop.core.model import Candidate


def candidates_of(path: Path, pages=None) -> list[Candidate]:
    """One candidate per page (the largest ruled table, or the whole page without one), one group."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if pages is not None and page.page_number not in pages:
                continue
            tables = page.find_tables()
            if tables:
                bbox, detector = max(tables, key=lambda t: len(t.cells)).bbox, "pdfplumber"
            else:
                bbox, detector = (0.0, 0.0, float(page.width), float(page.height)), "fallback-page"
            found.append(Candidate(id=f"c{page.page_number}", document_sha256="synthetic", page=page.page_number,
                                   bbox=tuple(bbox), detector=detector, group="g"))
    return found


def by_label(grid) -> dict[str, dict]:
    """activity -> {"marks": {label: value}, "cell_refs": {label: refs}, "refs", "section"}."""
    labels = {column.id: column.label for column in grid.columns}
    return {row.activity: {"marks": {labels[k]: v for k, v in row.marks.items()},
                           "cell_refs": {labels[k]: v for k, v in row.cell_refs.items()},
                           "refs": row.footnote_refs, "section": row.section} for row in grid.rows}


def truth_by_label(truth) -> dict[str, dict]:
    return {row.activity: {"marks": row.marks, "cell_refs": row.cell_refs, "refs": row.footnote_refs,
                           "section": row.section} for row in truth.rows}
