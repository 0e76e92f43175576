"""The heuristic teacher: both representations, agreement, page prior, Labeler protocol."""

from __future__ import annotations

import pytest

from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.labeling.heuristic import (
    NO_VISIT_HEADER_PENALTY,
    HeuristicTeacher,
    grid_logit,
    json_evidence,
    page_prior,
    text_evidence,
)
from soe_desktop.core.labeling.selective_filter import passes_filter
from soe_desktop.core.model import Candidate, PageText
from soe_desktop.core.pdf.features import candidate_page_features, page_features
from soe_desktop.core.pdf.ocr import ocr_available

VISITS = ["Procedure", "Screening", "Day 1", "Week 2", "Week 4", "Week 8", "EOT", "Follow-up"]
PROCEDURES = ["Informed consent", "Vital signs", "Physical examination", "12-lead ECG", "Hematology",
              "Urinalysis", "Pregnancy test", "Adverse events", "Concomitant medications"]
SOE_ROWS = [VISITS] + [[name] + ["X" if (i + j) % 3 else "" for j in range(7)] for i, name in enumerate(PROCEDURES)]
LAB_ROWS = [["Parameter", "Unit", "Low", "High"]] + [
    [name, "g/L", f"{i}.5", f"{i + 4}.0"] for i, name in enumerate(["Albumin", "ALT", "AST", "Bilirubin", "Creatinine", "Sodium"])
]
SOE_CONTEXT = "1.3 Schedule of Activities\nTable 1 Schedule of Activities"
LAB_CONTEXT = "10.2 Clinical Laboratory Tests\nTable 7 Protocol-required laboratory assessments"
PROSE = ("Participants will be followed as described in the protocol and the study will be conducted "
         "according to Good Clinical Practice guidelines.\n") * 8


def _page_text(rows, context) -> str:
    return context + "\n" + "\n".join(" ".join(row) for row in rows)


def _pages() -> list[PageText]:
    """Prose, SoE grid (landscape), lab table, prose: the page cues the pipeline would attach."""
    texts = [(PROSE, False), (_page_text(SOE_ROWS, SOE_CONTEXT), True), (_page_text(LAB_ROWS, LAB_CONTEXT), False), (PROSE, False)]
    return [
        PageText(n, *((792.0, 612.0) if landscape else (612.0, 792.0)), 0, text, True)
        for n, (text, landscape) in enumerate(texts, start=1)
    ]


def candidate(page: int, rows, context: str, with_page_features: bool = True, detector: str = "pdfplumber") -> Candidate:
    made = Candidate(id=f"c{page}-{detector}", document_sha256="0" * 64, page=page, bbox=(0, 0, 100, 100),
                     detector=detector, rows=rows, context=context)
    if with_page_features:
        made.features.update(candidate_page_features(page_features(_pages())[page - 1]))
    return made


def test_is_a_labeler():
    teacher = HeuristicTeacher()
    assert isinstance(teacher, Labeler)
    assert teacher.name == "heuristic"


def test_soe_grid_is_soe_with_both_votes_agreeing():
    label = HeuristicTeacher().label([candidate(2, SOE_ROWS, SOE_CONTEXT)])[0]
    assert label.is_soe and label.agree is True
    assert label.confidence > 0.9
    assert set(label.details) >= {"json", "text"}
    assert label.details["json"] > 0.9 and label.details["text"] > 0.9
    assert label.source == "heuristic" and label.candidate_id == "c2-pdfplumber"


def test_lab_parameter_table_is_not_soe():
    label = HeuristicTeacher().label([candidate(3, LAB_ROWS, LAB_CONTEXT)])[0]
    assert not label.is_soe
    assert label.confidence > 0.8
    assert label.p_soe < 0.2


def test_grid_shape_moves_the_json_vote_and_not_the_text_vote():
    soe, lab = candidate(2, SOE_ROWS, SOE_CONTEXT, False), candidate(2, LAB_ROWS, SOE_CONTEXT, False)
    assert json_evidence(soe) > 1.0 > 0.0 > json_evidence(lab)
    fallback = candidate(2, [], SOE_CONTEXT, False, detector="fallback-page")
    assert json_evidence(fallback) == 0.0  # no grid, no grid evidence


def test_mark_cells_carry_the_grid_vote():
    """The same procedures x visits grid with its marks erased loses most of its grid evidence."""
    erased = [SOE_ROWS[0]] + [[row[0]] + ["" for _ in row[1:]] for row in SOE_ROWS[1:]]
    with_marks, without = candidate(2, SOE_ROWS, SOE_CONTEXT, False), candidate(2, erased, SOE_CONTEXT, False)
    assert json_evidence(with_marks) - json_evidence(without) > 1.2


def test_text_vote_sees_caption_and_amendment_lookalikes():
    soe = candidate(2, SOE_ROWS, SOE_CONTEXT, False)
    changes = candidate(2, SOE_ROWS, "Summary of changes\nOriginal text New wording Reason for change", False)
    assert text_evidence(soe) > text_evidence(changes)


def test_representations_can_disagree():
    """An SoE-shaped grid quoted in an amendment's change table: the grid says yes, the text no."""
    rows = [["Original text", "New wording", "Reason for change"]] + [[p, "X X X", "X X"] for p in PROCEDURES]
    teacher = HeuristicTeacher()
    prior_free = candidate(2, rows, "Summary of changes: original text, new wording, reason/justification for change", False)
    _, p_json, p_text, _ = teacher.votes(prior_free)
    assert p_json > p_text


SAFETY_ENDPOINTS = ["Any adverse event", "Any serious adverse event", "Drug-related adverse event",
                    "Discontinued due to an adverse event", "Death", "Grade 3 to 5 adverse event",
                    "Laboratory abnormality", "Vital sign abnormality"]


def _safety_analysis_rows(header: list[str]) -> list[list[str]]:
    """A look-alike: an analysis-strategy table with a mark column, as statistical sections have."""
    return [header] + [[f"Tier {1 + i // 4}", name, "Miettinen-Nurminen" if i < 4 else "", "X" if i % 2 else "",
                        "Counts and percentages"] for i, name in enumerate(SAFETY_ENDPOINTS)]


def test_a_grid_whose_header_names_no_visit_loses_grid_evidence():
    """Same marks and rows; only the header differs: time points (an SoE's columns) or statistics."""
    context = "Table 12 Analysis Strategy for Safety Parameters"
    statistics = candidate(3, _safety_analysis_rows(["Safety tier", "Endpoint", "p-value", "95% CI", "Statistics"]), context)
    visits = candidate(3, _safety_analysis_rows(["Safety tier", "Endpoint", "Screening", "Week 12", "Week 24"]), context)
    assert grid_logit(visits) - grid_logit(statistics) >= NO_VISIT_HEADER_PENALTY
    _, p_json, _, _ = HeuristicTeacher().votes(statistics)
    assert p_json < 0.5


def test_a_look_alike_without_visit_header_is_a_negative_the_filter_keeps():
    """Both views say no, so the filtered training set gets the hard negative a student needs."""
    rows = _safety_analysis_rows(["Safety tier", "Endpoint", "p-value", "95% CI", "Statistics"])
    label = HeuristicTeacher().label([candidate(3, rows, "Table 12 Analysis Strategy for Safety Parameters")])[0]
    assert not label.is_soe and label.agree is True
    assert passes_filter(label, 0.8)


def test_json_vote_sees_the_grid_alone_not_the_page():
    """The same grid on an SoE-run page and on a prose page: the text vote follows the page, the json
    vote does not (two views, so the filter can catch a page model that is wrong on a whole protocol)."""
    teacher = HeuristicTeacher()
    _, json_on_soe_page, text_on_soe_page, _ = teacher.votes(candidate(2, SOE_ROWS, SOE_CONTEXT))
    _, json_on_prose_page, text_on_prose_page, _ = teacher.votes(candidate(1, SOE_ROWS, SOE_CONTEXT))
    assert json_on_soe_page == json_on_prose_page > 0.9
    assert text_on_soe_page > text_on_prose_page


def test_a_candidate_without_a_grid_has_no_json_vote_and_no_agreement():
    pictured = candidate(2, [], "1.3 Schedule of Activities\nThe page is mostly a picture.", False, "fallback-page")
    label = HeuristicTeacher().label_one(pictured)
    assert label.details["json"] is None and label.agree is None
    assert "no grid" in label.reason


def test_pictured_grid_under_a_schedule_heading_gets_text_evidence():
    """A whole-page candidate (the grid is a picture) only has its heading to go by."""
    announced = candidate(2, [], "1.3 Schedule of Activities\nThe page is mostly a picture.", False, "fallback-page")
    unannounced = candidate(2, [], "9.4 Statistical methods\nThe page is mostly a picture.", False, "fallback-page")
    assert text_evidence(announced) == 2.0
    assert text_evidence(unannounced) < 0.0
    assert HeuristicTeacher().label_one(announced).is_soe  # no page prior: the heading decides
    assert not HeuristicTeacher().label_one(unannounced).is_soe


def test_page_prior_comes_from_page_features_not_keywords():
    """Same table and caption; a landscape SoE-run page and a prose page give different priors."""
    on_soe_page = candidate(2, SOE_ROWS, SOE_CONTEXT)
    on_prose_page = candidate(1, SOE_ROWS, SOE_CONTEXT)
    assert page_prior(on_soe_page.features) > page_prior(on_prose_page.features)
    assert page_prior({}) == 0.0
    assert page_prior({"page_score": 0.9}) == pytest.approx(2.197, abs=0.01)


def test_one_label_per_candidate_in_order_with_progress():
    seen = []
    candidates = [candidate(2, SOE_ROWS, SOE_CONTEXT), candidate(3, LAB_ROWS, LAB_CONTEXT)]
    labels = HeuristicTeacher().label(candidates, progress=seen.append)
    assert [label.candidate_id for label in labels] == [c.id for c in candidates]
    assert [label.is_soe for label in labels] == [True, False]
    assert seen[-1].done == seen[-1].total == 2 and seen[-1].stage == "labelling"


def test_cancel_stops_labelling():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        HeuristicTeacher().label([candidate(2, SOE_ROWS, SOE_CONTEXT)], cancel=token)


def test_threshold_changes_the_verdict():
    made = candidate(3, LAB_ROWS, LAB_CONTEXT)
    strict, lenient = HeuristicTeacher(threshold=0.99), HeuristicTeacher(threshold=1e-6)
    assert not strict.label_one(made).is_soe
    assert lenient.label_one(made).is_soe


def test_finds_the_soe_pages_of_the_synthetic_sample(sample_protocol):
    """Whole pipeline on the generated sample: rotated, image-only and borderless SoE pages included."""
    from soe_desktop.core.app.triage import triage

    path, truth = sample_protocol
    result = triage(path, labeler=HeuristicTeacher())
    assert truth.scored(result.soe_pages()) == truth.soe_pages  # the footnote-only page is not scored
    by_id = {candidate.id: candidate for candidate in result.candidates}
    scored = [label for label in result.labels if label.is_soe and by_id[label.candidate_id].page in truth.soe_pages]
    with_grid = [label for label in scored if by_id[label.candidate_id].detector != "fallback-page"]
    pictured = [label for label in scored if by_id[label.candidate_id].detector == "fallback-page"]
    assert with_grid and all(label.agree for label in with_grid)
    assert pictured and all(label.agree is True for label in pictured)
    if ocr_available():  # the pictured page was read by OCR: its cells get a json vote of their own
        assert all(label.details["json"] is not None for label in pictured)
    else:  # no grid to show in JSON: it shares the verdict of the multi-page grid it continues (groups.py)
        assert all(label.details["json"] is None and "one table over pages" in label.reason for label in pictured)
