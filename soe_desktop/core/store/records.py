"""The store's bookkeeping tables: cost ledger and model registry rows (the audit log is audit.py).

A mixin of `Store` (see database.py): it relies on `self._transaction()`, `self._read()` and
`self.db`, which the Store provides.
"""

from __future__ import annotations

from soe_desktop.core.model import utc_now
from soe_desktop.core.store import rows
from soe_desktop.core.store.migrations import MODEL_STATUSES

LEDGER_FIELDS = (
    "at",
    "document_sha256",
    "model",
    "prompt_version",
    "representation",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "cached",
    "requests",
    "cached_items",
    "failed_requests",
    "routed_candidates",
    "routed_cloud",
    "routed_review",
    "sent_requests",
    "saved_requests",
)
MODEL_FIELDS = (
    "version",
    "created_at",
    "base_model",
    "status",
    "active",
    "path",
    "args_json",
    "dataset_json",
    "metrics_json",
    "seconds",
    "peak_rss_mb",
)


_LEDGER_SUMS = """SUM(l.requests) AS requests, SUM(l.cached_items) AS cached_items,
    SUM(l.failed_requests) AS failed_requests, SUM(l.input_tokens) AS input_tokens,
    SUM(l.output_tokens) AS output_tokens, ROUND(SUM(l.cost_usd), 6) AS cost_usd"""


def _check_fields(kind: str, row: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(row) - set(allowed))
    if unknown:
        raise TypeError(f"unknown {kind} field(s): {', '.join(unknown)}; expected some of {', '.join(allowed)}")


class RecordsMixin:
    """Ledger and model methods of the Store (`self._audit` comes from AuditMixin)."""

    # --- ledger ----------------------------------------------------------------------------------

    def add_ledger(self, **row) -> int:
        """Record cloud usage for a document; returns the row's id.

        A row is either one request (`cached=True` when the answer came from the cache: it then
        counts as 0 requests and 1 cached item) or a run summary with `requests`, `cached_items`
        and `failed_requests`. `created_at` is accepted as another name for `at`.
        """
        if "created_at" in row:
            row.setdefault("at", row.pop("created_at"))
        _check_fields("ledger", row, LEDGER_FIELDS)
        row.setdefault("at", utc_now())
        if row.get("cached"):
            row["cached"] = 1
            row.setdefault("requests", 0)
            row.setdefault("cached_items", 1)
        elif "cached" in row:
            row["cached"] = 0
        with self._transaction():
            return self.db["ledger"].insert(row).last_pk

    def ledger(self, sha256: str | None = None) -> list[dict]:
        where, params = ("WHERE document_sha256 = ?", [sha256]) if sha256 else ("", [])
        found = self._read(f"SELECT * FROM ledger {where} ORDER BY id", params)
        for entry in found:
            entry["cached"] = bool(entry["cached"])
        return found

    def ledger_totals(self) -> list[dict]:
        """Per document: ledger rows, requests, cache hits, failures, tokens and cost (only documents with rows)."""
        return self._read(
            f"""SELECT l.document_sha256, COALESCE(d.filename, '') AS filename, COUNT(*) AS entries,
                       {_LEDGER_SUMS}
                FROM ledger l LEFT JOIN documents d ON d.sha256 = l.document_sha256
                GROUP BY l.document_sha256 ORDER BY MIN(l.id)"""
        )

    def ledger_summary(self) -> dict:
        """Totals over every document, with the same keys as the labeling cache's `ledger_totals`."""
        found = self._read(
            f"SELECT COUNT(DISTINCT l.document_sha256) AS documents, COUNT(*) AS entries, {_LEDGER_SUMS} FROM ledger l"
        )[0]
        return {key: (value or 0) for key, value in found.items()}

    # --- models ----------------------------------------------------------------------------------

    def add_model(self, **row) -> None:
        """Register a model version (a finished, cancelled or failed training run).

        `args`, `dataset` and `metrics` may be given as dicts. Only a completed run may be
        active; passing active=True deactivates the previous active model in the same transaction.
        """
        row = rows.model_to_row(row)
        _check_fields("model", row, MODEL_FIELDS)
        if row.get("status") not in MODEL_STATUSES:
            raise ValueError(f"model status must be one of {MODEL_STATUSES}, got {row.get('status')!r}")
        if row.get("active") and row["status"] != "completed":
            raise ValueError(f"a {row['status']} run cannot become the active model")
        row.setdefault("created_at", utc_now())
        with self._transaction():
            previous = self._active_model_version()
            if row.get("active"):
                self.db.execute("UPDATE models SET active = 0 WHERE active = 1")
            self.db["models"].insert(row)
            self._audit("model.add", row["version"], {"status": row["status"]}, "system", new=row["version"])
            if row.get("active"):
                self._audit("model.activate", row["version"], {}, "system", old=previous, new=row["version"])

    def update_model(self, version: str, **fields) -> None:
        """Change a registered model's metadata (e.g. metrics after evaluation); not its activation."""
        fields = rows.model_to_row(fields)
        _check_fields("model", fields, tuple(f for f in MODEL_FIELDS if f not in ("version", "active")))
        if not fields:
            return
        with self._transaction():
            self._require_model(version)
            self.db["models"].update(version, fields)

    def models(self) -> list[dict]:
        return [rows.row_to_model(row) for row in self._read("SELECT * FROM models ORDER BY created_at, version")]

    def model(self, version: str) -> dict | None:
        found = self._read("SELECT * FROM models WHERE version = ?", [version])
        return rows.row_to_model(found[0]) if found else None

    def active_model(self) -> dict | None:
        found = self._read("SELECT * FROM models WHERE active = 1")
        return rows.row_to_model(found[0]) if found else None

    def activate_model(self, version: str, actor: str = "system") -> None:
        """Make `version` the one active model; a failed or cancelled run is refused."""
        with self._transaction():
            model = self._require_model(version)
            if model["status"] != "completed":
                raise ValueError(f"model {version} is {model['status']}; only a completed run can be active")
            previous = self._active_model_version()
            self.db.execute("UPDATE models SET active = 0 WHERE active = 1 AND version != ?", [version])
            self.db.execute("UPDATE models SET active = 1 WHERE version = ?", [version])
            self._audit("model.activate", version, {}, actor, old=previous, new=version)

    def delete_model(self, version: str, actor: str = "system") -> None:
        """Forget a model version (its adapter folder is the registry's to remove); labels it made stay."""
        with self._transaction():
            model = self._require_model(version)
            self.db.execute("DELETE FROM models WHERE version = ?", [version])
            self._audit("model.delete", version, {"was_active": bool(model["active"]), "path": model["path"]}, actor)

    def _require_model(self, version: str) -> dict:
        found = self._read("SELECT * FROM models WHERE version = ?", [version])
        if not found:
            raise KeyError(f"no model version {version!r}")
        return found[0]
