"""The Gemini teacher (google-genai SDK): asks about every candidate in both representations.

Each request carries several candidates of one document in ONE representation (a batch), so
the model judges the `json` and the `text` view of a table independently; their agreement is
the paper's trust signal (confidence.py). Answers are typed by a response schema, cached on
disk (cache.py) and their tokens go to the cost ledger. Retries on 408/429/5xx and timeouts
are the SDK's own (`HttpRetryOptions`). A batch that still fails leaves its candidates
*pending*: the rest are labelled, and the pending ones are asked again on the next run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from typing import Optional, Sequence

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, TypeAdapter, ValidationError

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.labeling.cache import LedgerSink, Prices, ResponseCache, Usage, Vote, cache_key, ledger_row
from soe_desktop.core.labeling.calibration import Calibrator
from soe_desktop.core.labeling.groups import group_consensus
from soe_desktop.core.labeling.confidence import combine, token_probability
from soe_desktop.core.labeling.keys import ApiKey, redact
from soe_desktop.core.labeling.uncertain_reading import temper_uncertain
from soe_desktop.core.model import REPRESENTATIONS, Candidate, Label, from_p_soe, to_p_soe
from soe_desktop.core.settings import GEMINI_MODEL, PRICE_INPUT_PER_MTOK, PRICE_OUTPUT_PER_MTOK
from soe_desktop.resources import prompt_file

DEFAULT_PROMPT_FILE = prompt_file()
MAX_REPRESENTATION_CHARS = 12_000  # bounds the cost of one huge extracted table
RETRYABLE_STATUS = [408, 429, 500, 502, 503, 504]
# Failures after which further requests in this run cannot succeed.
FATAL_KINDS = {"bad-key", "quota", "network"}


class Verdict(BaseModel):
    """The response schema: one answer per table in the request."""

    candidate_id: str
    is_soe: bool
    confidence: float
    reason: str


VERDICTS = TypeAdapter(list[Verdict])


class GeminiError(SoeError):
    """A request failed; `kind` tells the user what to do (bad-key, quota, network, timeout, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Prompt:
    """The versioned prompt; its version is stored with every label and in every cache key."""

    version: str
    template: str
    notes: dict[str, str]

    def render(self, kind: str, items: Sequence[tuple[str, str]]) -> str:
        blocks = "\n\n".join(f"--- table {item_id} ---\n{text}" for item_id, text in items)
        return Template(self.template).substitute(representation_note=self.notes[kind], items=blocks)


def load_prompt(path: str | Path | Traversable = DEFAULT_PROMPT_FILE) -> Prompt:
    """Parse a prompt file: a `prompt-version:` line, then `=== name ===` sections."""
    text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    match = re.match(r"prompt-version:\s*(\S+)", text)
    if not match:
        raise ValueError(f"{path}: first line must be 'prompt-version: <version>'")
    parts = re.split(r"^=== (.+?) ===\s*$", text, flags=re.MULTILINE)
    sections = {name.strip(): body.strip() for name, body in zip(parts[1::2], parts[2::2])}
    notes = {kind: sections[f"note {kind}"] for kind in REPRESENTATIONS}
    return Prompt(version=match.group(1), template=sections["template"], notes=notes)


def classify_error(error: Exception, key: Optional[ApiKey] = None) -> GeminiError:
    """Turn an SDK/httpx/parse error into a GeminiError with a one-line, key-free message."""
    if isinstance(error, GeminiError):
        return error
    if isinstance(error, httpx.TimeoutException):
        return GeminiError("timeout", "Gemini did not answer in time (timeout)")
    if isinstance(error, (httpx.ConnectError, httpx.NetworkError)):
        return GeminiError("network", "cannot reach Gemini (network down?)")
    if isinstance(error, genai_errors.APIError):
        detail = redact(str(error.message or error.status or ""), key)[:200]
        code = error.code or 0
        if code in (401, 403) or (code == 400 and "api key" in detail.lower()):
            return GeminiError("bad-key", f"Gemini rejected the API key ({code}): {detail}")
        if code == 429:
            return GeminiError("quota", f"Gemini quota or rate limit exceeded (429): {detail}")
        if code >= 500:
            return GeminiError("server", f"Gemini server error ({code}): {detail}")
        return GeminiError("request", f"Gemini refused the request ({code}): {detail}")
    if isinstance(error, (ValueError, ValidationError)):
        return GeminiError("malformed", f"Gemini's answer did not match the schema: {redact(str(error), key)[:200]}")
    return GeminiError("unknown", redact(f"{type(error).__name__}: {error}", key)[:200])


def build_client(
    key: ApiKey,
    timeout_s: float = 60.0,
    retry_attempts: int = 4,
    initial_delay_s: float = 2.0,
    max_delay_s: float = 60.0,
    httpx_client: Optional[httpx.Client] = None,
) -> genai.Client:
    """A client whose retries/backoff (408, 429, 5xx, timeouts) and timeout are the SDK's."""
    retry = types.HttpRetryOptions(
        attempts=retry_attempts,
        initial_delay=initial_delay_s,
        max_delay=max_delay_s,
        http_status_codes=RETRYABLE_STATUS,
    )
    options = types.HttpOptions(timeout=int(timeout_s * 1000), retry_options=retry, httpx_client=httpx_client)
    return genai.Client(api_key=key.value, http_options=options)


def response_votes(response: types.GenerateContentResponse) -> list[list[tuple[Verdict, Optional[float]]]]:
    """Per sample (response candidate): the parsed verdicts with the is_soe token probability if served."""
    samples = []
    for candidate in response.candidates or []:
        parts = candidate.content.parts if candidate.content and candidate.content.parts else []
        text = "".join(part.text or "" for part in parts)
        verdicts = VERDICTS.validate_python(json.loads(text))
        samples.append(list(zip(verdicts, _verdict_token_probs(candidate, len(verdicts)))))
    if not samples:
        raise ValueError("the response has no candidates")
    return samples


def _verdict_token_probs(candidate: types.Candidate, count: int) -> list[Optional[float]]:
    """The probability of each `true`/`false` token, in order, when logprobs were served for all."""
    chosen = candidate.logprobs_result.chosen_candidates if candidate.logprobs_result else None
    booleans = [
        token_probability(token.log_probability)
        for token in chosen or []
        if (token.token or "").strip().strip('",:') in ("true", "false")
    ]
    return booleans if len(booleans) == count else [None] * count


@dataclass
class GeminiRun:
    """What one labelling run produced: labels, pending candidates (id -> reason), spend per document."""

    labels: list[Label] = field(default_factory=list)
    pending: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Usage] = field(default_factory=dict)
    errors: list[GeminiError] = field(default_factory=list)

    @property
    def fatal(self) -> Optional[GeminiError]:
        return next((error for error in self.errors if error.kind in FATAL_KINDS), None)


@dataclass
class _Item:
    candidate: Candidate
    kind: str
    text: str
    key: str


class GeminiLabeler:
    """Labeler whose source is "gemini". Use `run` to see pending candidates and spend."""

    name = "gemini"

    def __init__(
        self,
        client: genai.Client,
        model: str = GEMINI_MODEL,
        samples: int = 1,
        batch_size: int = 8,
        cache: Optional[ResponseCache] = None,
        ledger: Optional[LedgerSink] = None,
        prices: Prices = Prices(PRICE_INPUT_PER_MTOK, PRICE_OUTPUT_PER_MTOK),
        prompt: Optional[Prompt] = None,
        calibrator: Optional[Calibrator] = None,
        sample_mode: str = "candidates",  # candidates: one request, candidate_count=n | calls: n requests
        request_logprobs: bool = False,
        thinking_budget: Optional[int] = None,
        key: Optional[ApiKey] = None,  # only to redact it from error messages
    ) -> None:
        if samples < 1 or batch_size < 1:
            raise ValueError("samples and batch_size must be at least 1")
        self.client, self.model, self.samples, self.batch_size = client, model, samples, batch_size
        self.cache, self.ledger, self.prices = cache, ledger, prices
        self.prompt = prompt or load_prompt()
        self.calibrator, self.sample_mode, self.key = calibrator, sample_mode, key
        self.request_logprobs = request_logprobs
        # Thinking tokens are billed as output; a yes/no judgement does not need them on flash models.
        self.thinking_budget = thinking_budget if thinking_budget is not None else (0 if "flash" in model else None)

    # -- requests -------------------------------------------------------------------------
    def _config(self) -> types.GenerateContentConfig:
        many = self.samples > 1
        return types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=list[Verdict],
            temperature=0.7 if many else 0.0,
            candidate_count=self.samples if many and self.sample_mode == "candidates" else None,
            response_logprobs=True if self.request_logprobs else None,
            thinking_config=(
                None if self.thinking_budget is None else types.ThinkingConfig(thinking_budget=self.thinking_budget)
            ),
        )

    def _ask(self, kind: str, items: Sequence[_Item], usage: Usage) -> dict[str, list[Vote]]:
        """One batch in one representation -> votes per item (raises GeminiError)."""
        local_ids = [f"t{index + 1}" for index in range(len(items))]
        shown = [(lid, item.text[:MAX_REPRESENTATION_CHARS]) for lid, item in zip(local_ids, items)]
        prompt = self.prompt.render(kind, shown)
        calls = self.samples if self.samples > 1 and self.sample_mode == "calls" else 1
        votes: dict[str, list[Vote]] = {lid: [] for lid in local_ids}
        for _ in range(calls):
            samples = self._request(kind, prompt, usage)
            for sample in samples:
                for verdict, token_p in sample:
                    if verdict.candidate_id in votes:
                        confidence = min(max(verdict.confidence, 0.0), 1.0)
                        votes[verdict.candidate_id].append(Vote(verdict.is_soe, confidence, verdict.reason, token_p))
        # At most `samples` votes per table, even if the model repeated an id.
        return {item.key: votes[lid][: self.samples] for lid, item in zip(local_ids, items) if votes[lid]}

    def _request(self, kind: str, prompt: str, usage: Usage) -> list[list[tuple[Verdict, Optional[float]]]]:
        """One request; its tokens go to the ledger even when the answer does not parse."""
        response = None
        try:
            response = self.client.models.generate_content(model=self.model, contents=prompt, config=self._config())
            samples = response_votes(response)
        except Exception as error:  # every failure becomes one GeminiError kind
            self._record_response(usage, kind, response.usage_metadata if response else None, "failed")
            raise classify_error(error, self.key) from error
        self._record_response(usage, kind, response.usage_metadata, "answered")
        return samples

    # -- the run ----------------------------------------------------------------------------
    def _items(self, candidates: Sequence[Candidate]) -> list[_Item]:
        items = []
        for candidate in candidates:
            for kind in REPRESENTATIONS:
                text = candidate.representation(kind)
                items.append(_Item(candidate, kind, text, cache_key(self.model, self.prompt.version, kind, text)))
        return items

    def _batches(self, items: Sequence[_Item]) -> list[tuple[str, list[_Item]]]:
        """Batches of one document and one representation, at most batch_size items each."""
        groups: dict[tuple[str, str], list[_Item]] = {}
        for item in items:
            groups.setdefault((item.candidate.document_sha256, item.kind), []).append(item)
        return [
            (kind, group[start : start + self.batch_size])
            for (_, kind), group in groups.items()
            for start in range(0, len(group), self.batch_size)
        ]

    def _usage(self, run: GeminiRun, sha: str) -> Usage:
        return run.usage.setdefault(sha, Usage(sha, self.model, self.prompt.version))

    def run(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> GeminiRun:
        """Label what can be labelled; everything else is reported in `pending`.

        The labels are final: a continued table judged as one, then those on pages read uncertainly
        (OCR, sideways, stamped, redacted) capped like the offline labelers' (`_settle`), so no
        caller of `run` (the routing, the cloud gate, `label`) gets a sure label on a misread page.
        """
        progress = progress or no_progress
        run = GeminiRun()
        votes: dict[str, list[Vote]] = {}
        missing = []
        for item in self._items(candidates):
            cached = self.cache.get(item.key) if self.cache is not None else []
            if len(cached) >= self.samples:
                votes[item.key] = cached[: self.samples]
                usage = self._usage(run, item.candidate.document_sha256)
                usage.cached_items += 1
                self._write_ledger(ledger_row(usage, item.kind, 0, 0, self.prices, "cached"))
            else:
                missing.append(item)
        batches = self._batches(missing)
        failed: dict[str, str] = {}
        for done, (kind, batch) in enumerate(batches, start=1):
            check(cancel)
            if run.fatal:
                failed.update({item.key: str(run.fatal) for item in batch})
                continue
            answered = self._ask_batch(kind, batch, run, failed)
            votes.update(answered)
            progress(Progress("labelling", done, len(batches), f"Gemini: {kind} batch {done}/{len(batches)}"))
        self._assemble(candidates, votes, failed, run)
        run.labels = self._settle(candidates, run.labels)
        return run

    @staticmethod
    def _settle(candidates: Sequence[Candidate], labels: Sequence[Label]) -> list[Label]:
        """The table's verdict over all its pages first (groups.py), then each misread page of it
        left for a person (uncertain_reading.py): capping before the consensus would let the table's
        mean lift a misread page back to a sure verdict."""
        return temper_uncertain(candidates, group_consensus(candidates, labels))

    def _ask_batch(
        self, kind: str, batch: list[_Item], run: GeminiRun, failed: dict[str, str]
    ) -> dict[str, list[Vote]]:
        usage = self._usage(run, batch[0].candidate.document_sha256)
        try:
            answered = self._ask(kind, batch, usage)
        except GeminiError as error:
            run.errors.append(error)
            failed.update({item.key: str(error) for item in batch})
            return {}
        for item in batch:
            if item.key in answered and self.cache is not None:
                meta = {"model": self.model, "prompt_version": self.prompt.version, "kind": kind}
                self.cache.put(item.key, answered[item.key], **meta)
            elif item.key not in answered:
                failed[item.key] = "Gemini's answer left this table out"
        return answered

    def _assemble(
        self, candidates: Sequence[Candidate], votes: dict[str, list[Vote]], failed: dict[str, str], run: GeminiRun
    ) -> None:
        by_candidate: dict[str, list[_Item]] = {}
        for item in self._items(candidates):
            by_candidate.setdefault(item.candidate.id, []).append(item)
        for candidate in candidates:
            items = by_candidate[candidate.id]
            if all(item.key in votes for item in items):
                run.labels.append(self._label(candidate, {item.kind: votes[item.key] for item in items}))
            else:
                reasons = [failed.get(item.key, "not asked") for item in items if item.key not in votes]
                run.pending[candidate.id] = reasons[0]

    def _label(self, candidate: Candidate, votes: dict[str, list[Vote]]) -> Label:
        combined = combine(votes)
        is_soe, confidence = combined.is_soe, combined.confidence
        details = combined.details() | {
            "model": self.model, "prompt_version": self.prompt.version, "samples": self.samples,
            "confidence_raw": round(confidence, 4), "raw_p_soe": round(to_p_soe(is_soe, confidence), 4),
            "calibration": None,
        }
        if self.calibrator is not None:
            is_soe, confidence = from_p_soe(float(self.calibrator.transform(to_p_soe(is_soe, confidence))))
            details["calibration"] = f"{self.calibrator.method}:{self.calibrator.n_labels}"
        reason = combined.per_representation.get("text", {}).get("reason", "")
        return Label(candidate.id, is_soe, confidence, self.name, reason=reason, agree=combined.agree, details=details)

    def _record_response(
        self, usage: Usage, kind: str, meta: Optional[types.GenerateContentResponseUsageMetadata], outcome: str
    ) -> None:
        """Count one request (answered or failed); thinking tokens are billed as output."""
        input_tokens = (meta.prompt_token_count or 0) if meta else 0
        output_tokens = ((meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0)) if meta else 0
        row = ledger_row(usage, kind, input_tokens, output_tokens, self.prices, outcome)
        usage.requests += 1
        usage.failed_requests += outcome == "failed"
        usage.input_tokens += input_tokens
        usage.output_tokens += output_tokens
        usage.cost_usd += row["cost_usd"]
        self._write_ledger(row)

    def _write_ledger(self, row: dict) -> None:
        if self.ledger is not None:
            self.ledger.add_ledger(**row)

    def label(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Label]:
        """Labeler protocol: one label per candidate, or GeminiError when any is left pending."""
        run = self.run(candidates, progress, cancel)
        if run.pending:
            first = run.errors[0] if run.errors else GeminiError("incomplete", next(iter(run.pending.values())))
            raise GeminiError(first.kind, f"{len(run.pending)} of {len(candidates)} candidates pending: {first}")
        return run.labels  # settled by `run`: one verdict per continued table, misread pages capped
