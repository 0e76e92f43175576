"""The Store's candidates: table regions found on the pages, re-detected in place, manual ones kept."""

from __future__ import annotations

from typing import Iterator

from soe_desktop.core.model import Candidate, Detector, utc_now
from soe_desktop.core.store import rows


class CandidatesMixin:
    """Candidate methods of the Store (its connection, lock and audit come from the Store)."""

    def replace_candidates(self, sha256: str, candidates: list[Candidate]) -> None:
        """Make `candidates` the document's current candidates (re-detection).

        Candidates are keyed by id: one found again is updated in place and keeps its labels.
        An old candidate that is not found again is deleted if nothing labelled it, and kept
        as not current (`include_stale=True` shows it) if it has labels, so no label is orphaned.
        A manual candidate (a table a person added, `add_candidate`) is no finder's to drop: it
        stays as it is.
        """
        wrong = [c.id for c in candidates if c.document_sha256 != sha256]
        if wrong:
            raise ValueError(f"candidates {wrong[:3]} belong to another document than {sha256}")
        with self._transaction():
            self._require_document(sha256)
            self._check_ids_free(sha256, [c.id for c in candidates])
            self.db.execute("UPDATE candidates SET current = 0 WHERE document_sha256 = ? AND detector != ?",
                            [sha256, Detector.MANUAL.value])
            now = utc_now()
            for candidate in candidates:
                self._upsert_candidate(rows.candidate_to_row(candidate, now))
            self.db.execute(
                """DELETE FROM candidates WHERE document_sha256 = ? AND current = 0
                   AND id NOT IN (SELECT candidate_id FROM labels)""",
                [sha256],
            )

    def add_candidate(self, candidate: Candidate, actor: str = "system") -> bool:
        """Add one candidate (e.g. a whole-page manual one for a table every finder missed), audited;
        False, and nothing changed, when a candidate with its id is already stored."""
        with self._transaction():
            self._require_document(candidate.document_sha256)
            self._check_ids_free(candidate.document_sha256, [candidate.id])
            if self._read("SELECT 1 FROM candidates WHERE id = ?", [candidate.id]):
                return False
            self.db["candidates"].insert(rows.candidate_to_row(candidate))
            self._audit("candidate.add", candidate.id, {"page": candidate.page, "detector": candidate.detector},
                        actor, document=candidate.document_sha256, candidate=candidate.id, new=candidate.detector)
            return True

    def set_candidate_current(self, candidate_id: str, current: bool, actor: str = "system") -> None:
        """Show or hide one candidate in review (a hidden one keeps its labels: `include_stale=True`)."""
        with self._transaction():
            found = self._read("SELECT document_sha256, current FROM candidates WHERE id = ?", [candidate_id])
            if not found:
                raise KeyError(f"no candidate {candidate_id!r}")
            if bool(found[0]["current"]) == current:
                return
            self.db.execute("UPDATE candidates SET current = ? WHERE id = ?", [int(current), candidate_id])
            self._audit("candidate.current", candidate_id, {"current": current}, actor,
                        document=found[0]["document_sha256"], candidate=candidate_id,
                        old=str(not current).lower(), new=str(current).lower())

    def _check_ids_free(self, sha256: str, ids: list[str]) -> None:
        for chunk in chunks(ids, 500):
            marks = ", ".join("?" for _ in chunk)
            clash = self._read(
                f"SELECT id FROM candidates WHERE id IN ({marks}) AND document_sha256 != ?", [*chunk, sha256]
            )
            if clash:
                raise ValueError(f"candidate id {clash[0]['id']!r} is already used by another document")

    def _upsert_candidate(self, row: dict) -> None:
        columns = list(row)
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name not in ("id", "created_at"))
        self.db.execute(
            f"""INSERT INTO candidates ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})
                ON CONFLICT(id) DO UPDATE SET {updates}""",
            list(row.values()),
        )

    def candidates(self, sha256: str | None = None, include_stale: bool = False) -> list[Candidate]:
        """Current candidates (of one document, or all), in page order, top to bottom."""
        clauses, params = [], []
        if sha256:
            clauses.append("document_sha256 = ?")
            params.append(sha256)
        if not include_stale:
            clauses.append("current = 1")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        found = self._read(f"SELECT * FROM candidates {where} ORDER BY document_sha256, page, top, x0, id", params)
        return [rows.row_to_candidate(row) for row in found]

    def candidates_without_label(self, source_prefix: str, sha256: str | None = None) -> list[Candidate]:
        """Current candidates with no non-retracted label whose source starts with `source_prefix`
        (e.g. what a teacher still has to label after a partial failure)."""
        clauses, params = ["c.current = 1"], []
        if sha256:
            clauses.append("c.document_sha256 = ?")
            params.append(sha256)
        params += [len(source_prefix), source_prefix]
        found = self._read(
            f"""SELECT c.* FROM candidates c WHERE {' AND '.join(clauses)} AND NOT EXISTS (
                    SELECT 1 FROM labels l WHERE l.candidate_id = c.id AND l.retracts IS NULL
                    AND substr(l.source, 1, ?) = ?
                    AND NOT EXISTS (SELECT 1 FROM labels r WHERE r.retracts = l.id))
                ORDER BY c.document_sha256, c.page, c.top, c.x0, c.id""",
            params,
        )
        return [rows.row_to_candidate(row) for row in found]

    def candidate(self, id: str) -> Candidate | None:
        found = self._read("SELECT * FROM candidates WHERE id = ?", [id])
        return rows.row_to_candidate(found[0]) if found else None


def chunks(items: list, size: int) -> Iterator[list]:
    """`items` in slices of `size` (SQLite caps the parameters of one statement)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
