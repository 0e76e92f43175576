"""Seeded, bounded mutation fuzzing over a synthetic protocol: byte flips, cut chunks, truncation,
repeated chunks and a zeroed tail. Only typed errors (SoeError) may escape, nothing may hang, and
the share triaged is printed (docs/RELIABILITY.md). SOE_FUZZ_CASES=N runs N cases per layout
(default 15), SOE_FUZZ_SEED picks the positions."""

from __future__ import annotations

import os
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, TimeoutError

import pytest

from soe_desktop.core.app.triage import triage
from soe_desktop.core.errors import SoeError
from soe_desktop.core.pdf.analysis import AnalysisOptions
from soe_desktop.core.synthetic.damaged import write_catalog_first, write_mutants, write_small_protocol

CASES = int(os.environ.get("SOE_FUZZ_CASES", "15"))
SEED = int(os.environ.get("SOE_FUZZ_SEED", "16"))
CASE_TIMEOUT_S = 120  # far above a case's few seconds: only a hang reaches it
OPTIONS = dict(ocr=False, page_time_limit_s=20.0, document_time_limit_s=60.0)


def run_case(path, repair_dir) -> str:
    """'triaged', 'refused' (a typed one-line error) or 'traceback: ...'."""
    try:
        result = triage(path, options=AnalysisOptions(repair_dir=str(repair_dir), **OPTIONS))
        result.to_json()
        return "triaged"
    except SoeError as error:
        assert "\n" not in str(error)
        return "refused"
    except Exception:  # what the user must never see
        return "traceback: " + traceback.format_exc(limit=3)


@pytest.mark.parametrize("layout", ["reportlab", "catalog first"])
def test_mutated_protocols_triage_or_refuse_with_one_line(tmp_path, layout):
    source = write_small_protocol(tmp_path / "protocol.pdf")
    if layout == "catalog first":
        source = write_catalog_first(source, tmp_path / "rewritten.pdf")
    outcomes: Counter = Counter()
    by_kind: dict[str, Counter] = {}
    tracebacks, hangs = [], []
    with ThreadPoolExecutor(max_workers=1) as pool:
        for mutant in write_mutants(source, tmp_path / "mutants", CASES, seed=SEED):
            future = pool.submit(run_case, mutant.path, tmp_path / "repaired")
            try:
                outcome = future.result(timeout=CASE_TIMEOUT_S)
            except TimeoutError:
                hangs.append(mutant)
                break  # the worker is stuck: the rest cannot run
            kind = "traceback" if outcome.startswith("traceback") else outcome
            if kind == "traceback":
                tracebacks.append((mutant, outcome))
            outcomes[kind] += 1
            by_kind.setdefault(mutant.kind, Counter())[kind] += 1
    tried = sum(outcomes.values())
    print(f"\nfuzz ({layout}, seed {SEED}): {tried} mutants, triaged {outcomes['triaged']} "
          f"({outcomes['triaged'] / max(tried, 1):.0%}), refused {outcomes['refused']}, "
          f"tracebacks {len(tracebacks)}, hangs {len(hangs)}; " +
          ", ".join(f"{kind} {dict(counts)}" for kind, counts in by_kind.items()))
    assert not hangs, f"hung on {hangs[0]}"
    assert not tracebacks, tracebacks[0][1]
    assert outcomes["triaged"] > 0
