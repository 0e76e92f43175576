"""Read the corpus's USDM ground truth as grids in the `soe grid --json` shape.

    .venv/bin/python benchmarks/grid_truth/seed.py [CORPUS_DIR] [--out /tmp/grid_seed]

Two readings of each of the five `gt_usdm/` folders:
- `xlsx_grid`: the `mainTimeline` sheet (rows 1-8 column headers, row 8 the encounter of each
  column, activities from row 10, `X` / `-` cells). This seeded the hand-corrected transcriptions
  in this folder (`<corpus folder>.json`), which were then checked cell by cell against the
  rendered pages; rerunning this script writes seeds under --out and never touches them.
- `usdm_grid`: the USDM JSON's main timeline (activities x scheduled activity instances that
  have an encounter). The grid benchmark scores the extractor against it "for information".
USDM 4.0 files keep the design at `study.versions[0].studyDesigns[0]`; the Roche file uses the
older 1.x keys (`study.studyDesigns[0]`, `studyScheduleTimelines`, `scheduleTimelineInstances`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import openpyxl

HEADER_ROWS = 8  # rows 1-8: column headers; row 8 links each column to an encounter
FIRST_ACTIVITY_ROW = 10
FIRST_COLUMN = 4  # columns A-C hold parent activity, child activity, BC/procedure
# Header rows (titled in column C) that name a column as printed; USDM 4.0 sheets and the older
# Roche sheet title them differently.
LABEL_ROW_TITLES = ("epoch", "label", "timing")


def ground_truth_files(folder: Path) -> tuple[Path, Path]:
    """(json, xlsx) of one corpus folder's gt_usdm/ (the Sanofi folder also holds an excerpt PDF)."""
    gt = folder / "gt_usdm"
    return next(gt.glob("*.json")), next(gt.glob("*.xlsx"))


def xlsx_grid(path: Path) -> dict:
    """The mainTimeline sheet as a grid; a column label joins its non-empty header cells."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["mainTimeline"]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = max(len(row) for row in table)
    table = [row + [None] * (width - len(row)) for row in table]
    titles = [_text(table[i][FIRST_COLUMN - 2]).casefold() for i in range(HEADER_ROWS)]
    label_rows = [i for i, title in enumerate(titles) if title in LABEL_ROW_TITLES] or range(HEADER_ROWS - 1)
    columns = []
    for j in range(FIRST_COLUMN - 1, width):
        header = [_text(table[i][j]) for i in range(HEADER_ROWS)]
        if not any(header):
            continue
        label = " | ".join(dict.fromkeys(header[i] for i in label_rows if header[i] not in ("", "-")))
        columns.append({"id": f"c{len(columns) + 1}", "label": label, "encounter": header[-1] or None,
                        "_index": j})
    rows, section = [], None
    for line in table[FIRST_ACTIVITY_ROW - 1:]:
        parent, child = _text(line[0]), _text(line[1])
        if parent and parent != "-" and not child:
            section = parent
            continue
        if not child:
            continue
        marks = {c["id"]: _text(line[c["_index"]]) for c in columns
                 if _text(line[c["_index"]]) not in ("", "-")}
        rows.append({"activity": child, "section": section, "footnote_refs": [], "marks": marks,
                     "cell_refs": {}})
    for column in columns:
        column.pop("_index")
    return {"columns": columns, "rows": rows, "footnotes": {}}


def usdm_design(data: dict) -> dict:
    study = data["study"]
    if "versions" in study:
        return study["versions"][0]["studyDesigns"][0]
    return study["studyDesigns"][0]


def usdm_grid(path: Path) -> dict:
    """The JSON's main timeline: one column per scheduled activity instance with an encounter."""
    design = usdm_design(json.loads(Path(path).read_text(encoding="utf-8")))
    timelines = design.get("scheduleTimelines") or design.get("studyScheduleTimelines") or []
    main = next((t for t in timelines if t.get("mainTimeline")), timelines[0])
    instances = main.get("instances") or main.get("scheduleTimelineInstances") or []
    encounters = {e["id"]: e for e in design.get("encounters", [])}
    activities = design.get("activities", [])
    columns, marked = [], {}
    for instance in instances:
        encounter_id = instance.get("encounterId") or instance.get("scheduledActivityInstanceEncounterId")
        if not encounter_id:
            continue  # decision and exit nodes are not printed columns
        encounter = encounters.get(encounter_id, {})
        parts = [encounter.get("label") or encounter.get("name"), instance.get("label") or instance.get("name")]
        cid = f"c{len(columns) + 1}"
        columns.append({"id": cid, "label": " | ".join(dict.fromkeys(p for p in parts if p)),
                        "encounter": encounter_id})
        for activity_id in instance.get("activityIds", []):
            marked.setdefault(activity_id, {})[cid] = "X"
    rows = [{"activity": a.get("label") or a.get("name"), "section": None, "footnote_refs": [],
             "marks": marked[a["id"]], "cell_refs": {}} for a in activities if a["id"] in marked]
    return {"columns": columns, "rows": rows, "footnotes": {}}


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[3] / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=Path("/tmp/grid_seed"))
    args = parser.parse_args(argv)
    folders = sorted(p.parent for p in args.corpus.glob("*/gt_usdm")) if args.corpus.is_dir() else []
    if not folders:
        print(f"no USDM ground truth under {args.corpus}: nothing to seed")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        json_path, xlsx_path = ground_truth_files(folder)
        for kind, grid in (("xlsx", xlsx_grid(xlsx_path)), ("usdm", usdm_grid(json_path))):
            target = args.out / f"{folder.name}.{kind}.json"
            target.write_text(json.dumps(grid, indent=1, ensure_ascii=False), encoding="utf-8")
            marks = sum(len(r["marks"]) for r in grid["rows"])
            print(f"{folder.name:40s} {kind:4s} {len(grid['rows']):3d} activities "
                  f"{len(grid['columns']):3d} columns {marks:4d} marks -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
