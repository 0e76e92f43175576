"""Which documents the shipped page model was fitted on, by sha256.

Why: the heuristic teacher's page model was fitted on every document of the development corpus, so
on those documents it scores a training score, not what a user gets. The promotion gate must never
judge a new student against it there (after a team imports the corpus' page labels as reviews,
teacher and student both score 1.000 on them and the gate cannot tell them apart). The list ships
with the weights; `page_model_fit --write` rewrites both.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

FITTED_DOCUMENTS_PATH = Path(__file__).with_name("page_model_documents.json")
_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def page_model_documents() -> frozenset[str]:
    """sha256 of every document the shipped page model was fitted on (empty when the list is missing)."""
    try:
        data = json.loads(FITTED_DOCUMENTS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset()
    return frozenset(data.get("sha256", []))


def write_page_model_documents(paths: Iterable[str | Path], note: str) -> Path:
    """Record the fitting documents of newly written weights (their sha256, never their names or text)."""
    hashes = sorted({file_sha256(path) for path in paths})
    FITTED_DOCUMENTS_PATH.write_text(json.dumps({"note": note, "sha256": hashes}, indent=1) + "\n", encoding="utf-8")
    page_model_documents.cache_clear()
    return FITTED_DOCUMENTS_PATH
