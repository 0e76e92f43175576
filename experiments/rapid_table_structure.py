"""rapid-table 0.3.0 (SLANet-plus ONNX, shipped in its wheel, Apache-2.0) as a possible third opinion
on pictured grids: the table structure it predicts on grid page images, against the transcriptions.

rapid-table declares `opencv-python` (the GUI build of OpenCV, which ships Qt plugins of its own), so
it is not a project dependency; this runs in two steps, in two environments:

    .venv/bin/python experiments/rapid_table_structure.py render OUT_DIR [CORPUS_DIR]
    python3 -m venv /tmp/venv-rt && /tmp/venv-rt/bin/pip install rapid-table==0.3.0
    /tmp/venv-rt/bin/python experiments/rapid_table_structure.py score OUT_DIR

`render` crops each transcribed grid page (benchmarks/grid_truth/ and its validation/ folder) to
pdfplumber's largest table and renders it at 200 dpi, as a pictured page would be, with the number
of activities and visits the transcription has on that page. `score` runs the structure model
alone (no OCR), counts the rows (<tr>) and columns (widest row, colspans counted) of its HTML and
reports, per page and in all, the counts against the transcription and the seconds per page.
Nothing is copied into the project: the images stay in OUT_DIR. Skips cleanly without the corpus.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRUTH_DIRS = [REPO / "benchmarks" / "grid_truth", REPO / "benchmarks" / "grid_truth" / "validation"]
DPI = 200
HEADER_ROWS = 4  # a predicted row count this far above the activities is the header's rows


def render(out: Path, corpus: Path) -> int:
    import pdfplumber
    import pypdfium2

    out.mkdir(parents=True, exist_ok=True)
    meta = []
    for truth_file in [f for folder in TRUTH_DIRS for f in sorted(folder.glob("*.json"))]:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        pdf = corpus / truth["document"] / "protocol.pdf"
        if not pdf.is_file():
            continue
        document = pypdfium2.PdfDocument(str(pdf))
        with pdfplumber.open(pdf) as plumber:
            for number in truth["pages"]:
                page = plumber.pages[number - 1]
                tables = page.find_tables()
                if not tables:
                    continue
                box = max(tables, key=lambda t: len(t.cells)).bbox
                scale = DPI / 72
                image = document[number - 1].render(scale=scale).to_pil()
                image = image.crop(tuple(int(v * scale) for v in box))
                name = f"{truth_file.stem}_p{number}.png"
                image.save(out / name)
                meta.append({"image": name, "set": truth_file.parent.name, "portrait": page.width < page.height,
                             "rows": sum(number in (r.get("pages") or []) for r in truth["rows"]),
                             "columns": sum(number in (c.get("pages") or []) for c in truth["columns"])})
        document.close()
    if not meta:
        print(f"skipped: no corpus with the grid-truth protocols at {corpus}")
        return 0
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"{len(meta)} page images in {out}")
    return 0


def _shape(tokens) -> tuple[int, int]:
    html = "".join(tokens)
    widths = []
    for row in html.split("<tr>")[1:]:
        cells = re.findall(r"<td(?: colspan=\"(\d+)\")?", row.split("</tr>")[0])
        widths.append(sum(int(span) if span else 1 for span in cells))
    return html.count("<tr>"), max(widths, default=0)


def score(out: Path) -> int:
    import cv2
    from rapid_table.main import root_dir
    from rapid_table.table_structure import TableStructurer

    meta_file = out / "meta.json"
    if not meta_file.is_file():
        print(f"skipped: run `render {out}` first")
        return 0
    structurer = TableStructurer({"model_path": str(root_dir / "models" / "slanet-plus.onnx"), "use_cuda": False})
    print(f"rapid-table 0.3.0 SLANet-plus structure, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{platform.node()} ({os.cpu_count()} CPUs)\n")
    print("| set | page | activities | visits | predicted rows | predicted columns | s |\n|---|---|---|---|---|---|---|")
    results = []
    for item in json.loads(meta_file.read_text(encoding="utf-8")):
        image = cv2.imread(str(out / item["image"]))
        started = time.perf_counter()
        tokens, _, _ = structurer(copy.deepcopy(image))
        seconds = time.perf_counter() - started
        rows, columns = _shape(tokens)
        results.append((item, rows, columns, seconds))
        print(f"| {item['set']} | {item['image']} | {item['rows']} | {item['columns']} | {rows} | {columns} | {seconds:.2f} |")
    landscape = [r for r in results if not r[0]["portrait"]]
    rows_ok = sum(item["rows"] <= rows <= item["rows"] + HEADER_ROWS for item, rows, _, _ in landscape)
    columns_ok = sum(abs(columns - (item["columns"] + 1)) <= 1 for item, _, columns, _ in landscape)
    print(f"\n{len(landscape)} landscape pages: rows within the header's {HEADER_ROWS} of the activities on "
          f"{rows_ok}, columns within 1 of the visits + the name column on {columns_ok}; "
          f"{sum(r[3] for r in results) / len(results):.2f} s a page (structure only, no OCR)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("render", "score"):
        print(__doc__)
        raise SystemExit(2)
    folder = Path(sys.argv[2])
    if sys.argv[1] == "render":
        sys.path.insert(0, str(REPO))
        from soe_desktop.core.evaluation.corpus import default_corpus_dir

        raise SystemExit(render(folder, Path(sys.argv[3]) if len(sys.argv) > 3 else default_corpus_dir()))
    sys.path.insert(0, str(REPO))
    from benchmarks._history import EXPERIMENTS_LOG, recorded_output

    with recorded_output(EXPERIMENTS_LOG):  # the table goes to the experiments' run log
        raise SystemExit(score(folder))
