"""The audit log: who did what to which document and candidate, when, with which model and app.

A mixin of `Store` (see database.py): it relies on `self._transaction()`, `self._read()` and
`self.db`. Every entry is attributed (OS user, UTC time, document sha256, candidate, old -> new,
source, active model version, app version); triggers (migration m005) refuse UPDATE and DELETE.

Label decisions are audited by `Store.add_labels` and `Store.retract` themselves, in the
transaction that appends the label, so a label can never exist without its audit entry.
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
from datetime import datetime, timezone
from typing import Iterable

from soe_desktop import __version__
from soe_desktop.core.model import Label, utc_now
from soe_desktop.core.store import rows

AUDIT_COLUMNS = (
    "id",
    "at",
    "os_user",
    "actor",
    "action",
    "subject",
    "document_sha256",
    "candidate_id",
    "label_id",
    "old_value",
    "new_value",
    "source",
    "model_version",
    "app_version",
    "details_json",
)
NO_LABEL = ""


@functools.cache
def os_user() -> str:
    """The login name of the person running the app ('' where the OS has none, e.g. some containers)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError (KeyError before 3.13) when no name can be found
        return ""


def verdict(label: Label | None) -> str:
    """How a label reads in the audit log's old/new columns."""
    if label is None:
        return NO_LABEL
    return "SoE" if label.is_soe else "not SoE"


def normalise_since(since: str) -> str:
    """An ISO date or time (naive = UTC) as the store's timestamp format, for `at >= since`."""
    try:
        moment = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since expects an ISO date or time such as 2025-01-31 or 2025-01-31T14:00, got {since!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


class AuditMixin:
    """Audit methods of the Store."""

    def audit(
        self,
        action: str,
        subject: str = "",
        details: dict | None = None,
        actor: str = "system",
        *,
        document: str = "",
        candidate: str = "",
        old: str = "",
        new: str = "",
        source: str = "",
    ) -> int:
        """Append one entry to the audit log (e.g. an export); returns its id."""
        with self._transaction():
            return self._audit(action, subject, details or {}, actor, document=document, candidate=candidate,
                               old=old, new=new, source=source)

    def audit_entries(
        self,
        action: str | None = None,
        subject: str | None = None,
        document: str | None = None,
        since: str | None = None,
        candidate: str | None = None,
    ) -> list[dict]:
        """The audit log, oldest first, filtered by action, subject, document sha256, candidate
        and/or time (`since`: ISO date or time, UTC when it names no zone)."""
        clauses, params = [], []
        for column, value in (("action", action), ("subject", subject), ("document_sha256", document),
                              ("candidate_id", candidate)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if since:
            clauses.append("at >= ?")
            params.append(normalise_since(since))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        found = self._read(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit {where} ORDER BY id", params)
        return [rows.row_with_details(row) for row in found]

    def candidate_history(self, candidate_id: str) -> list[dict]:
        """Everything that happened to one candidate, oldest first: each label row (retractions
        included) with its audit attribution when it has one (labels stored before the audit
        columns existed have none), plus audit entries about the candidate that are not labels."""
        found = self._read(
            """SELECT l.id AS label_id, l.created_at AS at, l.is_soe, l.confidence, l.source, l.reason,
                      l.retracts, a.os_user, a.old_value, a.new_value, a.model_version, a.app_version,
                      COALESCE(a.action, CASE WHEN l.retracts IS NULL THEN 'label.add' ELSE 'label.retract' END) AS action
               FROM labels l LEFT JOIN audit a ON a.label_id = l.id
               WHERE l.candidate_id = ? ORDER BY l.id""",
            [candidate_id],
        )
        history = [_label_event(row) for row in found]
        others = self._read(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit WHERE candidate_id = ? AND label_id IS NULL ORDER BY id",
            [candidate_id],
        )
        history += [rows.row_with_details(row) for row in others]
        return sorted(history, key=lambda event: event["at"])

    # --- writing (inside the caller's transaction) ----------------------------------------------

    def _audit(
        self,
        action: str,
        subject: str,
        details: dict,
        actor: str,
        *,
        document: str = "",
        candidate: str = "",
        label_id: int | None = None,
        old: str = "",
        new: str = "",
        source: str = "",
    ) -> int:
        entry = {
            "at": utc_now(),
            "os_user": os_user(),
            "actor": actor,
            "action": action,
            "subject": subject,
            "document_sha256": document,
            "candidate_id": candidate,
            "label_id": label_id,
            "old_value": str(old),
            "new_value": str(new),
            "source": source or actor,
            "model_version": self._active_model_version(),
            "app_version": __version__,
            "details_json": rows.dumps(details),
        }
        return self.db["audit"].insert(entry).last_pk

    def _active_model_version(self) -> str:
        found = self.db.execute("SELECT version FROM models WHERE active = 1").fetchone()
        return found[0] if found else ""

    def _effective_before(self, candidate_ids: Iterable[str]) -> dict[str, Label]:
        """Per candidate, the label that counts now (before the labels being appended)."""
        ids = sorted(set(candidate_ids))
        by_candidate: dict[str, list[Label]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            found = self._read(
                f"""SELECT l.*, r.id AS retracted_by FROM labels l LEFT JOIN labels r ON r.retracts = l.id
                    WHERE l.retracts IS NULL AND l.candidate_id IN ({marks}) ORDER BY l.id""",
                chunk,
            )
            for row in found:
                by_candidate.setdefault(row["candidate_id"], []).append(rows.row_to_label(row, row["retracted_by"]))
        chosen = {cid: rows.effective_label(labels) for cid, labels in by_candidate.items()}
        return {cid: label for cid, label in chosen.items() if label is not None}

    def _audit_labels(self, labels: list[Label], ids: list[int], documents: dict[str, str],
                      before: dict[str, Label]) -> None:
        """One 'label.add' entry per appended label: old = the candidate's effective verdict before it."""
        current = dict(before)
        for label, label_id in zip(labels, ids):
            cid = label.candidate_id
            previous = current.get(cid)
            self._audit(
                "label.add", cid, {"confidence": label.confidence, "reason": label.reason},
                label.source if rows.label_rank(label) else "system",
                document=documents.get(cid, ""), candidate=cid, label_id=label_id,
                old=verdict(previous), new=verdict(label), source=label.source,
            )
            stored = dataclasses.replace(label, id=label_id)
            if rows.effective_label([item for item in (previous, stored) if item is not None]) is stored:
                current[cid] = stored

    def _audit_retraction(self, target: dict, retraction_id: int, actor: str) -> None:
        """The 'label.retract' entry: old = the undone label's verdict, new = what counts after it."""
        cid = target["candidate_id"]
        document = self._read("SELECT document_sha256 FROM candidates WHERE id = ?", [cid])[0]["document_sha256"]
        self._audit("label.retract", cid, {"label_id": target["id"], "source": target["source"]}, actor,
                    document=document, candidate=cid, label_id=retraction_id, source=actor,
                    old=verdict(rows.row_to_label(target)), new=verdict(self._effective_before([cid]).get(cid)))


def _label_event(row: dict) -> dict:
    """One label row of a candidate's history, in the shape of an audit entry."""
    event = {name: row[name] or "" for name in ("os_user", "old_value", "new_value", "model_version", "app_version")}
    event.update(label_id=row["label_id"], at=row["at"], action=row["action"], source=row["source"],
                 details={"confidence": row["confidence"], "reason": row["reason"]})
    if row["retracts"] is not None:
        event["details"]["retracts"] = row["retracts"]
    elif not event["new_value"]:  # a label stored before the audit columns existed
        event["new_value"] = "SoE" if row["is_soe"] else "not SoE"
    return event
