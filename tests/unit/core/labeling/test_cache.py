"""The on-disk answer cache and the cost accounting."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.cache import (
    MemoryLedger, Prices, ResponseCache, Usage, Vote, cache_key, grand_total, ledger_row,
)
from soe_desktop.core.settings import Settings


def test_key_changes_with_model_prompt_kind_and_content():
    base = cache_key("m", "v1", "json", "table")
    assert base == cache_key("m", "v1", "json", "table")
    assert len({base, cache_key("m2", "v1", "json", "table"), cache_key("m", "v2", "json", "table"),
                cache_key("m", "v1", "text", "table"), cache_key("m", "v1", "json", "table!")}) == 5


def test_votes_round_trip_and_survive_a_new_cache_object(tmp_path):
    votes = [Vote(True, 0.9, "grid", token_p=0.8), Vote(False, 0.6)]
    ResponseCache(tmp_path).put("ab" + "0" * 62, votes, model="m")
    again = ResponseCache(tmp_path)
    assert again.get("ab" + "0" * 62) == votes
    assert again.count() == 1 and bool(ResponseCache(tmp_path / "empty"))


def test_unknown_or_corrupt_entries_read_as_empty(tmp_path):
    cache = ResponseCache(tmp_path)
    assert cache.get("cd" + "1" * 62) == []
    (tmp_path / "cd").mkdir()
    (tmp_path / "cd" / ("cd" + "1" * 62 + ".json")).write_text("{not json")
    assert cache.get("cd" + "1" * 62) == []


def test_prices_from_settings_and_cost():
    prices = Prices.from_settings(Settings(price_input_per_mtok=0.5, price_output_per_mtok=4.0))
    assert prices.cost(2_000_000, 1_000_000) == pytest.approx(5.0)


def test_ledger_rows_count_requests_hits_and_failures():
    usage = Usage("doc", "m", "v1")
    prices = Prices(1.0, 2.0)
    ledger = MemoryLedger()
    ledger.add_ledger(**ledger_row(usage, "json", 1000, 100, prices, "answered"))
    ledger.add_ledger(**ledger_row(usage, "text", 0, 0, prices, "cached"))
    ledger.add_ledger(**ledger_row(usage, "text", 0, 0, prices, "failed"))
    (doc,) = ledger.ledger_totals()
    assert (doc["entries"], doc["requests"], doc["cached_items"], doc["failed_requests"]) == (3, 2, 1, 1)
    assert doc["cost_usd"] == pytest.approx((1000 * 1.0 + 100 * 2.0) / 1e6)
    total = grand_total(ledger.ledger_totals())
    assert total["documents"] == 1 and total["input_tokens"] == 1000
