"""Ready-made files: the first-run sample, a small labelled corpus, and broken inputs."""

from __future__ import annotations

import json
import random
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

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


def write_bad_inputs(directory) -> dict[str, Path]:
    """Files that must be refused (or flagged) cleanly: empty, not a PDF, truncated, encrypted
    with a user password, and a PDF whose pages are only images (no text layer)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.pdf" for name in ("empty", "not_pdf", "truncated", "encrypted", "image_only")}
    paths["empty"].write_bytes(b"")
    paths["not_pdf"].write_text("Protocol ABC-123\nThis is a plain text file with a .pdf name.\n")
    whole = directory / "_whole.pdf"
    write_protocol(whole, seed=7, prose_pages=0, image_only_soe=False)
    data = whole.read_bytes()
    paths["truncated"].write_bytes(data[: len(data) // 2])
    whole.unlink()
    _write_encrypted(paths["encrypted"])
    _write_image_only(paths["image_only"])
    return paths


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
