"""Drafting tools for the validation grid truths (grids nobody tunes the extractor on).

    .venv/bin/python benchmarks/grid_truth/draft_validation.py survey [CORPUS_DIR]
    .venv/bin/python benchmarks/grid_truth/draft_validation.py render FOLDER PAGE... [--scale 2]
        [--crop X0,TOP,X1,BOTTOM] [--corpus DIR]
    .venv/bin/python benchmarks/grid_truth/draft_validation.py draft FOLDER PAGE... [--sideways] [--corpus DIR]
    .venv/bin/python benchmarks/grid_truth/draft_validation.py build validation/FOLDER.txt [--corpus DIR]
    .venv/bin/python benchmarks/grid_truth/draft_validation.py check [validation/FOLDER.json ...] [--corpus DIR]

- survey: per labelled SoE page of the corpus, the traits the tuned grids lack (fill rectangles by
  colour, thin rules, non-upright glyphs, text layer size, images, horizontal rules reaching past
  the outermost verticals), to choose the grids.
- render: pages as PNG (pypdfium2) under /tmp/soe_validation/ (never in the repository); --crop
  renders a region (PDF points, top-left origin of the upright page) at the scale, to read narrow
  columns; --sideways turns the image a quarter clockwise so a grid drawn up the page reads across.
- draft: the page text from pypdfium2 (not the project's extractor): words binned into lines, each
  printed with its x position, then a first positional draft in the transcription format below
  (columns = clusters of short mark tokens). The draft is only a start: every name, label and mark
  is then checked against the rendered page and corrected by hand.
- build: the hand-checked transcription (a `.txt` kept beside the JSON) into the grid JSON shape that
  `core.evaluation.grid_metrics.score_grid` reads (see README.md). A row must give one token per
  column of its page, so a skipped cell is an error, not a silent shift.
- check: per page, the mark tokens of the text layer (X, x, •, ▲, with a glued ref letter or
  asterisks) against the single-symbol marks of the truth's rows printed only on that page; a
  difference must be explained (a merged cell marked in several columns, a ref letter 'x', an arrow).

Transcription format (one directive per line, `#` starts a comment line):
    document: FOLDER            pages: 11 12          caption: text printed above the grid
    layout: feature; feature    note: text            doubt: text (goes to `unverified`)
    column c1 = Label | lower header level {refs}
    page 11: c1 c2 c3           (the columns printed on that page, left to right)
    section Name {refs}         (rows below belong to it; `section -` ends it)
    Activity name {refs} | tok tok tok
A token is `.` (empty), a mark (`X`, `P,~2~h`: `~` stands for a space) optionally followed by
`{a,b}` cell refs, or `{a}` alone (a ref in an empty cell). A row printed on two pages is written on
each page with the same name; its marks and pages are merged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pypdfium2

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
OUT = Path("/tmp/soe_validation")
TUNED = {"d4k_Alexion_NCT04573309_Wilsons", "d4k_CDISC_Pilot", "d4k_EliLilly_NCT03421379_Diabetes",
         "d4k_Roche_NCT04320615_COVID", "d4k_Sanofi_NCT03637764_Oncology"}
MARK_TOKENS = {"X", "x", "•", "●", "✓", "√", "P", "C", "O", "Xa", "(X)"}


def survey(corpus: Path) -> None:
    import pdfplumber

    for folder in sorted(p for p in corpus.iterdir() if (p / "labels.json").is_file() and p.name not in TUNED):
        pages = json.loads((folder / "labels.json").read_text(encoding="utf-8")).get("soa_table_pages") or []
        if not pages:
            continue
        with pdfplumber.open(folder / "protocol.pdf") as pdf:
            for number in pages:
                page = pdf.pages[number - 1]
                fills = Counter()
                for rect in page.rects:
                    kind = "rule" if min(rect["width"], rect["height"]) < 2 else "fill"
                    fills[f"{kind}:{_colour(rect.get('non_stroking_color'))}"] += 1
                sideways = sum(1 for c in page.chars if not c.get("upright"))
                print(f"{folder.name} p{number} {page.width:.0f}x{page.height:.0f} chars={len(page.chars)} "
                      f"sideways={sideways} images={len(page.images)} rects={dict(fills.most_common(4))}"
                      f"{' OUTER-RULES-MISSING' if _rules_overhang(page) else ''}")


def _rules_overhang(page) -> bool:
    """Horizontal rules that reach past the outermost vertical rules: a grid drawn without (some
    of) its outer verticals."""
    horizontal = [e for e in page.edges if e["orientation"] == "h" and e["width"] > 3]
    vertical = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 3]
    if not horizontal or not vertical:
        return False
    left, right = min(e["x0"] for e in vertical), max(e["x0"] for e in vertical)
    return min(e["x0"] for e in horizontal) < left - 4 or max(e["x1"] for e in horizontal) > right + 4


def _colour(value) -> str:
    if isinstance(value, (list, tuple)):
        return "/".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def render(corpus: Path, folder: str, pages: list[int], scale: float, crop: str, sideways: bool = False) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(str(corpus / folder / "protocol.pdf"))
    for number in pages:
        image = document[number - 1].render(scale=scale).to_pil()
        suffix = ""
        if crop:
            x0, top, x1, bottom = (float(v) for v in crop.split(","))
            image = image.crop((int(x0 * scale), int(top * scale), int(x1 * scale), int(bottom * scale)))
            suffix = "_crop" + "_".join(str(int(float(v))) for v in crop.split(","))
        if sideways:  # turn the page so the sideways grid reads left to right
            image = image.rotate(-90, expand=True)
            suffix += "_turned"
        target = OUT / f"{folder}_p{number}_s{scale:g}{suffix}.png"
        image.save(target)
        print(target)
    document.close()


def page_words(page, sideways: bool) -> list[tuple[float, float, float, float, str]]:
    """Words as (x0, top, x1, bottom, text) in the reading frame (top-left origin, points).

    Characters come from pypdfium2's text page (it reads sideways glyphs in order); on a sideways
    page (text running up an upright page) the frame is turned so the text reads left to right."""
    height = page.get_height()
    textpage = page.get_textpage()
    boxes = []
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        left, bottom, right, top = textpage.get_charbox(i)
        if sideways:  # text runs bottom to top: reading x grows as y grows; lines stack left to right
            box = (bottom, left, top, right)
        else:
            box = (left, height - top, right, height - bottom)
        boxes.append((box, char))
    textpage.close()
    words, current, last = [], [], None
    for box, char in boxes:
        gap = last is not None and (box[0] - last[2] > 1.5 or abs(box[1] - last[1]) > 3)
        if char.isspace() or char in "\r\n\x00" or gap:
            if current:
                words.append(_word(current))
            current = [] if char.isspace() or char in "\r\n\x00" else [(box, char)]
        else:
            current.append((box, char))
        last = box if not char.isspace() else None
    if current:
        words.append(_word(current))
    return words


def _word(chars) -> tuple[float, float, float, float, str]:
    return (min(b[0] for b, _ in chars), min(b[1] for b, _ in chars), max(b[2] for b, _ in chars),
            max(b[3] for b, _ in chars), "".join(c for _, c in chars))


def lines_of(words) -> list[list[tuple]]:
    """Words binned into lines by vertical overlap, each line left to right."""
    lines: list[list[tuple]] = []
    for word in sorted(words, key=lambda w: (w[1], w[0])):
        middle = (word[1] + word[3]) / 2
        for line in lines:
            if line[0][1] - 1 <= middle <= line[0][3] + 1:
                line.append(word)
                break
        else:
            lines.append([word])
    return [sorted(line) for line in lines]


def draft(corpus: Path, folder: str, pages: list[int], sideways: bool, given: str = "") -> None:
    document = pypdfium2.PdfDocument(str(corpus / folder / "protocol.pdf"))
    print(f"document: {folder}\npages: {' '.join(map(str, pages))}")
    for number in pages:
        lines = lines_of(page_words(document[number - 1], sideways))
        print(f"\n# ---- page {number}: {len(lines)} lines (x positions in points) ----")
        for line in lines:
            print("# " + "  ".join(f"[{w[0]:.0f}]{w[4]}" for w in line))
        centres = sorted((w[0] + w[2]) / 2 for line in lines for w in line if w[4] in MARK_TOKENS)
        columns = [float(v) for v in given.split(",")] if given else _clusters(centres)
        print(f"page {number}: " + " ".join(f"c{j + 1}" for j in range(len(columns))))
        for line in lines:
            name = " ".join(w[4] for w in line if (w[0] + w[2]) / 2 < (columns[0] - 8 if columns else 1e9))
            tokens = ["."] * len(columns)
            for w in line:
                centre = (w[0] + w[2]) / 2
                if columns and centre >= columns[0] - 8:
                    j = min(range(len(columns)), key=lambda k: abs(columns[k] - centre))
                    tokens[j] = w[4].replace(" ", "~") if tokens[j] == "." else tokens[j] + "~" + w[4]
            if any(t != "." for t in tokens) and name:
                print(f"{name} | {' '.join(tokens)}")
    document.close()


def _clusters(values: list[float], gap: float = 6.0) -> list[float]:
    groups: list[list[float]] = []
    for value in values:
        if groups and value - groups[-1][-1] <= gap:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups if len(g) >= 2]


_REFS = re.compile(r"\s*\{([^}]*)\}\s*$")


def split_refs(text: str) -> tuple[str, list[str]]:
    match = _REFS.search(text)
    if not match:
        return text.strip(), []
    return text[:match.start()].strip(), [r.strip() for r in match.group(1).split(",") if r.strip()]


def build(source: Path, corpus: Path) -> Path:
    meta = {"notes": [], "doubts": [], "layout": []}
    columns, rows, by_name = {}, [], {}
    page, page_columns, section = None, [], None
    for number, raw in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source.name}:{number}"
        if m := re.match(r"(document|pages|caption|layout|note|doubt):\s*(.*)$", line):
            key, value = m.groups()
            if key in ("note", "doubt"):
                meta[key + "s"].append(value)
            elif key == "layout":
                meta["layout"] += [v.strip() for v in value.split(";") if v.strip()]
            else:
                meta[key] = value
        elif m := re.match(r"column\s+(\w+)\s*=\s*(.*)$", line):
            label, refs = split_refs(m.group(2))
            columns[m.group(1)] = {"id": m.group(1), "label": label, "pages": [], "footnote_refs": refs}
        elif m := re.match(r"page\s+(\d+):\s*(.*)$", line):
            page, page_columns = int(m.group(1)), m.group(2).split()
            for cid in page_columns:
                if cid not in columns:
                    raise SystemExit(f"{where}: unknown column {cid}")
                columns[cid]["pages"].append(page)
        elif m := re.match(r"section\s+(.*)$", line):
            name, refs = split_refs(m.group(1))
            section = None if name == "-" else name
            if refs:
                meta.setdefault("section_refs", {})[name] = refs
        elif "|" in line:
            if page is None:
                raise SystemExit(f"{where}: a row before any 'page N:' line")
            name_part, tokens_part = line.split("|", 1)
            name, refs = split_refs(name_part)
            tokens = tokens_part.split()
            if len(tokens) != len(page_columns):
                raise SystemExit(f"{where}: {len(tokens)} tokens for {len(page_columns)} columns: {line}")
            row = by_name.get((name, section))
            if row is None:
                row = {"activity": name, "section": section, "footnote_refs": refs, "marks": {},
                       "cell_refs": {}, "pages": []}
                by_name[(name, section)] = row
                rows.append(row)
            if page not in row["pages"]:
                row["pages"].append(page)
            for cid, token in zip(page_columns, tokens):
                value, cell_refs = split_refs(token)
                if value and value != ".":
                    row["marks"][cid] = value.replace("~", " ")
                if cell_refs:
                    row["cell_refs"][cid] = cell_refs
        else:
            raise SystemExit(f"{where}: cannot read: {line}")
    folder = meta["document"]
    pdf = corpus / folder / "protocol.pdf"
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest() if pdf.is_file() else None
    marks = sum(len(r["marks"]) for r in rows)
    grid = {
        "document": folder, "sha256": sha, "pages": [int(p) for p in meta["pages"].split()],
        "caption": meta.get("caption"),
        "columns": list(columns.values()), "rows": rows, "footnotes": {},
        "section_refs": meta.get("section_refs", {}),
        "summary": {"activities": len(rows), "columns": len(columns), "marks": marks},
        "layout": meta["layout"], "notes": meta["notes"],
        "verification": ("Transcribed by hand from the pages rendered with pypdfium2 (scale 2, crops at "
                         "scale 3-4 for narrow columns), starting from this script's text-layer draft "
                         "(not the project's extractor); every activity name, column label and cell "
                         f"checked against the images. Source: {source.name}."),
        "unverified": meta["doubts"],
    }
    target = source.with_suffix(".json")
    target.write_text(json.dumps(grid, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target}: {len(rows)} activities, {len(columns)} columns, {marks} marks")
    return target


_MARK_TOKEN = re.compile(r"[Xx•▲]([a-z](,[a-z])*|\*+)?")


def check(paths: list[Path], corpus: Path) -> None:
    for path in paths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        pdf = corpus / truth["document"] / "protocol.pdf"
        if not pdf.is_file():
            continue
        document = pypdfium2.PdfDocument(str(pdf))
        sideways = any("sideways" in trait for trait in truth.get("layout", []))
        for number in truth["pages"]:
            tokens = sum(1 for w in page_words(document[number - 1], sideways) if _MARK_TOKEN.fullmatch(w[4]))
            marks = sum(1 for r in truth["rows"] if r["pages"] == [number]
                        for v in r["marks"].values() if v.strip() in ("X", "x", "•", "▲"))
            flag = "" if tokens == marks else "  <- explain"
            print(f"{truth['document'][:40]:40} p{number}: text-layer mark tokens {tokens:4d}, truth marks {marks:4d}{flag}")
        document.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("survey")
    s.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    for name in ("render", "draft"):
        p = sub.add_parser(name)
        p.add_argument("folder")
        p.add_argument("pages", nargs="+", type=int)
        p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
        p.add_argument("--scale", type=float, default=2.0)
        p.add_argument("--crop", default="")
        p.add_argument("--sideways", action="store_true", help="text runs up an upright page")
        p.add_argument("--columns", default="", help="draft: column x centres (read off the header) "
                       "instead of clusters of mark tokens")
    c = sub.add_parser("check")
    c.add_argument("truths", nargs="*")
    c.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    b = sub.add_parser("build")
    b.add_argument("source")
    b.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if args.command != "build" and not corpus.is_dir():
        print(f"skipped: no corpus at {corpus}")
        return 0
    if args.command == "survey":
        survey(corpus)
    elif args.command == "render":
        render(corpus, args.folder, args.pages, args.scale, args.crop, args.sideways)
    elif args.command == "draft":
        draft(corpus, args.folder, args.pages, args.sideways, args.columns)
    elif args.command == "check":
        check([Path(t) for t in args.truths] or sorted((HERE / "validation").glob("*.json")), corpus)
    else:
        build(Path(args.source), corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
