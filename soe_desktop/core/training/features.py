"""The candidate's numeric layout cues as a standardised vector, for the head of the fused student.

Why: the worded prefix (inputs.py) buckets numbers into words, which loses most of what the cues
carry (the heuristic teacher, which reads them as numbers, reaches page F1 0.97: docs/BENCHMARKS.md).
Joining the numbers to the pooled text embedding gives the head both. Counts are heavy-tailed (0 to hundreds of marks), so
each value is squashed with a signed log1p before z-scoring; the mean/std are fitted on the
training candidates and saved with the model so inference standardises identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from soe_desktop.core.labeling.groups import groups_of
from soe_desktop.core.labeling.heuristic import EVIDENCE_LIMIT, grid_logit, page_prior, text_evidence
from soe_desktop.core.model import Candidate
from soe_desktop.core.pdf.features import SCREEN_LOGIT
from soe_desktop.core.pdf.grouping import TEXT_BLOCK, WHOLE_PAGE

# Scores of fitted models are not layout cues (a teacher's P(SoE) would tie the student to that
# teacher). The page screen's logit is the one exception, taken only when asked (see `screen_logit`).
EXCLUDED_FEATURE_MARKERS = ("score", "p_soe", "probability", "logit")
SCREEN_LOGIT_LIMIT = 10.0


def is_layout_feature(name: str) -> bool:
    """True for raw layout cues, False for keys that are outputs of fitted models."""
    lowered = name.lower()
    return not any(marker in lowered for marker in EXCLUDED_FEATURE_MARKERS)


def screen_logit(candidate: Candidate) -> float:
    """The page screen's logit for the candidate's page, clipped to ±10.

    Why the student gets it: the page model was fitted on every page of the dev corpus (thousands),
    while a student learns from a few hundred labelled candidates, which is too few to weigh ~90
    page cues itself. Candidates stored before the pipeline kept it get it from their page cues.
    """
    value = candidate.features.get(SCREEN_LOGIT)
    if value is None:
        value = page_prior(candidate.features)
    return max(-SCREEN_LOGIT_LIMIT, min(SCREEN_LOGIT_LIMIT, float(value)))


# Cues of the whole multi-page table a candidate belongs to (max over its group's candidates), so a
# continuation page with text cells instead of marks still carries its table's visit header and
# marks. Without them the filtered-label student called such pages "not SoE" with P ~ 0.000 while it
# found the table's first pages (docs/EXPERIMENTS.md, "The table's cues on every page").
GROUP_PAGES = "group_pages"
GROUP_POSITION = "group_position"
GROUP_MAX = "group_max_"
GROUP_MAX_CUES = ("mark_cell_share", "rows_with_marks_share", "header_visit_tokens", "page_mark_density",
                  "page_visit_tokens", "page_procedure_kinds", "page_schedule_phrase", "page_strong",
                  "page_landscape", "page_mark_lines")


def group_cues(candidates: Sequence[Candidate]) -> dict[str, dict[str, float]]:
    """Candidate id -> its table's cues: pages in the group, this page's place in it, and the
    group's maximum of each GROUP_MAX_CUES key. Groups must be complete in `candidates` (the
    labelers already need whole groups for their consensus)."""
    cues: dict[str, dict[str, float]] = {}
    for group in groups_of(candidates).values():
        first = min(member.page for member in group)
        shared = {GROUP_PAGES: float(len({member.page for member in group}))}
        shared.update({GROUP_MAX + key: max(float(member.features.get(key, 0.0)) for member in group)
                       for key in GROUP_MAX_CUES})
        for candidate in group:
            cues[candidate.id] = {**shared, GROUP_POSITION: float(candidate.page - first)}
    return cues


# Which detector produced the candidate: a text block means no grid was found on a page with text
# (none of the 131 such candidates on the corpus' scored pages is an SoE, yet students without this
# cue called amendment and safety tables read as text blocks SoE with P ~ 1), a whole page means a
# pictured page. A cue to weigh, not a rule: a user's labels can teach otherwise.
DETECTOR_CUES = {"detector_text_block": TEXT_BLOCK, "detector_whole_page": WHOLE_PAGE}


def detector_cues(candidate: Candidate) -> dict[str, float]:
    return {name: float(candidate.detector == detector) for name, detector in DETECTOR_CUES.items()}


# The heuristic teacher's two votes (labeling/heuristic.py): the grid's shape and the words around
# the table, each as the logit shift it gives the teacher's label. Hand-set rules over the table
# alone (no fitted model), so they are cues like the others; together with the screen's logit they
# are the teacher's own verdict (TEACHER_MARGIN), which a student can start from and correct.
VOTE_PREFIX = "teacher_vote_"
VOTE_GRID, VOTE_TEXT, VOTE_NO_GRID = f"{VOTE_PREFIX}grid", f"{VOTE_PREFIX}text", f"{VOTE_PREFIX}no_grid"
TEACHER_MARGIN = "teacher_margin"
MARGIN_NAMES = (SCREEN_LOGIT, TEACHER_MARGIN)


def teacher_votes(candidate: Candidate) -> dict[str, float]:
    grid = grid_logit(candidate)
    clamped = 0.0 if grid is None else max(-EVIDENCE_LIMIT, min(EVIDENCE_LIMIT, grid))
    return {VOTE_GRID: clamped, VOTE_TEXT: text_evidence(candidate), VOTE_NO_GRID: float(grid is None)}


def teacher_margin(candidate: Candidate) -> float:
    """The teacher's logit for the candidate on its own (before its table's consensus): the screen's
    logit plus the mean of the two votes, as HeuristicTeacher combines them."""
    votes = candidate.features if VOTE_GRID in candidate.features else teacher_votes(candidate)
    return screen_logit(candidate) + (votes[VOTE_GRID] + votes[VOTE_TEXT]) / 2.0


def with_table_cues(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Copies of the candidates with their group, detector and teacher-vote cues among the features;
    a candidate that already carries them (a training example, cued over its whole document) keeps its own."""
    if all(VOTE_GRID in candidate.features for candidate in candidates):
        return list(candidates)
    cues = group_cues(candidates)
    return [candidate if VOTE_GRID in candidate.features
            else replace(candidate, features={**candidate.features, **cues[candidate.id], **detector_cues(candidate),
                                              **teacher_votes(candidate)})
            for candidate in candidates]


def squash(value: float) -> float:
    """Signed log1p: keeps 0/1 flags apart, compresses counts; non-finite values become 0."""
    value = float(value)
    if not math.isfinite(value):
        return 0.0
    return math.copysign(math.log1p(abs(value)), value)


def layout_feature_names(candidates: Iterable[Candidate], with_screen: bool = False, with_votes: bool = False,
                         with_margin: bool = False) -> list[str]:
    """Every layout-cue key any candidate carries, sorted (the vector's fixed order); the teacher's
    votes only when `with_votes`; then the screen's logit and the teacher's margin when asked."""
    names = {name for candidate in candidates for name in candidate.features}
    layout = sorted(name for name in names if is_layout_feature(name) and (with_votes or not name.startswith(VOTE_PREFIX)))
    return layout + [SCREEN_LOGIT] * with_screen + [TEACHER_MARGIN] * with_margin


@dataclass
class FeatureScaler:
    """Feature names in vector order plus per-feature mean/std of the squashed training values."""

    names: list[str] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)

    @classmethod
    def fit(cls, candidates: Sequence[Candidate], with_screen: bool = False, with_votes: bool = False,
            with_margin: bool = False) -> "FeatureScaler":
        names = layout_feature_names(candidates, with_screen, with_votes, with_margin)
        columns = list(zip(*raw_matrix(candidates, names))) if candidates else [()] * len(names)
        mean = [sum(col) / len(col) if col else 0.0 for col in columns]
        std = [_std(col, m) for col, m in zip(columns, mean)]
        return cls(names, mean, std)

    @property
    def size(self) -> int:
        return len(self.names)

    def transform(self, candidates: Sequence[Candidate]) -> list[list[float]]:
        """Standardised vectors in the scaler's name order (missing keys count as 0 before scaling)."""
        return [[(value - m) / s for value, m, s in zip(row, self.mean, self.std)]
                for row in raw_matrix(candidates, self.names)]

    def to_dict(self) -> dict:
        return {"names": list(self.names), "mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_dict(cls, raw: dict) -> "FeatureScaler":
        return cls(list(raw["names"]), [float(v) for v in raw["mean"]], [float(v) for v in raw["std"]])


def raw_matrix(candidates: Sequence[Candidate], names: Sequence[str]) -> list[list[float]]:
    """Squashed (not yet standardised) values, one row per candidate; the screen's logit and the
    teacher's margin are already on a log scale and are only clipped."""
    return [[_raw_value(candidate, name) for name in names] for candidate in candidates]


def _raw_value(candidate: Candidate, name: str) -> float:
    if name == SCREEN_LOGIT:
        return screen_logit(candidate)
    if name == TEACHER_MARGIN:
        return max(-SCREEN_LOGIT_LIMIT, min(SCREEN_LOGIT_LIMIT, teacher_margin(candidate)))
    return squash(candidate.features.get(name, 0.0))


def _std(column: Sequence[float], mean: float) -> float:
    """Population std; 1.0 for constant columns so they standardise to 0 instead of dividing by 0."""
    if not column:
        return 1.0
    variance = sum((value - mean) ** 2 for value in column) / len(column)
    return math.sqrt(variance) if variance > 1e-12 else 1.0
