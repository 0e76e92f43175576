"""The app's own copy of each PDF, so the user's original can move or vanish and nothing is lost."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import hashlib

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.pdf.ingest import sha256_of

_CHUNK = 1 << 20


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


def store_copy(src: Path, documents_dir: Path) -> tuple[Path, str]:
    """Copy `src` into `documents_dir` as `<sha256>.pdf`, fingerprinting it while copying: an ingest
    reads the bytes once. Atomic (temp file + rename); an existing copy of the same bytes is kept.
    Returns (stored path, sha256)."""
    src = Path(src)
    if not src.is_file():
        raise BadInputError(f"{src.name}: file not found" if not src.exists() else f"{src.name}: not a file")
    documents_dir = Path(documents_dir)
    documents_dir.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".part", dir=documents_dir)
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, open(src, "rb") as source:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        target = stored_pdf_path(documents_dir, sha256)
        if target.exists():
            temp.unlink()
        else:
            os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise BadInputError(f"{src.name}: cannot be read ({error.strerror or error})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target, sha256
