"""Export labels and SoE pages to CSV, JSONL or XLSX, for spreadsheets and downstream scripts.

The export-format registry (`EXPORT_FORMATS`) feeds the CLI's `--format` choices and the GUI's
file dialog: adding a format is one writer function plus one `register_format` line. Files are
written to a temp file and renamed, so a reader never sees half an export. File names and reasons
come from PDFs and people: CSV and XLSX text goes out through safe_text.py, never as a formula.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO

from soe_desktop.core.model import LabelKind
from soe_desktop.core.store.database import Store
from soe_desktop.core.store.names import document_name
from soe_desktop.core.store.safe_text import SafeDictWriter, text_cells

# One sheet: its name, its columns and its rows (dicts keyed by column).
Sheet = tuple[str, tuple[str, ...], list[dict]]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str  # what a file dialog shows
    suffix: str
    write: Callable[[Path, list[Sheet]], None]  # writes to the (temporary) path it is given


EXPORT_FORMATS: dict[str, ExportFormat] = {}


def register_format(export_format: ExportFormat) -> ExportFormat:
    EXPORT_FORMATS[export_format.name] = export_format
    return export_format


def format_names() -> list[str]:
    return list(EXPORT_FORMATS)


def file_dialog_filter() -> str:
    """'CSV (*.csv);;JSON Lines (*.jsonl);;…' for QFileDialog."""
    return ";;".join(f"{fmt.title} (*{fmt.suffix})" for fmt in EXPORT_FORMATS.values())


def format_for(out_path: str | Path, fmt: str | None = None, formats: dict | None = None):
    """The explicit format, else the first in `formats` (default: this registry; the grid exports
    have one of the same shape) whose suffix the file has (.json, when none has it, counts as JSON
    Lines), else CSV."""
    formats = EXPORT_FORMATS if formats is None else formats
    if fmt is None:
        suffix = Path(out_path).suffix.lower()
        wanted = [suffix, ".jsonl"] if suffix == ".json" else [suffix]
        fmt = next((f.name for want in wanted for f in formats.values() if f.suffix == want), "csv")
    if fmt not in formats:
        raise ValueError(f"export format must be one of {tuple(formats)}, got {fmt!r}")
    return formats[fmt]


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
    "document",
)
# "document" is the name the app shows (store/names.py: the file name and the protocol number its
# first pages print), last so that readers of the earlier columns by position are not disturbed.
SOE_PAGE_COLUMNS = ("filename", "sha256", "page_count", "status", "soe_pages", "document")
# The effective label of each candidate: what a person reviewing the library needs in one row.
EFFECTIVE_COLUMNS = ("document_sha256", "filename", "page", "x0", "top", "x1", "bottom", "detector", "is_soe",
                     "confidence", "source", "reviewer", "created_at", "candidate_id", "group", "document")


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
    export_format = format_for(out_path, fmt)
    candidates = {c.id: c for c in store.candidates(sha256, include_stale=True)}
    filenames, names = _names(store)
    effective = store.effective_labels(sha256)
    effective_ids = {label.id for label in effective.values()}
    labels = list(effective.values()) if effective_only else store.labels(sha256=sha256)
    labels.sort(key=lambda label: label.id or 0)
    records = [_label_record(label, candidates[label.candidate_id], filenames, effective_ids)
               | {"document": names.get(candidates[label.candidate_id].document_sha256, "")} for label in labels]
    _write(out_path, export_format, [("labels", LABEL_COLUMNS, records)])
    return len(records)


def export_effective_labels(store: Store, out_path: str | Path, sha256: str | None = None,
                            fmt: str | None = None) -> int:
    """One row per current candidate of one or all documents: its effective label (the one that
    counts: a person's over the rule's over a machine's), who gave it and when."""
    export_format = format_for(out_path, fmt)
    filenames, names = _names(store)
    effective = store.effective_labels(sha256)
    records = [_effective_record(candidate, effective.get(candidate.id), filenames)
               | {"document": names.get(candidate.document_sha256, "")} for candidate in store.candidates(sha256)]
    _write(out_path, export_format, [("labels", EFFECTIVE_COLUMNS, records)])
    return len(records)


def _names(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """Per sha256, the file name and the name the app shows."""
    documents = store.documents()
    return ({doc["sha256"]: doc["filename"] for doc in documents},
            {doc["sha256"]: document_name(doc) for doc in documents})


def _effective_record(candidate, label, filenames: dict[str, str]) -> dict:
    x0, top, x1, bottom = candidate.bbox
    origin = label.origin if label is not None else None
    return {
        "document_sha256": candidate.document_sha256,
        "filename": filenames.get(candidate.document_sha256, ""),
        "page": candidate.page,
        "x0": x0, "top": top, "x1": x1, "bottom": bottom,
        "detector": str(candidate.detector),
        "is_soe": None if label is None else label.is_soe,
        "confidence": None if label is None else label.confidence,
        "source": None if label is None else label.source,
        "reviewer": origin.name if origin is not None and origin.kind is LabelKind.HUMAN else "",
        "created_at": None if label is None else label.created_at,
        "candidate_id": candidate.id,
        "group": candidate.group,
    }


def export_soe_pages(store: Store, out_path: str | Path, fmt: str | None = None) -> int:
    """One row per document: filename, sha256 and its SoE pages according to the effective labels."""
    export_format = format_for(out_path, fmt)
    records = [
        {
            "filename": doc["filename"],
            "sha256": doc["sha256"],
            "page_count": doc["page_count"],
            "status": doc["status"],
            "soe_pages": store.soe_pages(doc["sha256"]),
            "document": document_name(doc),
        }
        for doc in store.documents()
    ]
    _write(out_path, export_format, [("soe pages", SOE_PAGE_COLUMNS, records)])
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
        "detector": str(candidate.detector),
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


def _csv_value(value) -> object:
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if value is None:
        return ""
    return value


def _write_csv(path: Path, sheets: list[Sheet]) -> None:
    (_name, columns, records), = sheets  # a CSV file holds one sheet
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = SafeDictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows({key: _csv_value(record[key]) for key in columns} for record in records)


def _write_jsonl(path: Path, sheets: list[Sheet]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for _name, _columns, records in sheets:
            _write_lines(out, records)


def _write_lines(out: TextIO, records: Iterable[dict]) -> None:
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import Workbook  # only an XLSX export needs it

    book = Workbook(write_only=True)
    for name, columns, records in sheets:
        sheet = book.create_sheet(title=name[:31])  # Excel's limit on sheet names
        sheet.append(text_cells(sheet, list(columns)))
        for record in records:
            sheet.append(text_cells(sheet, [_csv_value(record[key]) for key in columns]))
    book.save(path)


def _write(out_path: str | Path, export_format: ExportFormat, sheets: list[Sheet]) -> None:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.name}-", suffix=".part", dir=out_path.parent)
    os.close(handle)
    try:
        export_format.write(Path(temp_name), sheets)
        os.replace(temp_name, out_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


register_format(ExportFormat("csv", "CSV", ".csv", _write_csv))
register_format(ExportFormat("jsonl", "JSON Lines", ".jsonl", _write_jsonl))
register_format(ExportFormat("xlsx", "Excel workbook", ".xlsx", _write_xlsx))
