"""Fold splits of the selective fine-tuning experiment: random by document, or sponsor-out.

Why sponsor-out: a sponsor writes its protocols from one template (section order, table style,
visit naming). Random folds by document let a student see that template in training and then
score the same sponsor's other protocols, which overstates how it does on a new sponsor's
protocols, the situation a user retrains for. Sponsor-out folds never split a sponsor's documents
across training and test.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from typing import Sequence

# Documents that are the same study under another folder name: the CDISC pilot protocol is Eli
# Lilly's H2Q-MC-LZZT (the corpus INDEX names Lilly as its sponsor), its ICH M11 and USDM
# renderings are that protocol re-authored, and negatives_clinical holds the same study's CRF.
SAME_STUDY = {"d4k_CDISC_Pilot": "EliLilly", "d4k_CDISC_Pilot_ICH_M11": "EliLilly",
              "d4k_CDISC_Pilot_USDM_render": "EliLilly", "negatives_clinical": "EliLilly"}
_NCT = re.compile(r"^NCT\d{8}$")


def sponsor_of(name: str) -> str:
    """The sponsor in a corpus folder name: agt_<NCT>_<Sponsor>, d4k_<Sponsor>_<NCT>_<area>; the
    all-negative folders (`pdfplumber_fixtures/x.pdf`) are one group per folder."""
    folder = name.split("/", 1)[0]
    if folder in SAME_STUDY:
        return SAME_STUDY[folder]
    parts = folder.split("_")
    if parts[0] in ("agt", "d4k") and len(parts) >= 3:
        words = [part for part in parts[1:] if not _NCT.match(part)]
        return words[-1] if parts[0] == "agt" else words[0]
    return folder


def random_folds(names: Sequence[str], has_soe: dict[str, bool], k: int, seed: int) -> list[list[str]]:
    """Folds by document, stratified so every fold gets its share of protocols with an SoE."""
    rng = random.Random(seed)
    folds: list[list[str]] = [[] for _ in range(k)]
    for group in ([n for n in names if has_soe[n]], [n for n in names if not has_soe[n]]):
        rng.shuffle(group)
        for index, name in enumerate(sorted(group, key=lambda _: rng.random())):
            folds[index % k].append(name)
    return folds


def sponsor_folds(names: Sequence[str], has_soe: dict[str, bool], k: int, seed: int) -> list[list[str]]:
    """k folds of whole sponsors, balanced greedily: the sponsor with the most SoE protocols goes
    first, each to the fold that holds the fewest SoE protocols so far (then the fewest documents);
    the seed only breaks ties, so different seeds give different splits of the small sponsors."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        groups[sponsor_of(name)].append(name)
    rng = random.Random(seed)
    order = sorted(groups, key=lambda s: (-sum(has_soe[n] for n in groups[s]), -len(groups[s]), rng.random()))
    folds: list[list[str]] = [[] for _ in range(min(k, len(groups)))]
    for sponsor in order:
        target = min(range(len(folds)), key=lambda i: (sum(has_soe[n] for n in folds[i]), len(folds[i]), rng.random()))
        folds[target].extend(groups[sponsor])
    return folds


def make_folds(kind: str, names: Sequence[str], has_soe: dict[str, bool], k: int, seed: int) -> list[list[str]]:
    if kind == "sponsor":
        return sponsor_folds(names, has_soe, k, seed)
    if kind == "random":
        return random_folds(names, has_soe, k, seed)
    raise ValueError(f"unknown fold kind {kind!r}; expected 'sponsor' or 'random'")


def fold_sponsors(fold: Sequence[str]) -> list[str]:
    """The sponsors a fold's test documents come from (for the report)."""
    return sorted({sponsor_of(name) for name in fold})


def sponsors_split(folds: Sequence[Sequence[str]]) -> list[str]:
    """Sponsors with documents in more than one fold (empty for sponsor-out folds)."""
    seen: dict[str, set[int]] = defaultdict(set)
    for index, fold in enumerate(folds):
        for name in fold:
            seen[sponsor_of(name)].add(index)
    return sorted(sponsor for sponsor, where in seen.items() if len(where) > 1)
