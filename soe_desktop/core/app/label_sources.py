"""Page labels kept outside the app, read into one shape: per document, a verdict per page.

Three layouts (`soe import-labels PATH`):
- a folder in the corpus layout: `<name>/protocol.pdf` + `labels.json` (or one such folder). The
  SoE pages are positives, the notes-only and secondary-schedule pages are not scored, every other
  page is a negative (core/evaluation/corpus.py reads it, as `soe evaluate` does);
- a CSV with a header: `file` or `sha256`, `page`, `is_soe` (the app's own label export, whose
  columns are `filename`/`document_sha256`, reads too);
- JSON Lines: one object a line with the same fields.

A CSV/JSONL `is_soe` may be true/false, yes/no, 1/0, soe/not soe; empty, `not scored` or `skip`
mark a page that is not scored. A row that cannot be read is reported and skipped.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.evaluation.corpus import LABELS_FILE, load_corpus, load_labelled_document

TRUE_WORDS = {"true", "yes", "y", "1", "soe", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "not soe", "not_soe", "no soe"}
NOT_SCORED_WORDS = {"", "not scored", "not_scored", "skip", "-", "none", "null", "?"}
FILE_COLUMNS = ("file", "filename", "pdf")
SHA_COLUMNS = ("sha256", "document_sha256")


@dataclass
class DocumentPages:
    """The page verdicts given for one document. `pages`: page -> True/False, or None (not scored);
    `rest_negative`: pages not listed are negatives (the corpus layout); otherwise they are left alone."""

    key: str  # how the source names the document: a sha256 or a file name/path
    by_sha256: bool = False
    pdf_path: Optional[Path] = None  # corpus layout: the PDF, ingested when the library lacks it
    pages: dict[int, Optional[bool]] = field(default_factory=dict)
    rest_negative: bool = False
    where: str = ""  # for messages: the folder, or the first row that named it


@dataclass
class LabelFile:
    """What a PATH holds: the documents' page verdicts and the rows that could not be read."""

    path: Path
    kind: str  # corpus | csv | jsonl
    documents: list[DocumentPages]
    problems: list[str] = field(default_factory=list)


def read_label_file(path: str | Path) -> LabelFile:
    """Read PATH as the layout it has; BadInputError (one line) when it is none of them."""
    path = Path(path)
    if path.is_dir():
        return _read_corpus(path)
    if not path.is_file():
        raise BadInputError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _rows_to_file(path, "csv", _csv_rows(path))
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _rows_to_file(path, "jsonl", _jsonl_rows(path))
    raise BadInputError(f"{path.name}: expected a corpus folder, a .csv or a .jsonl file")


def _read_corpus(folder: Path) -> LabelFile:
    if (folder / LABELS_FILE).exists():
        documents = [load_labelled_document(folder)]
    else:
        documents = load_corpus(folder, include_negatives=False)
    found = []
    for document in documents:
        pages: dict[int, Optional[bool]] = {page: True for page in document.soe_pages}
        pages.update({page: None for page in document.not_scored_pages})
        found.append(DocumentPages(key=document.pdf_path.name, pdf_path=document.pdf_path, pages=pages,
                                   rest_negative=True, where=document.name))
    return LabelFile(folder, "corpus", found)


def _csv_rows(path: Path) -> Iterable[tuple[str, dict | str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise BadInputError(f"{path.name}: empty file (expected a header: file or sha256, page, is_soe)")
            for number, row in enumerate(reader, start=2):
                yield f"{path.name}:{number}", {str(k).strip().lower(): (v or "") for k, v in row.items() if k}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BadInputError(f"{path.name}: cannot be read ({error})") from None


def _jsonl_rows(path: Path) -> Iterable[tuple[str, dict | str]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"{path.name}: cannot be read ({error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except ValueError:
            yield where, "not a JSON object"
            continue
        if not isinstance(row, dict):
            yield where, "not a JSON object"
            continue
        yield where, {str(k).strip().lower(): v for k, v in row.items()}


def parse_verdict(value) -> Optional[bool]:
    """True / False, or None for a page that is not scored; ValueError for anything else."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    if text in NOT_SCORED_WORDS:
        return None
    raise ValueError(f"is_soe {value!r} is not true/false (or empty for a page that is not scored)")


def _document_key(row: dict) -> tuple[str, bool]:
    for column in SHA_COLUMNS:
        if str(row.get(column) or "").strip():
            return str(row[column]).strip().lower(), True
    for column in FILE_COLUMNS:
        if str(row.get(column) or "").strip():
            return str(row[column]).strip(), False
    raise ValueError("no file or sha256")


def _parse_row(row: dict) -> tuple[str, bool, int, Optional[bool]]:
    key, by_sha = _document_key(row)
    try:
        page = int(str(row.get("page", "")).strip())
    except ValueError:
        raise ValueError(f"page {row.get('page')!r} is not a page number") from None
    if page < 1:
        raise ValueError(f"page {page} is not a page number (pages count from 1)")
    if "is_soe" not in row:
        raise ValueError("no is_soe")
    return key, by_sha, page, parse_verdict(row["is_soe"])


def _rows_to_file(path: Path, kind: str, rows: Iterable[tuple[str, dict | str]]) -> LabelFile:
    documents: dict[tuple[str, bool], DocumentPages] = {}
    problems: list[str] = []
    conflicts: set[tuple[str, bool, int]] = set()
    for where, row in rows:
        try:
            if isinstance(row, str):
                raise ValueError(row)
            key, by_sha, page, verdict = _parse_row(row)
        except ValueError as error:
            problems.append(f"{where}: {error}; row skipped")
            continue
        document = documents.setdefault((key, by_sha), DocumentPages(key=key, by_sha256=by_sha, where=where))
        if page in document.pages and document.pages[page] != verdict:
            conflicts.add((key, by_sha, page))
        document.pages[page] = verdict
    for key, by_sha, page in sorted(conflicts):
        documents[(key, by_sha)].pages.pop(page)
        problems.append(f"{path.name}: page {page} of {key} is given two different verdicts; page skipped")
    if not documents and not problems:
        raise BadInputError(f"{path.name}: no rows (expected file or sha256, page, is_soe)")
    return LabelFile(path, kind, list(documents.values()), problems)
