"""The store's schema, as an ordered set of sqlite-utils migrations.

Each migration is applied once and recorded in `_sqlite_migrations`; a database created by an
older release is brought up to date on open. Never edit an applied migration: add a new one.
Tables are written as plain DDL so constraints (CHECK, AUTOINCREMENT, triggers) are explicit.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from soe_desktop.core.pdf.protocol_identity import FIRST_PAGES, read_identity

MIGRATION_SET = "soe_desktop"

DOCUMENT_STATUSES = (
    "queued",
    "reading",
    "detecting",
    "labelling",
    "needs review",
    "done",
    "error",
    "cancelled",
)
MODEL_STATUSES = ("completed", "cancelled", "failed")

migrations = Migrations(MIGRATION_SET)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _run(db: Database, statements: list[str]) -> None:
    for statement in statements:
        db.execute(statement)


@migrations()
def m001_documents_pages_candidates_labels(db: Database) -> None:
    """The foundation: documents, their pages and candidate tables, and append-only labels."""
    _run(
        db,
        [
            f"""CREATE TABLE documents (
                sha256 TEXT PRIMARY KEY,
                filename TEXT NOT NULL,
                original_path TEXT NOT NULL DEFAULT '',
                stored_path TEXT NOT NULL DEFAULT '',
                page_count INTEGER NOT NULL,
                added_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ({_sql_list(DOCUMENT_STATUSES)})),
                error TEXT NOT NULL DEFAULT '',
                cloud_consent INTEGER NOT NULL DEFAULT 0 CHECK (cloud_consent IN (0, 1))
            )""",
            """CREATE TABLE pages (
                document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
                number INTEGER NOT NULL CHECK (number >= 1),
                width REAL NOT NULL,
                height REAL NOT NULL,
                rotation INTEGER NOT NULL DEFAULT 0,
                has_text_layer INTEGER NOT NULL,
                text TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (document_sha256, number)
            )""",
            """CREATE TABLE candidates (
                id TEXT PRIMARY KEY,
                document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
                page INTEGER NOT NULL CHECK (page >= 1),
                x0 REAL NOT NULL,
                top REAL NOT NULL,
                x1 REAL NOT NULL,
                bottom REAL NOT NULL,
                detector TEXT NOT NULL,
                group_id TEXT NOT NULL,
                rows_json TEXT NOT NULL DEFAULT '[]',
                context TEXT NOT NULL DEFAULT '',
                features_json TEXT NOT NULL DEFAULT '{}',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                current INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
            )""",
            """CREATE TABLE labels (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                candidate_id TEXT NOT NULL REFERENCES candidates(id),
                is_soe INTEGER NOT NULL CHECK (is_soe IN (0, 1)),
                confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                agree INTEGER CHECK (agree IN (0, 1)),
                details_json TEXT NOT NULL DEFAULT '{}',
                retracts INTEGER REFERENCES labels(id)
            )""",
            # Append-only: a label row, once written, is history.
            """CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels
               BEGIN SELECT RAISE(ABORT, 'labels are append-only: append a new label or a retraction'); END""",
            """CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels
               BEGIN SELECT RAISE(ABORT, 'labels are append-only: append a retraction instead'); END""",
            "CREATE INDEX candidates_by_document ON candidates(document_sha256, page)",
            "CREATE INDEX labels_by_candidate ON labels(candidate_id, id)",
            "CREATE UNIQUE INDEX labels_one_retraction ON labels(retracts) WHERE retracts IS NOT NULL",
        ],
    )


@migrations()
def m002_audit_ledger_models(db: Database) -> None:
    """What the cloud teacher and the training registry need: audit log, cost ledger, model versions."""
    _run(
        db,
        [
            """CREATE TABLE audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL DEFAULT '',
                details_json TEXT NOT NULL DEFAULT '{}'
            )""",
            """CREATE TABLE ledger (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                document_sha256 TEXT NOT NULL DEFAULT '',
                model TEXT NOT NULL DEFAULT '',
                prompt_version TEXT NOT NULL DEFAULT '',
                representation TEXT NOT NULL DEFAULT '',
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd REAL NOT NULL DEFAULT 0,
                cached INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1))
            )""",
            f"""CREATE TABLE models (
                version TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                base_model TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL CHECK (status IN ({_sql_list(MODEL_STATUSES)})),
                active INTEGER NOT NULL DEFAULT 0
                    CHECK (active IN (0, 1) AND (active = 0 OR status = 'completed')),
                path TEXT NOT NULL DEFAULT '',
                args_json TEXT NOT NULL DEFAULT '{{}}',
                dataset_json TEXT NOT NULL DEFAULT '{{}}',
                metrics_json TEXT NOT NULL DEFAULT '{{}}',
                seconds REAL,
                peak_rss_mb REAL
            )""",
            # At most one active model version.
            "CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1",
            "CREATE INDEX ledger_by_document ON ledger(document_sha256)",
            "CREATE INDEX audit_by_action ON audit(action, at)",
        ],
    )


@migrations()
def m003_ledger_run_counts(db: Database) -> None:
    """Ledger rows may summarise a labelling run: requests sent, items answered from cache, failures."""
    _run(
        db,
        [
            "ALTER TABLE ledger ADD COLUMN requests INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE ledger ADD COLUMN cached_items INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE ledger ADD COLUMN failed_requests INTEGER NOT NULL DEFAULT 0",
        ],
    )


@migrations()
def m004_pages_read_by_ocr(db: Database) -> None:
    """A page without a text layer may now carry text read by OCR (core/pdf/ocr.py)."""
    _run(db, ["ALTER TABLE pages ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0"])


@migrations()
def m005_audit_attribution(db: Database) -> None:
    """21 CFR Part 11-style attribution on every audit entry, and the audit log made append-only.

    Entries written before this migration keep their columns; those about a document or a
    candidate get that subject copied into the new column, so `soe audit --document` finds them.
    """
    columns = ("os_user", "document_sha256", "candidate_id", "old_value", "new_value", "source",
               "model_version", "app_version")
    _run(db, [f"ALTER TABLE audit ADD COLUMN {name} TEXT NOT NULL DEFAULT ''" for name in columns])
    _run(
        db,
        [
            "ALTER TABLE audit ADD COLUMN label_id INTEGER",
            "UPDATE audit SET source = actor",
            "UPDATE audit SET document_sha256 = subject WHERE action LIKE 'document.%'",
            "UPDATE audit SET candidate_id = subject WHERE action LIKE 'label.%'",
            """UPDATE audit SET document_sha256 = COALESCE(
                   (SELECT c.document_sha256 FROM candidates c WHERE c.id = audit.candidate_id), '')
               WHERE candidate_id != ''""",
            """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
               BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
               BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            "CREATE INDEX audit_by_document ON audit(document_sha256, id)",
            "CREATE INDEX audit_by_candidate ON audit(candidate_id, id)",
            "CREATE INDEX audit_by_time ON audit(at)",
        ],
    )


@migrations()
def m006_ledger_routing(db: Database) -> None:
    """A ledger row may record how a document's candidates were routed once a student labels them
    (representation 'routing', no request of its own): how many candidates, how many went to the
    cloud and to review, the requests that sent and those saved against sending every candidate."""
    columns = ("routed_candidates", "routed_cloud", "routed_review", "sent_requests", "saved_requests")
    _run(db, [f"ALTER TABLE ledger ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0" for name in columns])


@migrations()
def m007_grid_edits(db: Database) -> None:
    """Human edits of extracted SoE grids (cells, activity names, column headers), append-only like
    labels: an undo appends a retraction. Keyed by document, grid (its candidate group) and target;
    `anchor_json` records the extracted text and printed position of the edited row and column, so
    an edit still finds its cell when a better extractor changes the rows around it."""
    _run(
        db,
        [
            """CREATE TABLE grid_edits (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
                grid_key TEXT NOT NULL,
                target TEXT NOT NULL CHECK (target IN ('cell', 'activity', 'column')),
                row_key TEXT NOT NULL DEFAULT '',
                column_key TEXT NOT NULL DEFAULT '',
                value TEXT NOT NULL DEFAULT '',
                previous TEXT NOT NULL DEFAULT '',
                anchor_json TEXT NOT NULL DEFAULT '{}',
                source TEXT NOT NULL,
                os_user TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                retracts INTEGER REFERENCES grid_edits(id)
            )""",
            """CREATE TRIGGER grid_edits_no_update BEFORE UPDATE ON grid_edits
               BEGIN SELECT RAISE(ABORT, 'grid edits are append-only: append a new edit or a retraction'); END""",
            """CREATE TRIGGER grid_edits_no_delete BEFORE DELETE ON grid_edits
               BEGIN SELECT RAISE(ABORT, 'grid edits are append-only: append a retraction instead'); END""",
            "CREATE INDEX grid_edits_by_grid ON grid_edits(document_sha256, grid_key, id)",
            "CREATE UNIQUE INDEX grid_edits_one_retraction ON grid_edits(retracts) WHERE retracts IS NOT NULL",
        ],
    )


@migrations()
def m006_repaired_documents_unreadable_pages(db: Database) -> None:
    """A damaged file read from qpdf's repair (its stored_path then names the repaired copy), and
    pages skipped as unreadable, with the reason (core/pdf/contain.py)."""
    _run(
        db,
        [
            "ALTER TABLE documents ADD COLUMN repaired INTEGER NOT NULL DEFAULT 0 CHECK (repaired IN (0, 1))",
            "ALTER TABLE pages ADD COLUMN unreadable TEXT NOT NULL DEFAULT ''",
        ],
    )


@migrations()
def m008_document_identity(db: Database) -> None:
    """How each document names itself on its first pages (core/pdf/protocol_identity.py): its
    protocol number and title, so files called alike ("protocol.pdf") can be told apart. Documents
    stored before this migration get them from their stored page text."""
    _run(db, ["ALTER TABLE documents ADD COLUMN protocol_number TEXT NOT NULL DEFAULT ''",
              "ALTER TABLE documents ADD COLUMN title TEXT NOT NULL DEFAULT ''"])
    first_pages: dict[str, list[str]] = {}
    for row in db.query("SELECT document_sha256, text FROM pages WHERE number <= ? ORDER BY document_sha256, number",
                        [FIRST_PAGES]):
        first_pages.setdefault(row["document_sha256"], []).append(row["text"])
    for sha256, texts in first_pages.items():
        identity = read_identity(texts)
        db.execute("UPDATE documents SET protocol_number = ?, title = ? WHERE sha256 = ?",
                   [identity.number, identity.title, sha256])


def apply_migrations(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when the schema is current)."""
    pending = [migration.name for migration in migrations.pending(db)]
    migrations.apply(db)
    return pending
