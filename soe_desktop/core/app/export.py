"""Export: what the library holds, to a file, through the export-format registry; audited.

`soe export` and File ▸ Export call `export`; the GUI runs it on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.app.grid import stored_document, stored_grids
from soe_desktop.core.app.grid_edits import export_grids
from soe_desktop.core.app.review import reviewer
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.grid.export import GRID_EXPORTS
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.store.exports import export_effective_labels, export_labels, export_soe_pages, format_for

# What can be exported: name -> writer(store, out_path, sha256, fmt) -> rows written.
WHAT: dict[str, Callable] = {
    "labels": export_effective_labels,  # the label that counts, one row per candidate
    "label-history": lambda store, out, sha256, fmt: export_labels(store, out, sha256=sha256, fmt=fmt),
    "soe-pages": lambda store, out, sha256, fmt: export_soe_pages(store, out, fmt=fmt),
}

GRIDS = "grids"  # the SoE grids of one document, through the grid export registry
WHAT_CHOICES = (*WHAT, GRIDS)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    format: str
    what: str


def export(
    store,
    out_path: str | Path,
    what: str = "labels",
    fmt: Optional[str] = None,
    sha256: Optional[str] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    actor: Optional[str] = None,
) -> ExportResult:
    """Write `what` (labels | label-history | soe-pages | grids) of one document (`sha256`) or of
    all, in `fmt` (default: from the file's suffix), and record the export in the audit log. Grids
    (one document) go through the grid export registry: csv, xlsx, usdm, json."""
    progress = progress or no_progress
    if what == GRIDS:
        return _export_grids(store, Path(out_path), fmt, sha256, progress, cancel, actor)
    if what not in WHAT:
        raise ValueError(f"unknown export {what!r}; expected one of {', '.join(WHAT_CHOICES)}")
    export_format = format_for(out_path, fmt)
    check(cancel)
    progress(Progress("exporting", 0, 1, str(out_path)))
    rows = WHAT[what](store, out_path, sha256, export_format.name)
    store.audit("export", str(out_path), {"what": what, "format": export_format.name, "rows": rows},
                actor or reviewer(), document=sha256 or "", new=str(out_path))
    progress(Progress("exporting", 1, 1, str(out_path)))
    return ExportResult(Path(out_path), rows, export_format.name, what)


def _export_grids(store, out: Path, fmt: Optional[str], sha256: Optional[str], progress, cancel,
                  actor: Optional[str]) -> ExportResult:
    if not sha256:
        raise BadInputError("a grid export is of one document: say which (--document)")
    fmt = format_for(out, fmt, GRID_EXPORTS).name  # .json: USDM, the first grid format with that suffix
    progress(Progress("exporting", 0, 1, str(out)))
    grids = stored_grids(store, sha256, cancel=cancel)
    check(cancel)
    export_grids(grids, fmt, out, store, sha256, actor, document=stored_document(store, sha256))
    progress(Progress("exporting", 1, 1, str(out)))
    return ExportResult(out, sum(len(grid.rows) for grid in grids), fmt, GRIDS)
