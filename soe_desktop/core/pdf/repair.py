"""Repair on open: read damaged PDFs the way viewers do.

When pdfium refuses a file (truncated, broken cross-reference table) or cannot load some of its
pages, qpdf (through pikepdf) rewrites a copy: opening rebuilds the cross-reference table by
scanning the objects, and saving writes a clean file pdfium, pdfplumber and camelot all read.
The copy is what the rest of the pipeline reads; the original bytes are never changed and keep
the document's fingerprint.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pikepdf
import pypdfium2 as pdfium

from soe_desktop.core.errors import BadInputError, DamagedPdfError
from soe_desktop.core.pdf.ingest import encrypted_message, open_pdfium, sha256_of

log = logging.getLogger(__name__)

REPAIRED_FOLDER = "soe-desktop-repaired"  # under the system temp folder when no folder is given


@dataclass
class OpenedPdf:
    """A pdfium handle on the file actually read: the original, or its repaired copy."""

    pdf: pdfium.PdfDocument
    path: Path
    repaired: bool = False

    def close(self) -> None:
        self.pdf.close()


def repaired_path(original: Path, folder: Optional[str | Path] = None, sha256: str = "") -> Path:
    """Where the repaired copy of `original` goes: `<folder>/<sha256>.pdf` (the fingerprint of
    the damaged bytes, so the same file is repaired once), default the system temp folder."""
    folder = Path(folder) if folder else Path(tempfile.gettempdir()) / REPAIRED_FOLDER
    return folder / f"{sha256 or sha256_of(original)}.pdf"


def repair_copy(original: Path, target: Path, name: str = "") -> Path:
    """Write qpdf's repair of `original` to `target` (atomically); BadInputError when qpdf cannot
    make a PDF of it either. An existing repaired copy is reused."""
    name = name or original.name
    if target.is_file() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".repair-", suffix=".part", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        with pikepdf.open(original) as pdf:  # qpdf reconstructs a broken xref while opening
            if len(pdf.pages) == 0:
                raise BadInputError(f"{name}: the PDF is damaged and no page could be recovered")
            pdf.save(temp)  # without encryption: an owner password alone is dropped
        os.replace(temp, target)
    except pikepdf.PasswordError:
        raise BadInputError(encrypted_message(name)) from None
    except (pikepdf.PdfError, RuntimeError, ValueError, OSError) as error:
        log.warning("qpdf could not repair %s: %s", name, error)
        raise BadInputError(f"{name}: the PDF is damaged beyond repair ({_reason(error)})") from None
    finally:
        temp.unlink(missing_ok=True)
    log.info("repaired %s with qpdf into %s", name, target)
    return target


def _reason(error: Exception) -> str:
    """qpdf's message without the file path it starts with."""
    text = " ".join(str(error).split())
    head, sep, tail = text.partition(": ")
    text = tail if sep and ("/" in head or "\\" in head) else text
    return text if len(text) <= 120 else text[:117] + "..."


def open_repaired(original: Path, target: Path, name: str = "") -> OpenedPdf:
    """Repair `original` into `target` and open the copy with pdfium."""
    copy = repair_copy(original, target, name)
    try:
        return OpenedPdf(open_pdfium(copy), copy, repaired=True)
    except BadInputError:
        raise BadInputError(f"{name or original.name}: the PDF is damaged beyond repair") from None


def open_or_repair(path: str | Path, target: Optional[Callable[[], Path]] = None, name: str = "") -> OpenedPdf:
    """pdfium's handle on `path`, or on its repaired copy when pdfium refuses the file as damaged
    (written where `target()` says, default `repaired_path`: asked only then, as it may need the
    file's fingerprint). Missing, empty, non-PDF and password-protected files are refused as they
    are: qpdf cannot help them."""
    path = Path(path)
    try:
        return OpenedPdf(open_pdfium(path), path)
    except DamagedPdfError as error:
        log.info("pdfium refused %s (%s); trying qpdf's repair", path.name, error)
        return open_repaired(path, target() if target else repaired_path(path), name or path.name)
