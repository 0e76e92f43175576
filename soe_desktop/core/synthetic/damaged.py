"""Damaged and hostile inputs, generated (never downloaded): the bad-input corpus and a seeded,
bounded mutation fuzzer over a synthetic protocol (docs/RELIABILITY.md).

Every file is made from a synthetic protocol or drawn with reportlab; pikepdf (qpdf) only
rewrites page boxes, encryption and object order, as a PDF producer would.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pikepdf
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.generator import write_protocol

MUTATIONS = ("byte flips", "cut chunk", "truncation", "repeated chunk", "zeroed tail")
TRUNCATIONS = (10, 50, 90)  # percent of the file kept
LONG_NAME_CHARS = 240  # most file systems allow 255 bytes per name


def write_small_protocol(path: Path, seed: int = 7) -> Path:
    """A short protocol with an SoE grid on text pages: the seed of the damaged copies."""
    write_protocol(path, seed=seed, prose_pages=0, image_only_soe=False)
    return path


def truncated(data: bytes, percent: int) -> bytes:
    return data[: len(data) * percent // 100]


def broken_xref(data: bytes) -> bytes:
    """Every cross-reference offset and the startxref pointer made wrong (same length)."""
    head, sep, tail = data.rpartition(b"\nxref\n")
    if not sep:
        return data
    table, _, pointer = tail.rpartition(b"startxref\n")
    entries = bytearray(table)
    for index in range(len(entries) - 17):
        if entries[index + 10:index + 17] == b" 00000 " and entries[index:index + 10].isdigit():
            entries[index:index + 10] = b"%010d" % (int(entries[index:index + 10]) + 7)
    digits, _, rest = pointer.partition(b"\n")
    wrong = b"%0*d" % (len(digits), int(digits) // 2)  # into the middle of some object
    return head + sep + bytes(entries) + b"startxref\n" + wrong + b"\n" + rest


def write_owner_password_only(source: Path, target: Path) -> Path:
    """Encrypted with an owner password and an empty user password: opens without asking."""
    with pikepdf.open(source) as pdf:
        pdf.save(target, encryption=pikepdf.Encryption(owner="owner-secret", user="", allow=pikepdf.Permissions(
            extract=False, modify_other=False)))
    return target


def write_many_pages(path: Path, count: int = 1000) -> Path:
    """`count` short prose pages (page-numbered): a long protocol without layout work."""
    canvas = Canvas(str(path), pagesize=LETTER, invariant=1)
    for number in range(1, count + 1):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, 720, f"Section {number}. Study procedures and assessments, page {number}.")
        canvas.drawString(72, 700, "Participants will be followed up as described in the protocol synopsis.")
        canvas.drawString(300, 40, str(number))
        canvas.showPage()
    canvas.save()
    return path


def write_many_text_objects(path: Path, count: int = 50_000) -> Path:
    """One page holding `count` tiny text objects (each its own BT/ET), in a grid of marks."""
    canvas = Canvas(str(path), pagesize=P.LANDSCAPE, invariant=1)
    columns = 250
    width, height = P.LANDSCAPE
    step_x, step_y = (width - 40) / columns, (height - 40) / (count // columns + 1)
    for index in range(count):
        text = canvas.beginText(20 + (index % columns) * step_x, height - 20 - (index // columns) * step_y)
        text.setFont("Helvetica", 1.5)
        text.textOut("X" if index % 3 else ".")
        canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    return path


def write_page_sizes(source: Path, target: Path, boxes: list[list[float]]) -> Path:
    """`source` with its first pages' MediaBox set to `boxes` (e.g. 0 x 0, 200 x 200 inches)."""
    with pikepdf.open(source) as pdf:
        for page, box in zip(pdf.pages, boxes):
            page.obj.MediaBox = pikepdf.Array(box)
            if "/CropBox" in page.obj:
                del page.obj["/CropBox"]
        pdf.save(target)
    return target


def write_unloadable_page(source: Path, target: Path, index: int = 2) -> Path:
    """`source` whose page `index` (0-based) in the page tree is an array, not a page: pdfium
    lists the document but cannot load that page."""
    with pikepdf.open(source) as pdf:
        pdf.Root.Pages.Kids[index] = pdf.make_indirect(pikepdf.Array([1]))
        pdf.save(target)
    return target


def write_catalog_first(source: Path, target: Path) -> Path:
    """The same protocol rewritten by qpdf: catalog and page tree first, then the pages in order
    (reportlab writes its catalog after the first half of the pages)."""
    with pikepdf.open(source) as pdf:
        pdf.save(target)
    return target


def odd_names(directory: Path) -> dict[str, Path]:
    """Paths for a name that is not UTF-8 (where the file system allows one) and a very long one."""
    found = {"long_name": directory / ("protocol-" + "x" * (LONG_NAME_CHARS - len("protocol-.pdf")) + ".pdf")}
    candidate = Path(os.fsdecode(os.fsencode(directory) + b"/protocol-\xe9\xff.pdf"))
    try:
        candidate.touch()
        found["non_utf8_name"] = candidate
    except (OSError, UnicodeError):  # file systems that insist on Unicode names (macOS, Windows)
        pass
    return found


def mutate(data: bytes, rng: random.Random, kind: str) -> bytes:
    """One damaged copy of `data`: `kind` is one of MUTATIONS."""
    size = len(data)
    buffer = bytearray(data)
    if kind == "byte flips":
        for _ in range(rng.randint(1, 64)):
            buffer[rng.randrange(size)] ^= 1 << rng.randrange(8)
    elif kind == "cut chunk":
        start = rng.randrange(size)
        del buffer[start:start + rng.randint(1, max(size // 10, 1))]
    elif kind == "truncation":
        buffer = buffer[: rng.randint(size // 10, size - 1)]
    elif kind == "repeated chunk":
        start = rng.randrange(size)
        buffer[start:start] = buffer[start:start + rng.randint(1, max(size // 10, 1))]
    elif kind == "zeroed tail":
        start = rng.randint(size // 2, size - 1)
        buffer[start:] = bytes(size - start)
    else:
        raise ValueError(f"unknown mutation {kind!r}; expected one of {MUTATIONS}")
    return bytes(buffer)


@dataclass(frozen=True)
class Mutant:
    index: int
    kind: str
    path: Path


def write_mutants(source: Path, directory: Path, count: int, seed: int = 0) -> Iterator[Mutant]:
    """`count` damaged copies of `source`, the mutations taken in turn, positions from `seed`."""
    directory.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    rng = random.Random(seed)
    for index in range(count):
        kind = MUTATIONS[index % len(MUTATIONS)]
        path = directory / f"mutant_{seed}_{index:03d}.pdf"
        path.write_bytes(mutate(data, rng, kind))
        yield Mutant(index, kind, path)
