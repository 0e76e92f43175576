"""Conversions between the core dataclasses and the store's rows, and the label precedence rule.

Kept apart from the Store so the mapping (and what "effective label" means) reads in one place.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from soe_desktop.core.model import Candidate, Label, LabelKind, PageText, utc_now



def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _optional_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


# --- pages ---------------------------------------------------------------------------------------


def page_to_row(sha256: str, page: PageText) -> dict:
    return {
        "document_sha256": sha256,
        "number": page.number,
        "width": float(page.width),
        "height": float(page.height),
        "rotation": int(page.rotation),
        "has_text_layer": int(bool(page.has_text_layer)),
        "text": page.text or "",
        "ocr": int(bool(page.ocr)),
        "unreadable": page.unreadable or "",
    }


def row_to_page(row: dict) -> PageText:
    return PageText(
        number=row["number"],
        width=row["width"],
        height=row["height"],
        rotation=row["rotation"],
        text=row["text"],
        has_text_layer=bool(row["has_text_layer"]),
        ocr=bool(row.get("ocr", 0)),
        unreadable=row.get("unreadable") or "",
    )


# --- candidates ----------------------------------------------------------------------------------


def candidate_to_row(candidate: Candidate, now: str | None = None) -> dict:
    x0, top, x1, bottom = (float(value) for value in candidate.bbox)
    now = now or utc_now()
    return {
        "id": candidate.id,
        "document_sha256": candidate.document_sha256,
        "page": int(candidate.page),
        "x0": x0,
        "top": top,
        "x1": x1,
        "bottom": bottom,
        "detector": candidate.detector,
        "group_id": candidate.group or candidate.id,
        "rows_json": _dumps(candidate.rows),
        "context": candidate.context or "",
        "features_json": _dumps(candidate.features),
        "created_at": now,
        "updated_at": now,
        "current": 1,
    }


def row_to_candidate(row: dict) -> Candidate:
    return Candidate(
        id=row["id"],
        document_sha256=row["document_sha256"],
        page=row["page"],
        bbox=(row["x0"], row["top"], row["x1"], row["bottom"]),
        detector=row["detector"],
        rows=_loads(row["rows_json"], []),
        context=row["context"],
        group=row["group_id"],
        features=_loads(row["features_json"], {}),
    )


# --- labels --------------------------------------------------------------------------------------


def label_to_row(label: Label) -> dict:
    return {
        "candidate_id": label.candidate_id,
        "is_soe": int(bool(label.is_soe)),
        "confidence": float(label.confidence),
        "source": label.source,
        "created_at": label.created_at or utc_now(),
        "reason": label.reason or "",
        "agree": None if label.agree is None else int(bool(label.agree)),
        "details_json": _dumps(label.details or {}),
    }


def row_to_label(row: dict, retracted_by: int | None = None) -> Label:
    """A stored label; one that was retracted carries details['retracted']=True and who retracted it."""
    details = _loads(row["details_json"], {})
    if row.get("retracts") is not None:
        details["retracts"] = row["retracts"]
    if retracted_by is not None:
        details["retracted"] = True
        details["retracted_by"] = retracted_by
    return Label(
        candidate_id=row["candidate_id"],
        is_soe=bool(row["is_soe"]),
        confidence=row["confidence"],
        source=row["source"],
        created_at=row["created_at"],
        reason=row["reason"],
        agree=_optional_bool(row["agree"]),
        details=details,
        id=row["id"],
    )


def is_retracted(label: Label) -> bool:
    return bool(label.details.get("retracted"))


def label_rank(label: Label) -> int:
    """Precedence of a label's source: human (gold) > rule (auto-accept) > any machine labeler."""
    return {LabelKind.HUMAN: 2, LabelKind.RULE: 1}.get(label.kind, 0)


def effective_label(labels: Iterable[Label]) -> Label | None:
    """The label that counts for one candidate: the latest non-retracted label of the highest rank.

    "Latest" means last stored (highest id), not the labeler's own timestamp, so a label written
    later always wins over an earlier one of the same rank.
    """
    best: Label | None = None
    for label in labels:
        if is_retracted(label):
            continue
        if best is None or (label_rank(label), label.id or 0) >= (label_rank(best), best.id or 0):
            best = label
    return best


# --- ledger / models / audit ---------------------------------------------------------------------

MODEL_JSON_FIELDS = ("args", "dataset", "metrics")


def model_to_row(row: dict) -> dict:
    """Accept `args`/`dataset`/`metrics` as dicts (or the *_json columns as strings)."""
    out = dict(row)
    for name in MODEL_JSON_FIELDS:
        if name in out:
            out[f"{name}_json"] = _dumps(out.pop(name))
    if "active" in out:
        out["active"] = int(bool(out["active"]))
    return out


def row_to_model(row: dict) -> dict:
    """A model row with its JSON columns decoded as `args`, `dataset` and `metrics`."""
    out = dict(row)
    for name in MODEL_JSON_FIELDS:
        out[name] = _loads(out.pop(f"{name}_json", None), {})
    out["active"] = bool(out["active"])
    return out


def row_with_details(row: dict) -> dict:
    out = dict(row)
    out["details"] = _loads(out.pop("details_json", None), {})
    return out


def dumps(value: Any) -> str:
    """JSON as the store writes it (sorted keys, unicode kept)."""
    return _dumps(value)
