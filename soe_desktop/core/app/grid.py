"""Grids of one PDF (`soe grid`, the GUI's grid view): analyse and label as triage does, pick the SoE
tables, extract their grids.

Which tables are SoE: a settled label in the library when the document is there (a person's, or the
auto-accept rule's that the window shows as accepted), else the labeler's; then the same choice of
tables as the window's (core.grid.extract.soe_groups). Grids come main schedule first, then in document order. An SoE table
that gives no grid is listed in `failed` with its reason, and table pages whose reading failed in
`unreadable_pages`; the window reads each table through the same core function (read_table).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from soe_desktop.core.app.grid_edits import with_edits
from soe_desktop.core.app.review import is_reviewed
from soe_desktop.core.app.triage import TriageResult, document_json, triage
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.grid.extract import DocumentGrids, read_tables
from soe_desktop.core.grid.model import Grid, GridFailure
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.model import Document, Label
from soe_desktop.core.pdf.analysis import AnalysisOptions


@dataclass
class GridResult:
    triage: TriageResult
    grids: list[Grid]
    seconds: float  # whole run: analysis, labels and grids
    grid_seconds: float  # the grid extraction alone
    failed: list[GridFailure] = field(default_factory=list)  # SoE tables that gave no grid, and why
    unreadable: dict[int, str] = field(default_factory=dict)  # table page -> why it could not be read

    def to_json(self) -> dict:
        """The `soe grid --json` contract (README): add keys, never rename."""
        return {
            "document": document_json(self.triage.document),
            "labeler": self.triage.labeler,
            "grids": [grid.to_json() for grid in self.grids],
            "failed": [failure.to_json() for failure in self.failed],
            "unreadable_pages": DocumentGrids(unreadable=self.unreadable).unreadable_json(),
            "seconds": round(self.seconds, 3),
        }


def effective_labels(result: TriageResult, store=None) -> dict[str, Label]:
    """The labeler's labels, overridden by the library's settled labels (a person's or the
    auto-accept rule's: what the window shows) of the same candidates."""
    labels = {label.candidate_id: label for label in result.labels}
    if store is not None and store.document(result.document.sha256) is not None:
        for candidate_id, label in store.effective_labels(result.document.sha256).items():
            if is_reviewed(label) and candidate_id in labels:
                labels[candidate_id] = label
    return labels


def stored_document(store, sha256: str) -> Document:
    """A library document as a Document (its original path and page count)."""
    row = store.document(sha256)
    if row is None:
        raise BadInputError(f"{sha256[:12]}: not in the library")
    return Document(path=row["original_path"], sha256=sha256, page_count=int(row["page_count"]))


def stored_grids(store, sha256: str, ocr: bool = True, cancel: Optional[CancelToken] = None) -> list[Grid]:
    """The grids of a document in the library, from its stored candidates and the labels that count
    there (a person's over a machine's), with the stored edits on top."""
    row = store.document(sha256)
    if row is None:
        raise BadInputError(f"{sha256[:12]}: not in the library")
    found = read_tables(row["stored_path"], store.candidates(sha256), store.effective_labels(sha256), ocr=ocr,
                        cancel=cancel)
    return with_edits(store, sha256, found.grids)


def document_grids(
    path: str | Path,
    labeler: Optional[Labeler] = None,
    store=None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    options: AnalysisOptions = AnalysisOptions(),
) -> GridResult:
    """Analyse and label `path` (nothing is stored), then extract the grid of each SoE table; for a
    document in the library, its grids carry the human edits stored there."""
    progress = progress or no_progress
    started = time.perf_counter()
    result = triage(path, labeler, progress, cancel, options)
    progress(Progress("grids", 0, 1))
    grid_started = time.perf_counter()
    found = read_tables(path, result.candidates, effective_labels(result, store), ocr=options.ocr, cancel=cancel)
    grids = with_edits(store, result.document.sha256, found.grids)  # a person's corrections win over the reading
    progress(Progress("grids", 1, 1))
    now = time.perf_counter()
    return GridResult(result, grids, now - started, now - grid_started, found.failed, found.unreadable)
