"""SQLite store (sqlite-utils): documents, pages, candidates, append-only labels, ledger, models, audit."""

from soe_desktop.core.store.database import Store
from soe_desktop.core.store.migrations import DOCUMENT_STATUSES, MODEL_STATUSES

__all__ = ["DOCUMENT_STATUSES", "MODEL_STATUSES", "Store"]
