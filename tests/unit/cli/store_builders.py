"""A small store without PDFs for the CLI tests: SoE-like candidates on pages 1-3 of every document,
look-alikes on pages 4-6, optionally with agreeing teacher labels."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store


def fill_store(settings: Settings, n_documents: int = 2, teacher_labels: bool = False) -> list[str]:
    """Returns the documents' sha256s; every candidate's rows differ (cache keys stay distinct)."""
    store = Store(settings.db_path)
    shas = []
    for d in range(n_documents):
        sha = f"{d:064d}"
        store.add_document(Document(f"/tmp/doc{d}.pdf", sha, 6), "", f"doc{d}.pdf")
        candidates = [_candidate(sha, d, page) for page in range(1, 7)]
        store.replace_candidates(sha, candidates)
        if teacher_labels:
            store.add_labels([Label(c.id, c.page <= 3, 0.95, "heuristic", agree=True) for c in candidates])
        shas.append(sha)
    store.close()
    return shas


def _candidate(sha: str, d: int, page: int) -> Candidate:
    soe = page <= 3
    rows = ([["Procedure", "Screening", "Day 1"], ["ECG", "X", "X"], [f"row {d}-{page}", "X", ""]] if soe
            else [["Dose level", "mg"], ["A", "10"], [f"row {d}-{page}", "20"]])
    return Candidate(f"{sha[-4:]}-{page}", sha, page, (0, 0, 1, 1), "pdfplumber", rows,
                     context=f"page {page} of doc {d}", features={"page_landscape": float(soe)})
