"""Grids as CDISC USDM 4.0-shaped JSON, validated against the USDM API schema shipped in schema/.

Only what a printed grid says: each activity row is an `Activity` (its section a parent Activity
listing it in `childIds`), each visit column an `Encounter`, each grid a `ScheduleTimeline` whose
`ScheduledActivityInstance`s (one per column) name the encounter and the activities marked in it;
footnotes become `CommentAnnotation` notes of the design, and of each activity and encounter that
cites them; the grid's caption (its printed title line) is its timeline's `description`. Text
cells ("Optional") are notes of their activity, not scheduled instances.
Required USDM fields the grid cannot fill are left at their emptiest valid value (a timeline's
`entryCondition` is ""), except an encounter's `type`, a required code, which is CDISC C25716
"Visit": what a column of a schedule is.

The document is `{"usdmVersion", "systemName", "systemVersion", "studyDesign": {activities,
encounters, scheduleTimelines, notes}}`: the design's lists exactly as `study.versions[0].
studyDesigns[0]` holds them; the study around them (titles, identifiers, arms) is not in a grid.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Sequence

from jsonschema import Draft202012Validator

from soe_desktop.core.grid.model import MARK, Grid

USDM_VERSION = "4.0.0"
VISIT_CODE = {"code": "C25716", "codeSystem": "http://www.cdisc.org", "codeSystemVersion": "2024-09-27",
              "decode": "Visit"}


class _Ids:
    """USDM ids are `<Class>_<n>`, unique in the document."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}_{self.counts[kind]}"


def _note(ids: _Ids, ref: str, text: str) -> dict:
    return {"id": ids("CommentAnnotation"), "text": f"[{ref}] {text}".strip(), "codes": [],
            "instanceType": "CommentAnnotation"}


def _notes_for(ids: _Ids, refs: Sequence[str], footnotes: dict[str, str]) -> list[dict]:
    return [_note(ids, ref, footnotes[ref]) for ref in dict.fromkeys(refs) if ref in footnotes]


def _chain(items: list[dict]) -> None:
    for index, item in enumerate(items):
        item["previousId"] = items[index - 1]["id"] if index else None
        item["nextId"] = items[index + 1]["id"] if index + 1 < len(items) else None


def _activities(grid: Grid, ids: _Ids) -> tuple[list[dict], list[str]]:
    """Activities in printed order (a section's parent before its rows) and each row's id."""
    activities: list[dict] = []
    parents: dict[str, dict] = {}
    row_ids: list[str] = []
    labels = {column.id: column.label for column in grid.columns}
    for row in grid.rows:
        if row.section and row.section not in parents:
            section = next((s for s in grid.sections if s.name == row.section), None)
            parent = {"id": ids("Activity"), "name": row.section, "label": row.section, "childIds": [],
                      "notes": _notes_for(ids, section.footnote_refs if section else [], grid.footnotes),
                      "instanceType": "Activity"}
            parents[row.section] = parent
            activities.append(parent)
        refs = list(row.footnote_refs) + [ref for refs in row.cell_refs.values() for ref in refs]
        notes = _notes_for(ids, refs, grid.footnotes)
        notes += [{"id": ids("CommentAnnotation"), "text": f"{labels[col]}: {value}", "codes": [],
                   "instanceType": "CommentAnnotation"} for col, value in row.marks.items() if value != MARK]
        activity = {"id": ids("Activity"), "name": row.activity or "(unnamed)", "label": row.activity, "notes": notes,
                    "instanceType": "Activity"}
        if row.section:
            parents[row.section]["childIds"].append(activity["id"])
        activities.append(activity)
        row_ids.append(activity["id"])
    _chain(activities)
    return activities, row_ids


def _encounters(grid: Grid, ids: _Ids) -> list[dict]:
    encounters = []
    for column in grid.columns:
        encounters.append({
            "id": ids("Encounter"), "name": column.label or column.id, "label": column.visit or column.label or column.id,
            "description": column.label, "type": {"id": ids("Code"), **VISIT_CODE, "instanceType": "Code"},
            "notes": _notes_for(ids, column.footnote_refs, grid.footnotes), "instanceType": "Encounter"})
    _chain(encounters)
    return encounters


def _timeline(grid: Grid, ids: _Ids, encounters: list[dict], row_ids: list[str], main: bool, index: int) -> dict:
    instances = []
    for column, encounter in zip(grid.columns, encounters):
        marked = [row_id for row, row_id in zip(grid.rows, row_ids) if row.marks.get(column.id) == MARK]
        instances.append({"id": ids("ScheduledActivityInstance"), "name": column.id, "label": column.label or None,
                          "encounterId": encounter["id"], "activityIds": marked,
                          "instanceType": "ScheduledActivityInstance"})
    pages = ", ".join(map(str, grid.pages))
    return {"id": ids("ScheduleTimeline"), "name": "Main Timeline" if main else f"Timeline {index}",
            "label": f"Schedule printed on page(s) {pages}", "description": grid.caption or None,
            "mainTimeline": main, "entryCondition": "",
            "entryId": instances[0]["id"] if instances else "", "instances": instances, "exits": [],
            "instanceType": "ScheduleTimeline"}


def to_usdm(grids: Sequence[Grid], system_version: str = "") -> dict:
    """The USDM-shaped document of a document's grids (the first is the main timeline)."""
    ids = _Ids()
    design = {"activities": [], "encounters": [], "scheduleTimelines": [], "notes": []}
    for index, grid in enumerate(grids, start=1):
        activities, row_ids = _activities(grid, ids)
        encounters = _encounters(grid, ids)
        design["activities"] += activities
        design["encounters"] += encounters
        design["scheduleTimelines"].append(_timeline(grid, ids, encounters, row_ids, index == 1, index))
        design["notes"] += [_note(ids, ref, text) for ref, text in grid.footnotes.items()]
    return {"usdmVersion": USDM_VERSION, "systemName": "SoE Desktop", "systemVersion": system_version,
            "studyDesign": design}


@functools.lru_cache(maxsize=1)
def api_schema() -> dict:
    """USDM_API.json (CDISC DDF-RA, MIT; licence beside it)."""
    text = resources.files("soe_desktop.core.grid").joinpath("schema/USDM_API.json").read_text(encoding="utf-8")
    return json.loads(text)


def _list_of(name: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    """The document's shape, each list checked against its USDM class schema (`-Input` classes)."""
    schema = {
        "type": "object",
        "required": ["usdmVersion", "studyDesign"],
        "properties": {
            "usdmVersion": {"const": USDM_VERSION},
            "systemName": {"type": "string"},
            "systemVersion": {"type": "string"},
            "studyDesign": {
                "type": "object",
                "required": ["activities", "encounters", "scheduleTimelines"],
                "properties": {"activities": _list_of("Activity-Input"), "encounters": _list_of("Encounter-Input"),
                               "scheduleTimelines": _list_of("ScheduleTimeline-Input"),
                               "notes": _list_of("CommentAnnotation-Input")},
            },
        },
        "components": api_schema()["components"],
    }
    return Draft202012Validator(schema)


def validation_errors(document: dict) -> list[str]:
    """Schema violations, one line each ('' path = the document); empty when valid."""
    errors = sorted(_validator().iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}" for error in errors]
