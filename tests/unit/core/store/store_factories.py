"""Small factories for store tests: distinct or identical documents, candidates, pages and labels."""

from __future__ import annotations

import hashlib

from soe_desktop.core.model import Candidate, Document, Label, PageText


def make_document(name: str = "protocol", page_count: int = 3) -> Document:
    """A Document whose sha256 is derived from `name`, so tests can make distinct or identical ones."""
    return Document(path=f"/tmp/{name}.pdf", sha256=hashlib.sha256(name.encode()).hexdigest(), page_count=page_count)


def make_candidate(document: Document, cid: str, page: int = 1, **fields) -> Candidate:
    defaults = dict(
        bbox=(10.0, 20.0, 300.5, 400.25),
        detector="pdfplumber",
        rows=[["Procedure", "V1", "V2"], ["ECG", "X", "✓"]],
        context="Schedule of Activities\nTable 1",
        features={"landscape": 1.0, "mark_density": 0.4},
    )
    defaults.update(fields)
    return Candidate(id=cid, document_sha256=document.sha256, page=page, **defaults)


def make_pages(count: int) -> list[PageText]:
    return [
        PageText(number=n, width=792.0, height=612.0, rotation=90 if n == 2 else 0, text=f"page {n} text", has_text_layer=n != 3)
        for n in range(1, count + 1)
    ]


def label(cid: str, is_soe: bool, source: str, confidence: float = 0.9, **fields) -> Label:
    return Label(candidate_id=cid, is_soe=is_soe, confidence=confidence, source=source, **fields)
