"""Test helpers for the Gemini teacher: a google-genai client whose HTTP goes to a fake server.

The fake answers each generateContent request from a `decide(table_text, kind)` function, so a
test states what the model "thinks" of each table in each representation, and can inject
429/503 responses, timeouts or malformed JSON. No network is touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import httpx

from soe_desktop.core.labeling.gemini import build_client
from soe_desktop.core.labeling.keys import ApiKey
from soe_desktop.core.model import Candidate

TABLE_BLOCK = re.compile(r"^--- table (t\d+) ---\n(.*?)(?=^--- table t\d+ ---|\Z)", re.MULTILINE | re.DOTALL)


def kind_of(prompt: str) -> str:
    return "json" if "given as JSON" in prompt else "text"


def default_decide(text: str, kind: str) -> tuple[bool, float]:
    """A table mentioning 'Screening' is an SoE; 0.9 sure either way."""
    return ("Screening" in text, 0.9)


@dataclass
class FakeGemini:
    """Records requests; answers with verdicts from `decide`, or with queued failures first."""

    decide: Callable[[str, str], tuple[bool, float]] = default_decide
    failures: list = field(default_factory=list)  # httpx.Response | Exception | "malformed", used in order
    requests: list = field(default_factory=list)
    input_tokens: int = 100
    output_tokens: int = 10
    logprob: Optional[float] = None

    def prompt_of(self, request: httpx.Request) -> str:
        body = json.loads(request.content)
        return body["contents"][0]["parts"][0]["text"]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            if failure == "malformed":
                return self._ok(request, text='[{"candidate_id": "t1", "is_soe": tru')
            return failure
        return self._ok(request)

    def _ok(self, request: httpx.Request, text: Optional[str] = None) -> httpx.Response:
        body = json.loads(request.content)
        prompt = self.prompt_of(request)
        samples = body.get("generationConfig", {}).get("candidateCount") or 1
        candidates = []
        for index in range(samples):
            verdicts = self.verdicts(prompt)
            candidate = {
                "content": {"role": "model", "parts": [{"text": text if text is not None else json.dumps(verdicts)}]},
                "finishReason": "STOP",
                "index": index,
            }
            if self.logprob is not None:
                candidate["logprobsResult"] = {"chosenCandidates": [
                    {"token": json.dumps(v["is_soe"]), "logProbability": self.logprob} for v in verdicts
                ]}
            candidates.append(candidate)
        usage = {"promptTokenCount": self.input_tokens, "candidatesTokenCount": self.output_tokens,
                 "totalTokenCount": self.input_tokens + self.output_tokens}
        return httpx.Response(200, json={"candidates": candidates, "usageMetadata": usage})

    def verdicts(self, prompt: str) -> list[dict]:
        kind = kind_of(prompt)
        answers = []
        for table_id, table_text in TABLE_BLOCK.findall(prompt):
            is_soe, confidence = self.decide(table_text, kind)
            answers.append({"candidate_id": table_id, "is_soe": is_soe, "confidence": confidence, "reason": "fake"})
        return answers

    def client(self, attempts: int = 3):
        transport = httpx.Client(transport=httpx.MockTransport(self.handler))
        return build_client(ApiKey("test-key-123", "env:GEMINI_API_KEY"), timeout_s=5, retry_attempts=attempts,
                            initial_delay_s=0.001, max_delay_s=0.002, httpx_client=transport)


def error_response(code: int, status: str, message: str = "fake failure") -> httpx.Response:
    return httpx.Response(code, json={"error": {"code": code, "message": message, "status": status}})


def make_candidate(cid: str, soe: bool, sha: str = "doc-a", page: int = 1) -> Candidate:
    """A small table; SoE-like ones carry 'Screening' in their cells."""
    first = "Screening" if soe else "Dose level"
    rows = [["Procedure", first, "Day 1", "Week 4"], ["Vital signs", "X", "X", "X"], [f"Row of {cid}", "", "X", ""]]
    return Candidate(id=cid, document_sha256=sha, page=page, bbox=(0.0, 0.0, 100.0, 100.0),
                     detector="pdfplumber", rows=rows, context=f"Table {cid} on page {page}")
