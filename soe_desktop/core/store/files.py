"""The app's own copy of each PDF, so the user's original can move or vanish and nothing is lost."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.pdf.ingest import sha256_of


def stored_pdf_path(documents_dir: Path, sha256: str) -> Path:
    """Where the copy of a document lives: `<documents_dir>/<sha256>.pdf`."""
    return Path(documents_dir) / f"{sha256}.pdf"


def keep_copy(src: Path, documents_dir: Path, sha256: str) -> Path:
    """Copy `src` to `<documents_dir>/<sha256>.pdf` atomically (temp file + rename); no-op if present.

    The copy is checked against `sha256`, so a file that changed since it was fingerprinted is
    refused (BadInputError) instead of being stored under the wrong name.
    """
    target = stored_pdf_path(documents_dir, sha256)
    if target.exists():
        return target
    if not Path(src).is_file():
        raise BadInputError(f"{Path(src).name}: file not found")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{sha256[:16]}-", suffix=".part", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, open(src, "rb") as source:
            shutil.copyfileobj(source, out, length=1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if sha256_of(temp) != sha256:
            raise BadInputError(f"{Path(src).name}: the file changed while it was being added; add it again")
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
