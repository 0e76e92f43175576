"""Export labels and SoE pages to CSV or JSONL, for spreadsheets and downstream scripts.

Files are written to a temp file and renamed, so a reader never sees half an export.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable

from soe_desktop.core.store.database import Store

FORMATS = ("csv", "jsonl")
LABEL_COLUMNS = (
    "document_sha256",
    "filename",
    "candidate_id",
    "page",
    "x0",
    "top",
    "x1",
    "bottom",
    "group",
    "detector",
    "label_id",
    "is_soe",
    "confidence",
    "source",
    "created_at",
    "reason",
    "agree",
    "retracted",
    "effective",
)
SOE_PAGE_COLUMNS = ("filename", "sha256", "page_count", "status", "soe_pages")


def export_labels(
    store: Store,
    out_path: str | Path,
    sha256: str | None = None,
    fmt: str | None = None,
    effective_only: bool = False,
) -> int:
    """Write every label (or only the effective one per candidate) of one or all documents.

    Each row carries its candidate's page and bbox, whether it was retracted, and whether it is
    the label that currently counts. Returns the number of rows written.
    """
    fmt = _format(out_path, fmt)
    candidates = {c.id: c for c in store.candidates(sha256, include_stale=True)}
    filenames = {doc["sha256"]: doc["filename"] for doc in store.documents()}
    effective = store.effective_labels(sha256)
    effective_ids = {label.id for label in effective.values()}
    labels = list(effective.values()) if effective_only else store.labels(sha256=sha256)
    labels.sort(key=lambda label: label.id or 0)
    records = [_label_record(label, candidates[label.candidate_id], filenames, effective_ids) for label in labels]
    _write(out_path, fmt, LABEL_COLUMNS, records)
    return len(records)


def export_soe_pages(store: Store, out_path: str | Path, fmt: str | None = None) -> int:
    """One row per document: filename, sha256 and its SoE pages according to the effective labels."""
    fmt = _format(out_path, fmt)
    records = [
        {
            "filename": doc["filename"],
            "sha256": doc["sha256"],
            "page_count": doc["page_count"],
            "status": doc["status"],
            "soe_pages": store.soe_pages(doc["sha256"]),
        }
        for doc in store.documents()
    ]
    _write(out_path, fmt, SOE_PAGE_COLUMNS, records)
    return len(records)


def _label_record(label, candidate, filenames: dict[str, str], effective_ids: set[int]) -> dict:
    x0, top, x1, bottom = candidate.bbox
    return {
        "document_sha256": candidate.document_sha256,
        "filename": filenames.get(candidate.document_sha256, ""),
        "candidate_id": candidate.id,
        "page": candidate.page,
        "x0": x0,
        "top": top,
        "x1": x1,
        "bottom": bottom,
        "group": candidate.group,
        "detector": candidate.detector,
        "label_id": label.id,
        "is_soe": label.is_soe,
        "confidence": label.confidence,
        "source": label.source,
        "created_at": label.created_at,
        "reason": label.reason,
        "agree": label.agree,
        "retracted": bool(label.details.get("retracted")),
        "effective": label.id in effective_ids,
    }


def _format(out_path: str | Path, fmt: str | None) -> str:
    """The explicit format, else the file's suffix (.jsonl/.json -> jsonl), else csv."""
    if fmt is None:
        fmt = "jsonl" if Path(out_path).suffix.lower() in (".jsonl", ".json") else "csv"
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {FORMATS}, got {fmt!r}")
    return fmt


def _csv_value(value) -> object:
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if value is None:
        return ""
    return value


def _write(out_path: str | Path, fmt: str, columns: tuple[str, ...], records: Iterable[dict]) -> None:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.name}-", suffix=".part", dir=out_path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            if fmt == "csv":
                writer = csv.DictWriter(out, fieldnames=columns)
                writer.writeheader()
                writer.writerows({key: _csv_value(record[key]) for key in columns} for record in records)
            else:
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(temp_name, out_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
