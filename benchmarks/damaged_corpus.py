"""Damaged copies of a real protocol: how many `soe triage` still reads, and how many pages each keeps.

The same seeded mutations as the test suite's fuzzer (byte flips, cut chunks, truncation, repeated
chunks, zeroed tail: core/synthetic/damaged.py), applied to a corpus protocol instead of a synthetic
one, each copy triaged by a fresh `soe triage --json` child with a time limit. The copies live in a
temporary folder and are deleted afterwards; nothing from the corpus enters the repository.
Skips (exit 0) when ../shared/corpus is absent.

    nice -n 10 .venv/bin/python benchmarks/damaged_corpus.py [--protocol d4k_CDISC_Pilot_USDM_render]
        [--copies 40] [--seed 0] [--timeout 300] [--no-append]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soe_desktop.core.synthetic.damaged import write_mutants  # noqa: E402

from publish import publish  # noqa: E402  (same folder)

SOE = str(Path(sys.executable).with_name("soe"))
CORPUS = ROOT.parent / "shared" / "corpus"


def triage(pdf: Path, env: dict, timeout: float) -> tuple[str, dict | str]:
    """('triaged', payload) | ('refused', its one line) | ('crash', stderr tail) | ('hang', '')."""
    try:
        run = subprocess.run([SOE, "triage", str(pdf), "--json", "--quiet"], capture_output=True, text=True,
                             env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", ""
    error = run.stderr.strip()
    if run.returncode == 0:
        return "triaged", json.loads(run.stdout)
    lines = error.splitlines()
    if run.returncode == 1 and len(lines) == 1 and lines[0].startswith("error:"):
        return "refused", lines[0]
    return "crash", error[-400:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default="d4k_CDISC_Pilot_USDM_render")
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a triage counts as a hang")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    source = CORPUS / args.protocol / "protocol.pdf"
    if not source.is_file():
        print(f"skipped: {source} not found (the corpus lives in ../shared/corpus)")
        return
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        env = {**os.environ, "SOE_DESKTOP_CONFIG_DIR": str(work / "config"), "SOE_DESKTOP_DATA_DIR": str(work / "data")}
        intact = triage(source, env, args.timeout)[1]
        results = [(mutant, *triage(mutant.path, env, args.timeout))
                   for mutant in write_mutants(source, work / "mutants", args.copies, args.seed)]
    publish(_report(args, intact, results), append=not args.no_append)


def _report(args, intact: dict, results) -> str:
    outcomes = Counter(outcome for _, outcome, _ in results)
    triaged = [payload for _, outcome, payload in results if outcome == "triaged"]
    pages = intact["document"]["pages"]
    kept = sorted(payload["document"]["pages"] - len(payload.get("unreadable_pages", [])) for payload in triaged)
    same_soe = sum(payload["soe_pages"] == intact["soe_pages"] for payload in triaged)
    by_kind = Counter((mutant.kind, outcome) for mutant, outcome, _ in results)
    kinds = sorted({mutant.kind for mutant, _, _ in results})
    lines = [
        f"## Damaged copies of a real protocol ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `nice -n 10 .venv/bin/python benchmarks/damaged_corpus.py --protocol {args.protocol} "
        f"--copies {args.copies} --seed {args.seed}`",
        f"- intact protocol: {pages} pages, SoE pages {intact['soe_pages']}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| copies triaged (possibly with unreadable pages) | {len(triaged)} / {len(results)} "
        f"({100 * len(triaged) / max(len(results), 1):.0f} %) |",
        f"| of which repaired with qpdf | {sum(bool(p['document'].get('repaired')) for p in triaged)} |",
        f"| refused with a one-line message | {outcomes['refused']} |",
        f"| tracebacks / crashes | {outcomes['crash']} |",
        f"| hangs (over {args.timeout:.0f} s) | {outcomes['hang']} |",
        f"| readable pages kept per triaged copy (min / median / max of {pages}) | "
        + (f"{kept[0]} / {kept[len(kept) // 2]} / {kept[-1]} |" if kept else "– |"),
        f"| triaged copies whose SoE pages equal the intact protocol's | {same_soe} / {len(triaged)} |",
        "",
        "| mutation | triaged | refused | crash | hang |",
        "|---|---|---|---|---|",
        *(f"| {kind} | {by_kind[kind, 'triaged']} | {by_kind[kind, 'refused']} | {by_kind[kind, 'crash']} | "
          f"{by_kind[kind, 'hang']} |" for kind in kinds),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
