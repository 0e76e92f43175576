"""Load a labelled corpus directory (the layout of `../shared/corpus`, see its README).

Why: `soe evaluate`, the benchmark and the teacher's fitting script must agree on what a
positive, a negative and a not-scored page is. Layout:
- `<dir>/<name>/protocol.pdf` + `labels.json`: one labelled protocol;
- `<dir>/<folder>/*.pdf` without labels.json (`pdfplumber_fixtures`, `camelot_fixtures`,
  `negatives_clinical`): every page of every PDF is a negative.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from soe_desktop.core.errors import BadInputError

LABELS_FILE = "labels.json"
PROTOCOL_FILE = "protocol.pdf"
CORPUS_ENV = "SOE_CORPUS_DIR"


@dataclass(frozen=True)
class CorpusDocument:
    """One PDF of a corpus and its page labels (1-based)."""

    name: str
    pdf_path: Path
    soe_pages: frozenset[int] = frozenset()
    not_scored_pages: frozenset[int] = frozenset()  # notes-only and secondary schedule pages
    hard_negative_pages: frozenset[int] = frozenset()
    labelled: bool = True  # False for the all-negative folders without labels.json
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def has_soe(self) -> bool:
        return bool(self.soe_pages)

    def is_scored(self, page: int) -> bool:
        return page not in self.not_scored_pages


def default_corpus_dir() -> Path:
    """`$SOE_CORPUS_DIR`, else `<repo>/../shared/corpus`."""
    if os.environ.get(CORPUS_ENV):
        return Path(os.environ[CORPUS_ENV])
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"


def _pages(labels: dict, key: str) -> frozenset[int]:
    return frozenset(int(page) for page in labels.get(key) or [])


def load_labelled_document(folder: Path) -> CorpusDocument:
    """One `<name>/labels.json` folder; the PDF is `labels['pdf']` or protocol.pdf."""
    try:
        labels = json.loads((folder / LABELS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInputError(f"{folder.name}/{LABELS_FILE}: cannot be read ({error})") from None
    if labels.get("pages_1based") is False:
        raise BadInputError(f"{folder.name}/{LABELS_FILE}: only 1-based page labels are supported")
    pdf_path = folder / labels.get("pdf", PROTOCOL_FILE)
    not_scored = _pages(labels, "soa_notes_only_pages") | _pages(labels, "secondary_schedule_pages")
    return CorpusDocument(
        name=folder.name,
        pdf_path=pdf_path,
        soe_pages=_pages(labels, "soa_table_pages"),
        not_scored_pages=not_scored,
        hard_negative_pages=_pages(labels, "hard_negative_pages"),
        labelled=True,
        meta={key: labels.get(key) for key in ("confidence", "sponsor", "identity") if key in labels},
    )


def _negative_documents(folder: Path) -> list[CorpusDocument]:
    return [
        CorpusDocument(name=f"{folder.name}/{pdf.name}", pdf_path=pdf, labelled=False)
        for pdf in sorted(folder.glob("*.pdf"))
    ]


def load_corpus(
    directory: str | Path, include_negatives: bool = True, names: Optional[set[str]] = None
) -> list[CorpusDocument]:
    """Every document of a corpus dir, sorted by name; raises BadInputError when there is none."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BadInputError(f"{directory}: not a directory")
    documents: list[CorpusDocument] = []
    for folder in sorted(path for path in directory.iterdir() if path.is_dir()):
        if (folder / LABELS_FILE).exists():
            documents.append(load_labelled_document(folder))
        elif include_negatives:
            documents.extend(_negative_documents(folder))
    if names is not None:
        documents = [doc for doc in documents if doc.name in names]
    if not documents:
        raise BadInputError(f"{directory}: no labelled documents (expected <name>/{PROTOCOL_FILE} + {LABELS_FILE})")
    return documents
