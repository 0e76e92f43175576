"""The offline heuristic teacher: labels candidates from both representations, no network.

Why two votes: the selective filter (the paper's key idea) keeps a teacher label only when the
two representations agree, so the votes must be two *different views*, as they are for an LLM
shown the table's JSON alone and, separately, its text with the page around it:
- json: the grid alone, judged from its shape in `candidate.rows` (mark cells, visit header,
  procedure column, size); no page context. A candidate with no grid (picture of a page, no text
  layer, not read by OCR) has no json vote, so its label carries no agreement and the filter never keeps it;
- text: the page prior (the fitted page model over the page and neighbour cues the pipeline
  copies into `candidate.features` as `page_*`) plus the words around and inside the table
  (schedule caption, amendment/TOC look-alikes, procedure and visit vocabulary).
When both votes started from the page prior they failed together: on the dev corpus, in the
training folds of the experiment, 28 of 31 wrong teacher labels kept by the filter were whole
protocols the page model got wrong with both votes agreeing (docs/EXPERIMENTS.md).
The label itself (P(SoE)) still combines everything: page prior + the mean of both evidence terms.
A keyword finder is not enough (the TOC, the synopsis and prose name the SoE too); the page prior
carries layout and neighbour context, which the evidence terms then correct per candidate.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.labeling.groups import group_consensus
from soe_desktop.core.labeling.uncertain_reading import temper_uncertain
from soe_desktop.core.pdf.page_model import LogisticModel, load_page_model, logit, sigmoid
from soe_desktop.core.model import Candidate, Detector, Label, PageText
from soe_desktop.core.pdf.features import PAGE_PREFIX, single_page_features
from soe_desktop.core.pdf.table_cues import table_cues

NAME = "heuristic"
EVIDENCE_LIMIT = 2.0  # one representation may move the page prior by at most this many logits
PICTURE_DETECTOR = Detector.FALLBACK_PAGE  # whole-page candidate of a page whose grid has no text layer
NO_PAGE_PRIOR = 0.0  # logit used when a candidate carries no page features (p = 0.5)
# An SoE's columns are visits / time points. A grid of marks whose header names none is more often
# a look-alike (AE-reporting matrix, analysis strategy, amendment change table) than a schedule; without
# this term the grid vote called those SoE, disagreed with the text vote, and the selective filter
# dropped them, so filtered training sets held almost no hard negatives (docs/EXPERIMENTS.md).
NO_VISIT_HEADER_PENALTY = 1.0

_SCHEDULE_CAPTION = re.compile(
    r"schedule\s+of\s+(?:activities|events|assessments|evaluations|procedures|study)|flow\s*-?\s*chart|"
    r"time\s+and\s+events|study\s+(?:activities|assessments|procedures)\s+(?:table|by\s+visit)",
    re.IGNORECASE,
)


def page_prior(features: Mapping[str, float], model: Optional[LogisticModel] = None) -> float:
    """Logit of the page model on the candidate's `page_*` features (or its `page_score`)."""
    page = {key[len(PAGE_PREFIX):]: value for key, value in features.items() if key.startswith(PAGE_PREFIX)}
    if not page:
        return NO_PAGE_PRIOR
    if "score" in page and "log_chars" not in page:
        return logit(page["score"])
    return (model or load_page_model()).decision(page)


def _clamp(value: float) -> float:
    return max(-EVIDENCE_LIMIT, min(EVIDENCE_LIMIT, value))


def grid_logit(candidate: Candidate) -> Optional[float]:
    """The grid's own case for SoE, as a logit from its shape alone; None when there is no grid
    to look at (fallback candidates: a pictured grid's rows are only the page's stray text lines,
    unless OCR read the picture: then they are its cells, core/pdf/ocr.py)."""
    pictured = candidate.detector == PICTURE_DETECTOR and not candidate.features.get("ocr")
    if len(candidate.rows) < 2 or pictured:
        return None
    cues = {**table_cues(candidate.rows), **{k: v for k, v in candidate.features.items() if not k.startswith(PAGE_PREFIX)}}
    big_enough = cues["n_rows"] >= 5 and cues["n_cols"] >= 4
    return (
        -1.0
        + 3.0 * cues["mark_cell_share"]
        + 1.0 * cues["rows_with_marks_share"]
        + 0.8 * min(cues["header_visit_tokens"], 4.0) / 4.0
        - NO_VISIT_HEADER_PENALTY * (cues["header_visit_tokens"] == 0)
        + 0.5 * cues["first_col_wordy_share"]
        - 1.0 * cues["numeric_cell_share"]
        + (0.3 if big_enough else -0.5)
    )


def json_evidence(candidate: Candidate) -> float:
    """Logit shift the grid's shape gives the combined label; 0 when there is no grid."""
    score = grid_logit(candidate)
    return 0.0 if score is None else _clamp(score)


def text_evidence(candidate: Candidate) -> float:
    """Logit shift from the text representation: caption/heading, look-alike cues, vocabulary."""
    if candidate.detector == PICTURE_DETECTOR and _SCHEDULE_CAPTION.search(candidate.context):
        return EVIDENCE_LIMIT  # a pictured grid under a schedule heading: the words are all there is
    text = candidate.text_representation()
    if len(text.strip()) < 20:
        return 0.0
    cues = single_page_features_from_text(text)
    score = (
        (1.0 if _SCHEDULE_CAPTION.search(candidate.context) else 0.0)
        - 1.5 * min(cues["change_table"], 1.0)
        - 0.8 * min(cues["dot_leaders"], 1.0)
        + 0.15 * (min(cues["procedure_kinds"], 10.0) - 3.0)
        + 4.0 * min(cues["visit_density"], 0.25)
        + 3.0 * min(cues["mark_density"], 0.3)
        - 1.0 * cues["prose_line_share"]
        - 0.5
    )
    return _clamp(score)


def single_page_features_from_text(text: str) -> dict[str, float]:
    """The page-feature cues computed on a piece of text (a candidate's representation)."""
    return single_page_features(PageText(0, 1.0, 1.0, 0, text, True))


class HeuristicTeacher:
    """Labeler protocol: one Label per candidate, same order; `details` = {"json": p, "text": p}.
    A table continued over pages is judged as one (groups.py); a page read uncertainly gets a
    lowered confidence (uncertain_reading.py)."""

    name = NAME

    def __init__(self, page_model: Optional[LogisticModel] = None, threshold: float = 0.5,
                 consensus: bool = True) -> None:
        self.page_model = page_model
        self.threshold = threshold
        self.consensus = consensus  # False: judge each page of a continued table on its own (experiments)

    def votes(self, candidate: Candidate) -> tuple[float, Optional[float], float, float]:
        """(page prior logit, p_json or None without a grid, p_text, p_combined) for one candidate."""
        prior = page_prior(candidate.features, self.page_model)
        grid, text_shift = grid_logit(candidate), text_evidence(candidate)
        json_shift = 0.0 if grid is None else _clamp(grid)
        return (
            prior,
            None if grid is None else sigmoid(grid),
            sigmoid(prior + text_shift),
            sigmoid(prior + (json_shift + text_shift) / 2.0),
        )

    def label_one(self, candidate: Candidate) -> Label:
        prior, p_json, p_text, p_soe = self.votes(candidate)
        agree = None if p_json is None else (p_json >= self.threshold) == (p_text >= self.threshold)
        grid = "no grid" if p_json is None else f"grid {p_json:.2f}"
        return Label.from_probability(
            candidate.id,
            p_soe,
            self.name,
            self.threshold,
            reason=f"page prior {sigmoid(prior):.2f}, {grid}, text {p_text:.2f}",
            agree=agree,
            details={"json": None if p_json is None else round(p_json, 4), "text": round(p_text, 4),
                     "page_prior": round(sigmoid(prior), 4)},
        )

    def label(
        self,
        candidates: Sequence[Candidate],
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Label]:
        progress = progress or no_progress
        labels = []
        for done, candidate in enumerate(candidates, start=1):
            check(cancel)
            labels.append(self.label_one(candidate))
            progress(Progress("labelling", done, len(candidates)))
        if self.consensus:
            labels = group_consensus(candidates, labels, self.threshold)
        # A misread page (OCR, sideways, redacted) keeps its verdict but not its certainty: review
        # sees it first and the auto-accept rule leaves it to a person (uncertain_reading.py).
        return temper_uncertain(candidates, labels, self.threshold)
