"""GeminiLabeler against a fake Gemini server (httpx MockTransport): no network."""

from __future__ import annotations

import json

import httpx
import pytest

from soe_desktop.core.labeling.cache import MemoryLedger, Prices, ResponseCache, grand_total
from soe_desktop.core.labeling.gemini import GeminiError, GeminiLabeler, load_prompt
from soe_desktop.core.labeling.keys import ApiKey

from gemini_fakes import error_response, kind_of, make_candidate


def labeler(fake, **kwargs) -> GeminiLabeler:
    attempts = kwargs.pop("attempts", 3)
    return GeminiLabeler(fake.client(attempts=attempts), key=ApiKey("test-key-123", "env"), **kwargs)


def test_structured_answers_become_labels_with_prompt_version(fake_gemini):
    candidates = [make_candidate("a", True), make_candidate("b", False)]
    labels = labeler(fake_gemini).label(candidates)
    assert [label.candidate_id for label in labels] == ["a", "b"]
    assert [label.is_soe for label in labels] == [True, False]
    assert all(label.source == "gemini" and label.agree for label in labels)
    assert labels[0].confidence == pytest.approx(0.9)
    assert labels[0].details["prompt_version"] == load_prompt().version == "soe-label-v1"


def test_each_candidate_is_asked_in_both_representations_in_separate_batched_requests(fake_gemini):
    candidates = [make_candidate(f"c{i}", i % 2 == 0) for i in range(3)]
    labeler(fake_gemini, batch_size=8).label(candidates)
    prompts = [fake_gemini.prompt_of(request) for request in fake_gemini.requests]
    assert sorted(kind_of(prompt) for prompt in prompts) == ["json", "text"]
    assert all(prompt.count("--- table t") == 3 for prompt in prompts)
    json_prompt = next(p for p in prompts if kind_of(p) == "json")
    assert '"rows": [["Procedure"' in json_prompt and "Table c0 on page 1" not in json_prompt
    text_prompt = next(p for p in prompts if kind_of(p) == "text")
    assert "Table c0 on page 1" in text_prompt and "Procedure | Screening" in text_prompt


def test_batches_respect_batch_size_and_documents(fake_gemini):
    candidates = [make_candidate(f"c{i}", True, sha="doc-a") for i in range(3)] + [make_candidate("d", True, sha="doc-b")]
    labeler(fake_gemini, batch_size=2).label(candidates)
    # doc-a: 2 batches per representation; doc-b: 1 per representation
    assert len(fake_gemini.requests) == 6


def test_disagreement_between_representations_lowers_confidence(fake_gemini):
    fake_gemini.decide = lambda text, kind: (kind == "json", 0.9)
    label = labeler(fake_gemini).label([make_candidate("a", True)])[0]
    assert label.agree is False
    assert label.confidence < 0.6
    assert label.details["representations"]["json"]["is_soe"] is True
    assert label.details["representations"]["text"]["is_soe"] is False


def test_sdk_retries_after_429_503_and_a_timeout_then_succeeds(fake_gemini):
    fake_gemini.failures = [error_response(429, "RESOURCE_EXHAUSTED"), error_response(503, "UNAVAILABLE"),
                            httpx.ReadTimeout("slow")]
    labels = labeler(fake_gemini, attempts=4).label([make_candidate("a", True)])
    assert labels[0].is_soe is True
    assert len(fake_gemini.requests) == 5  # 3 failures + json + text


def test_timeout_leaves_the_batch_pending_and_the_rest_labelled(fake_gemini):
    fake_gemini.failures = [httpx.ReadTimeout("slow")]
    candidates = [make_candidate("a", True, sha="doc-a"), make_candidate("b", True, sha="doc-b")]
    run = labeler(fake_gemini, attempts=1).run(candidates)
    assert list(run.pending) == ["a"]
    assert "timeout" in run.pending["a"]
    assert [label.candidate_id for label in run.labels] == ["b"]


def test_malformed_json_is_pending_and_retried_later_from_cache(fake_gemini, tmp_path):
    fake_gemini.failures = ["malformed"]
    cache = ResponseCache(tmp_path)
    first = labeler(fake_gemini, attempts=1, cache=cache).run([make_candidate("a", True)])
    assert list(first.pending) == ["a"] and first.errors[0].kind == "malformed"
    before = len(fake_gemini.requests)
    second = labeler(fake_gemini, attempts=1, cache=cache).run([make_candidate("a", True)])
    assert not second.pending and second.labels[0].is_soe
    assert len(fake_gemini.requests) - before == 1  # only the representation that failed is asked again


def test_label_raises_one_line_error_when_candidates_stay_pending(fake_gemini):
    fake_gemini.failures = [error_response(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")]
    with pytest.raises(GeminiError) as caught:
        labeler(fake_gemini, attempts=1).label([make_candidate("a", True)])
    assert caught.value.kind == "bad-key"
    assert "test-key-123" not in str(caught.value) and "\n" not in str(caught.value)


def test_quota_exhausted_stops_further_requests(fake_gemini):
    fake_gemini.failures = [error_response(429, "RESOURCE_EXHAUSTED")] * 2
    candidates = [make_candidate("a", True, sha="doc-a"), make_candidate("b", True, sha="doc-b")]
    run = labeler(fake_gemini, attempts=1).run(candidates)
    assert run.fatal is not None and run.fatal.kind == "quota"
    assert set(run.pending) == {"a", "b"}
    assert len(fake_gemini.requests) == 1


def test_cache_hit_sends_no_second_request(fake_gemini, tmp_path):
    cache = ResponseCache(tmp_path)
    candidates = [make_candidate("a", True), make_candidate("b", False)]
    first = labeler(fake_gemini, cache=cache).label(candidates)
    sent = len(fake_gemini.requests)
    second = labeler(fake_gemini, cache=cache).label(candidates)
    assert len(fake_gemini.requests) == sent == 2
    assert [(l.is_soe, l.confidence) for l in first] == [(l.is_soe, l.confidence) for l in second]


def test_cache_is_keyed_by_model(fake_gemini, tmp_path):
    cache = ResponseCache(tmp_path)
    labeler(fake_gemini, cache=cache).label([make_candidate("a", True)])
    labeler(fake_gemini, cache=cache, model="gemini-other").label([make_candidate("a", True)])
    assert len(fake_gemini.requests) == 4


@pytest.mark.parametrize("sink", ["memory", "store"])
def test_ledger_totals_tokens_and_cost_per_document(fake_gemini, tmp_path, sink):
    if sink == "store":
        from soe_desktop.core.store import Store

        ledger = Store(tmp_path / "soe.db")
    else:
        ledger = MemoryLedger()
    prices = Prices(input_per_mtok=1.0, output_per_mtok=10.0)
    candidates = [make_candidate("a", True, sha="doc-a"), make_candidate("b", True, sha="doc-b")]
    cache = ResponseCache(tmp_path / "cache")
    run = labeler(fake_gemini, ledger=ledger, prices=prices, cache=cache).run(candidates)
    labeler(fake_gemini, ledger=ledger, prices=prices, cache=cache).run(candidates)  # all cached: free
    per_document = ledger.ledger_totals()
    total = grand_total(per_document)
    assert [row["document_sha256"] for row in per_document] == ["doc-a", "doc-b"]
    assert total["input_tokens"] == 400 and total["output_tokens"] == 40
    assert total["cost_usd"] == pytest.approx((400 * 1.0 + 40 * 10.0) / 1e6)
    assert total["requests"] == 4 and total["cached_items"] == 4 and total["failed_requests"] == 0
    assert run.usage["doc-a"].requests == 2 and run.usage["doc-a"].cost_usd == pytest.approx(4e-4)
    assert "test-key-123" not in json.dumps(ledger.ledger())


def test_self_consistency_samples_use_candidate_count(fake_gemini):
    answers = iter([True, False, True] * 4)
    fake_gemini.decide = lambda text, kind: (next(answers), 0.9)
    label = labeler(fake_gemini, samples=3).label([make_candidate("a", True)])[0]
    body = json.loads(fake_gemini.requests[0].content)
    assert body["generationConfig"]["candidateCount"] == 3
    assert label.details["consistency"] == pytest.approx(2 / 3, abs=1e-3)
    assert label.confidence < 0.9


def test_token_logprobs_when_served_enter_the_confidence(fake_gemini):
    confident = labeler(fake_gemini).label([make_candidate("a", True)])[0]
    fake_gemini.logprob = -0.7  # p ~ 0.5 for the is_soe token
    hesitant = labeler(fake_gemini, request_logprobs=True).label([make_candidate("a", True)])[0]
    body = json.loads(fake_gemini.requests[-1].content)
    assert body["generationConfig"]["responseLogprobs"] is True
    assert hesitant.confidence < confident.confidence


def test_calibrator_maps_confidence_and_is_recorded(fake_gemini):
    from soe_desktop.core.labeling.calibration import fit_calibrator

    raw = [0.9] * 20 + [0.1] * 20
    human = [True] * 12 + [False] * 8 + [False] * 20  # "0.9 SoE" is right only 60 % of the time
    calibrator = fit_calibrator(raw, human)
    label = labeler(fake_gemini, calibrator=calibrator).label([make_candidate("a", True)])[0]
    assert label.is_soe and label.confidence == pytest.approx(0.6)
    assert label.details["confidence_raw"] == pytest.approx(0.9)
    assert label.details["calibration"] == "isotonic:40"


def test_malformed_answer_still_counts_its_tokens(fake_gemini):
    fake_gemini.failures = ["malformed"]
    ledger = MemoryLedger()
    run = labeler(fake_gemini, attempts=1, ledger=ledger).run([make_candidate("a", True)])
    usage = run.usage["doc-a"]
    assert usage.requests == 2 and usage.failed_requests == 1 and usage.input_tokens == 200
    assert grand_total(ledger.ledger_totals())["failed_requests"] == 1


def test_api_key_never_reaches_the_logs(fake_gemini, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    fake_gemini.failures = [error_response(429, "RESOURCE_EXHAUSTED"), error_response(400, "INVALID_ARGUMENT", "bad")]
    labeler(fake_gemini, attempts=2).run([make_candidate("a", True)])
    assert caplog.records  # the SDK did log its retry
    assert "test-key-123" not in caplog.text
