"""Disk cache of teacher answers and token cost accounting, so re-running never pays twice
and users can see what the cloud teacher has cost them per document.

Answers are keyed by (model, prompt version, representation kind, sha256 of the representation
text): the same table shown the same way to the same model with the same prompt is never sent
again. Each entry is one small JSON file written atomically, so two processes sharing a cache
folder cannot leave half an entry behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional, Protocol

from soe_desktop.core.model import utc_now


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(model: str, prompt_version: str, kind: str, representation_text: str) -> str:
    """One key per (model, prompt version, representation kind, representation content)."""
    parts = "\n".join((model, prompt_version, kind, text_hash(representation_text)))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@dataclass
class Vote:
    """One sampled answer about one representation of one candidate."""

    is_soe: bool
    confidence: float  # the model's stated confidence in `is_soe`, 0.5-1
    reason: str = ""
    token_p: Optional[float] = None  # probability of the is_soe token, when logprobs were served

    @property
    def p_soe(self) -> float:
        """What this vote says the probability of "SoE" is, from its stated confidence."""
        return self.confidence if self.is_soe else 1.0 - self.confidence

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Vote":
        token_p = raw.get("token_p")
        return cls(
            is_soe=bool(raw["is_soe"]),
            confidence=float(raw["confidence"]),
            reason=str(raw.get("reason", "")),
            token_p=None if token_p is None else float(token_p),
        )


class ResponseCache:
    """Votes per cache key, stored as `<root>/<key[:2]>/<key>.json`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Vote]:
        """Cached votes for `key` (empty when never asked or the entry is unreadable)."""
        path = self._path(key)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return [Vote.from_dict(vote) for vote in raw["votes"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def put(self, key: str, votes: list[Vote], **meta: Any) -> None:
        """Store votes (replacing earlier ones for the key); `meta` records model, prompt, ..."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"votes": [asdict(vote) for vote in votes], "created_at": utc_now(), **meta}
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as tmp:
            json.dump(payload, tmp)
        os.replace(tmp_name, path)

    def count(self) -> int:
        """Number of cached entries (a method, not __len__, so an empty cache is still truthy)."""
        return sum(1 for _ in self.root.glob("*/*.json")) if self.root.exists() else 0


@dataclass(frozen=True)
class Prices:
    """USD per million tokens; thinking tokens are billed as output tokens."""

    input_per_mtok: float
    output_per_mtok: float

    @classmethod
    def from_settings(cls, settings: Any) -> "Prices":
        return cls(float(settings.price_input_per_mtok), float(settings.price_output_per_mtok))

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6


@dataclass
class Usage:
    """Tokens and requests spent on one document in one labelling run (a summary for the caller)."""

    document_sha256: str
    model: str
    prompt_version: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_items: int = 0  # representations answered from the cache (no request, no cost)
    failed_requests: int = 0
    cost_usd: float = 0.0


def ledger_row(
    usage: Usage, representation: str, input_tokens: int, output_tokens: int, prices: Prices, outcome: str
) -> dict[str, Any]:
    """One ledger row in the Store's fields; `outcome` is answered | cached | failed.

    Never holds the API key or document text.
    """
    return {
        "at": utc_now(),
        "document_sha256": usage.document_sha256,
        "model": usage.model,
        "prompt_version": usage.prompt_version,
        "representation": representation,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": round(prices.cost(input_tokens, output_tokens), 8),
        "cached": outcome == "cached",
        "requests": 0 if outcome == "cached" else 1,
        "cached_items": 1 if outcome == "cached" else 0,
        "failed_requests": 1 if outcome == "failed" else 0,
    }


class LedgerSink(Protocol):
    """Anything that stores ledger rows; the Store implements it."""

    def add_ledger(self, **row: Any) -> Any: ...


class MemoryLedger:
    """A ledger kept in memory with the Store's interface: used when no store is attached."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add_ledger(self, **row: Any) -> None:
        self.rows.append(dict(row))

    def ledger(self, sha256: str | None = None) -> list[dict[str, Any]]:
        return [row for row in self.rows if sha256 is None or row["document_sha256"] == sha256]

    def ledger_totals(self) -> list[dict[str, Any]]:
        """Per document, like Store.ledger_totals: entries, requests, cache hits, failures, tokens, cost."""
        per_document: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            total = per_document.setdefault(row["document_sha256"], {
                "document_sha256": row["document_sha256"], "filename": "", "entries": 0,
                **{key: 0 for key in _SUMMED}, "cost_usd": 0.0,
            })
            total["entries"] += 1
            for key in _SUMMED:
                total[key] += int(row.get(key) or 0)
            total["cost_usd"] += float(row.get("cost_usd") or 0.0)
        return list(per_document.values())


_SUMMED = ("requests", "cached_items", "failed_requests", "input_tokens", "output_tokens")


def grand_total(per_document: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum per-document ledger totals into one row (for `soe costs`)."""
    total: dict[str, Any] = {key: sum(int(row.get(key) or 0) for row in per_document) for key in _SUMMED}
    total["cost_usd"] = sum(float(row.get("cost_usd") or 0.0) for row in per_document)
    total["documents"] = len(per_document)
    return total
