"""SQLite store (sqlite-utils): documents, pages, candidates, append-only labels, ledger, models."""
