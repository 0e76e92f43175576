"""The SQLite store: documents, pages, candidates and append-only labels (plus ledger, models, audit).

Threading: one Store owns one sqlite3 connection (`check_same_thread=False`) and serialises every
call with a re-entrant lock, so a Store may be shared by the GUI thread and workers. Several
Stores (threads or processes) may also open the same file: WAL mode lets readers run beside one
writer, and writes start with BEGIN IMMEDIATE under a busy timeout so they queue instead of failing.

Crash safety: every write method is one transaction. Group several calls (e.g. a document, its
pages, candidates and labels) into one with `with store.transaction(): ...`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Iterator, Sequence

from sqlite_utils import Database

from soe_desktop.core.model import Candidate, Document, Label, LabelSource, PageText, utc_now
from soe_desktop.core.pdf.protocol_identity import FIRST_PAGES, read_identity
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import rows
from soe_desktop.core.store.audit import AuditMixin
from soe_desktop.core.store.candidates import CandidatesMixin, chunks
from soe_desktop.core.store.grid_edits import GridEditsMixin
from soe_desktop.core.store.migrations import DOCUMENT_STATUSES, apply_migrations
from soe_desktop.core.store.records import RecordsMixin

BUSY_TIMEOUT_S = 30.0
# Stores of one process open one at a time: SQLite answers "database is locked" at once, without
# waiting out the busy timeout, when two connections switch a new file to WAL together (seen about
# once in 150 four-thread opens on a loaded machine). Opening takes milliseconds.
_OPENING = threading.Lock()
IN_PROGRESS_STATUSES = ("reading", "detecting", "labelling")


class Store(CandidatesMixin, RecordsMixin, GridEditsMixin, AuditMixin):
    """The app's database. Open with a path (or ':memory:'); the schema is migrated on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        self.db = Database(conn, execute_plugins=False)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            with _OPENING:
                if self.path != ":memory:":
                    self.db.enable_wal()
                with self._transaction():  # one writer migrates; a second opener waits, then finds nothing to do
                    self.applied_migrations = apply_migrations(self.db)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> "Store":
        """The store at the settings' location (env SOE_DESKTOP_DB overrides the data folder)."""
        return cls(settings.db_path)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def journal_mode(self) -> str:
        with self._lock:
            return self.db.journal_mode

    # --- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All store writes inside the block commit together or not at all (nesting is allowed)."""
        with self._transaction():
            yield self

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            if self.db.conn.in_transaction:
                with self.db.atomic():  # nested: a savepoint inside the open transaction
                    yield
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

    def _read(self, sql: str, params: Sequence | None = None) -> list[dict]:
        with self._lock:
            return list(self.db.query(sql, params or []))

    # --- documents -------------------------------------------------------------------------------

    def add_document(
        self, document: Document, stored_path: str, filename: str, cloud_consent: bool = False
    ) -> bool:
        """Store a new document; False (and nothing changed) when these bytes are already stored."""
        now = utc_now()
        row = {
            "sha256": document.sha256,
            "filename": filename,
            "original_path": str(document.path),
            "stored_path": str(stored_path),
            "page_count": document.page_count,
            "added_at": now,
            "updated_at": now,
            "status": "queued",
            "error": "",
            "cloud_consent": int(bool(cloud_consent)),
        }
        with self._transaction():
            if self._read("SELECT 1 FROM documents WHERE sha256 = ?", [document.sha256]):
                self._audit("document.duplicate", document.sha256, {"path": str(document.path)}, "system",
                            document=document.sha256)
                return False
            self.db["documents"].insert(row)
            self._audit("document.add", document.sha256, {"filename": filename}, "system", document=document.sha256,
                        new=filename)
            return True

    def set_status(self, sha256: str, status: str, error: str = "") -> None:
        if status not in DOCUMENT_STATUSES:
            raise ValueError(f"status must be one of {DOCUMENT_STATUSES}, got {status!r}")
        with self._transaction():
            self._update_document(sha256, {"status": status, "error": error})

    def mark_repaired(self, sha256: str, repaired_path: str, page_count: int) -> None:
        """The document is read from qpdf's repair of its stored copy: the viewer and any later
        re-analysis open `repaired_path` (the damaged original stays beside it), whose page count
        may differ from what pdfium saw in the damaged file."""
        with self._transaction():
            self._update_document(sha256, {"repaired": 1, "stored_path": str(repaired_path),
                                           "page_count": int(page_count)})
            self._audit("document.repaired", sha256, {"path": str(repaired_path)}, "system", document=sha256,
                        new=str(repaired_path))

    def document(self, sha256: str) -> dict | None:
        found = self._read("SELECT * FROM documents WHERE sha256 = ?", [sha256])
        return _document_dict(found[0]) if found else None

    def documents(self, status: str | None = None) -> list[dict]:
        """All documents in the order they were added, optionally only those with `status`."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        return [_document_dict(row) for row in self._read(f"SELECT * FROM documents {where} ORDER BY added_at, rowid", params)]

    def requeue_interrupted(self) -> list[str]:
        """Documents left mid-way by a crash or quit go back to 'queued'; returns their sha256s."""
        with self._transaction():
            marks = ", ".join("?" for _ in IN_PROGRESS_STATUSES)
            found = self._read(f"SELECT sha256 FROM documents WHERE status IN ({marks})", IN_PROGRESS_STATUSES)
            for row in found:
                self._update_document(row["sha256"], {"status": "queued", "error": ""})
            return [row["sha256"] for row in found]

    def set_cloud_consent(self, sha256: str, allowed: bool, actor: str = "user") -> None:
        """Record whether this document may be sent to the cloud teacher (audited)."""
        with self._transaction():
            was = self.cloud_consent(sha256)
            self._update_document(sha256, {"cloud_consent": int(bool(allowed))})
            self._audit("document.cloud_consent", sha256, {"allowed": bool(allowed)}, actor, document=sha256,
                        old=_consent_text(was), new=_consent_text(allowed))

    def cloud_consent(self, sha256: str) -> bool:
        found = self._read("SELECT cloud_consent FROM documents WHERE sha256 = ?", [sha256])
        return bool(found and found[0]["cloud_consent"])

    def _update_document(self, sha256: str, fields: dict) -> None:
        fields = {**fields, "updated_at": utc_now()}
        assignments = ", ".join(f"{name} = ?" for name in fields)
        cursor = self.db.execute(f"UPDATE documents SET {assignments} WHERE sha256 = ?", [*fields.values(), sha256])
        if cursor.rowcount == 0:
            raise KeyError(f"no document {sha256!r} in the store")

    # --- pages -----------------------------------------------------------------------------------

    def add_pages(self, sha256: str, pages: list[PageText]) -> None:
        """Store (or replace, on re-reading) the pages of a document."""
        with self._transaction():
            self._require_document(sha256)
            self.db["pages"].insert_all(
                (rows.page_to_row(sha256, page) for page in pages), pk=("document_sha256", "number"), replace=True
            )
            if any(page.number <= FIRST_PAGES for page in pages):
                self._read_identity(sha256)

    def _read_identity(self, sha256: str) -> None:
        """Keep the protocol number and title its first pages print (display names, store/names.py)."""
        texts = [row["text"] for row in self._read(
            "SELECT text FROM pages WHERE document_sha256 = ? AND number <= ? ORDER BY number", [sha256, FIRST_PAGES])]
        identity = read_identity(texts)
        self._update_document(sha256, {"protocol_number": identity.number, "title": identity.title})

    def pages(self, sha256: str) -> list[PageText]:
        found = self._read("SELECT * FROM pages WHERE document_sha256 = ? ORDER BY number", [sha256])
        return [rows.row_to_page(row) for row in found]

    def _require_document(self, sha256: str) -> None:
        if not self._read("SELECT 1 FROM documents WHERE sha256 = ?", [sha256]):
            raise KeyError(f"no document {sha256!r} in the store")

    # --- labels (append-only) --------------------------------------------------------------------

    def add_labels(self, labels: list[Label]) -> list[int]:
        """Append labels (all or none), each with its 'label.add' audit entry in the same
        transaction; sets each label's `id` and returns the ids in order."""
        with self._transaction():
            documents = self._require_candidates({label.candidate_id for label in labels})
            before = self._effective_before(documents)
            ids = [self.db["labels"].insert(rows.label_to_row(label)).last_pk for label in labels]
            self._audit_labels(labels, ids, documents, before)
        for label, label_id in zip(labels, ids):
            label.id = label_id
        return ids

    def _require_candidates(self, ids: set[str]) -> dict[str, str]:
        """Each candidate's document sha256; KeyError naming the unknown ones."""
        documents: dict[str, str] = {}
        for chunk in chunks(sorted(ids), 500):
            marks = ", ".join("?" for _ in chunk)
            found = self._read(f"SELECT id, document_sha256 FROM candidates WHERE id IN ({marks})", chunk)
            documents.update((row["id"], row["document_sha256"]) for row in found)
            missing = [cid for cid in chunk if cid not in documents]
            if missing:
                raise KeyError(f"cannot label unknown candidate(s): {', '.join(missing[:5])}")
        return documents

    def labels(
        self,
        candidate_id: str | None = None,
        sha256: str | None = None,
        source_prefix: str | None = None,
        include_retracted: bool = True,
    ) -> list[Label]:
        """Labels oldest first. Retraction rows are never listed; a retracted label is listed with
        details['retracted']=True (and 'retracted_by') or left out with include_retracted=False."""
        clauses, params = ["l.retracts IS NULL"], []
        if candidate_id:
            clauses.append("l.candidate_id = ?")
            params.append(candidate_id)
        if sha256:
            clauses.append("c.document_sha256 = ?")
            params.append(sha256)
        if source_prefix:
            clauses.append("substr(l.source, 1, ?) = ?")
            params += [len(source_prefix), source_prefix]
        if not include_retracted:
            clauses.append("r.id IS NULL")
        found = self._read(
            f"""SELECT l.*, r.id AS retracted_by FROM labels l
                JOIN candidates c ON c.id = l.candidate_id
                LEFT JOIN labels r ON r.retracts = l.id
                WHERE {' AND '.join(clauses)} ORDER BY l.id""",
            params,
        )
        return [rows.row_to_label(row, row["retracted_by"]) for row in found]

    def label_history(self, candidate_id: str) -> list[Label]:
        """Every row for one candidate, retractions included (details['retracts'] = the undone id)."""
        found = self._read(
            """SELECT l.*, r.id AS retracted_by FROM labels l LEFT JOIN labels r ON r.retracts = l.id
               WHERE l.candidate_id = ? ORDER BY l.id""",
            [candidate_id],
        )
        return [rows.row_to_label(row, row["retracted_by"]) for row in found]

    def retract(self, label_id: int, actor: str) -> int:
        """Undo a label by appending a retraction row (source human:<actor>); returns its id.

        Redo is a new label. A label can be retracted once; a retraction cannot be retracted.
        """
        with self._transaction():
            found = self._read(
                "SELECT l.*, r.id AS retracted_by FROM labels l LEFT JOIN labels r ON r.retracts = l.id WHERE l.id = ?",
                [label_id],
            )
            if not found:
                raise KeyError(f"no label {label_id}")
            target = found[0]
            if target["retracts"] is not None:
                raise ValueError(f"label {label_id} is a retraction; add a new label instead of undoing it")
            if target["retracted_by"] is not None:
                raise ValueError(f"label {label_id} was already retracted by label {target['retracted_by']}")
            row = {key: target[key] for key in ("candidate_id", "is_soe", "confidence", "agree", "details_json")}
            row.update(source=str(LabelSource.human(actor)), created_at=utc_now(), reason=f"retracts label {label_id}",
                       retracts=label_id)
            retraction_id = self.db["labels"].insert(row).last_pk
            self._audit_retraction(target, retraction_id, str(LabelSource.human(actor)))
            return retraction_id

    def effective_labels(self, sha256: str | None = None) -> dict[str, Label]:
        """Per candidate, the label that counts: latest human, else latest rule:, else latest machine label."""
        by_candidate: dict[str, list[Label]] = {}
        for label in self.labels(sha256=sha256, include_retracted=False):
            by_candidate.setdefault(label.candidate_id, []).append(label)
        chosen = {cid: rows.effective_label(found) for cid, found in by_candidate.items()}
        return {cid: label for cid, label in chosen.items() if label is not None}

    def soe_pages(self, sha256: str) -> list[int]:
        """Pages holding a candidate whose effective label says SoE (current candidates, plus any
        candidate a human labelled even if re-detection no longer finds it)."""
        return self.soe_pages_by_document(sha256).get(sha256, [])

    def soe_pages_by_document(self, sha256: str | None = None) -> dict[str, list[int]]:
        """`soe_pages` of every document (or of one) in one pass over the labels: the queue fills
        its SoE-pages column from this when the app starts. Documents without any are left out."""
        effective = self.effective_labels(sha256)
        pages: dict[str, set[int]] = {}
        for candidate, current in self._candidates_with_current(sha256):
            label = effective.get(candidate.id)
            if label is not None and label.is_soe and (current or label.is_human):
                pages.setdefault(candidate.document_sha256, set()).add(candidate.page)
        return {document: sorted(found) for document, found in pages.items()}

    def _candidates_with_current(self, sha256: str | None) -> list[tuple[Candidate, bool]]:
        where, params = ("WHERE document_sha256 = ?", [sha256]) if sha256 else ("", [])
        found = self._read(f"SELECT * FROM candidates {where} ORDER BY document_sha256, page", params)
        return [(rows.row_to_candidate(row), bool(row["current"])) for row in found]


def _consent_text(allowed: bool) -> str:
    return "allowed" if allowed else "not allowed"


def _document_dict(row: dict) -> dict:
    out = dict(row)
    out["cloud_consent"] = bool(out["cloud_consent"])
    out["repaired"] = bool(out.get("repaired", 0))
    return out

