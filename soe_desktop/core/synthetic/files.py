"""Ready-made files: the first-run sample, a small labelled corpus, and broken inputs."""

from __future__ import annotations

import json
import random
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import damaged as D
from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.generator import write_protocol
from soe_desktop.core.synthetic.raster import render_table_image
from soe_desktop.core.synthetic.tables import build_soe_grid, register_fonts
from soe_desktop.core.synthetic.truth import SyntheticTruth

SAMPLE_SEED = 2024
SAMPLE_PROSE_PAGES = 16


def write_sample_protocol(path) -> SyntheticTruth:
    """The protocol the app opens on first run (about 35 pages, every hard case, X marks)."""
    return write_protocol(path, seed=SAMPLE_SEED, prose_pages=SAMPLE_PROSE_PAGES, image_only_soe=True,
                          borderless=True, mark_style="X")


def write_corpus_dir(directory, n_documents: int = 3, seed: int = 0) -> list[Path]:
    """A corpus in the layout of ../shared/corpus: `<dir>/<name>/protocol.pdf` + `labels.json`.

    Returns the protocol.pdf paths. The last document (when there are two or more) has no SoE,
    the second one adds a borderless SoE page; lengths and mark styles vary with the seed.
    """
    rng = random.Random(seed)
    paths = []
    for index in range(n_documents):
        folder = Path(directory) / f"synthetic_{seed:04d}_{index:02d}"
        pdf = folder / "protocol.pdf"
        truth = write_protocol(pdf, seed=seed * 1000 + index, prose_pages=rng.randint(4, 14),
                               image_only_soe=index != 2, borderless=index == 1,
                               include_soe=not (n_documents > 1 and index == n_documents - 1))
        (folder / "labels.json").write_text(json.dumps(truth.to_labels_json(), indent=1))
        paths.append(pdf)
    return paths


def write_bad_inputs(directory, large: bool = False) -> dict[str, Path]:
    """The bad-input corpus (docs/RELIABILITY.md), by kind: files that must be refused with one
    line (empty, not a PDF, truncated before its catalog, user password, a directory, a file
    gone since it was queued) or read, repaired or flagged (truncated late, broken xref, owner
    password only, image-only pages, a 0 x 0 and a 200-inch page, odd file names). `large` adds
    a 1,000-page PDF and a page of 50,000 tiny text objects (a few seconds to write)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.pdf" for name in ("empty", "not_pdf", "encrypted", "image_only")}
    paths["empty"].write_bytes(b"")
    paths["not_pdf"].write_text("Protocol ABC-123\nThis is a plain text file with a .pdf name.\n")
    whole = D.write_small_protocol(directory / "_whole.pdf")
    data = whole.read_bytes()
    for percent in D.TRUNCATIONS:
        paths[f"truncated_{percent}"] = _write(directory / f"truncated_{percent}.pdf", D.truncated(data, percent))
    paths["broken_xref"] = _write(directory / "broken_xref.pdf", D.broken_xref(data))
    paths["owner_password"] = D.write_owner_password_only(whole, directory / "owner_password.pdf")
    paths["zero_size_page"] = D.write_page_sizes(whole, directory / "zero_size_page.pdf", [[0, 0, 0, 0]])
    paths["huge_page"] = D.write_page_sizes(whole, directory / "huge_page.pdf", [[0, 0, 14400, 14400]])
    paths["unloadable_page"] = D.write_unloadable_page(whole, directory / "unloadable_page.pdf", 2)
    for kind, path in D.odd_names(directory).items():
        paths[kind] = _write(path, data)
    paths["vanished"] = _write(directory / "vanished.pdf", data)
    paths["vanished"].unlink()  # queued, then deleted before it was read
    paths["directory"] = directory / "folder.pdf"
    paths["directory"].mkdir(exist_ok=True)
    whole.unlink()
    _write_encrypted(paths["encrypted"])
    _write_image_only(paths["image_only"])
    if large:
        paths["pages_1000"] = D.write_many_pages(directory / "pages_1000.pdf", 1000)
        paths["many_objects"] = D.write_many_text_objects(directory / "many_objects.pdf", 50_000)
    return paths


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _write_encrypted(path: Path) -> None:
    register_fonts()
    encryption = StandardEncryption("user-secret", ownerPassword="owner-secret", canPrint=0)
    canvas = Canvas(str(path), pagesize=LETTER, encrypt=encryption, invariant=1)
    P.draw_prose(canvas, "1.3 Schedule of Activities", random.Random(1))
    canvas.showPage()
    canvas.save()


def _write_image_only(path: Path) -> None:
    """Two scanned-looking pages: a picture of an SoE grid and a picture of a prose-free grid."""
    register_fonts()
    grid = build_soe_grid(random.Random(3), "X", visit_count=10)
    canvas = Canvas(str(path), pagesize=P.LANDSCAPE, invariant=1)
    for spec, caption in zip(grid.chunks(2), ("Table 1 Schedule of Activities", "Table 1 (continued)")):
        P.draw_image_page(canvas, render_table_image(spec, caption), P.LANDSCAPE)
        canvas.showPage()
    canvas.save()
