"""Tiny labelled candidate sets for training tests: a few dozen short tables over several documents."""

from __future__ import annotations

import random

import pytest

from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.training.arguments import TrainingArguments

VISITS = ["Screening", "Day 1", "Week 2", "Week 4", "Week 8", "EOT", "Follow-up"]
PROCEDURES = ["Informed consent", "Vital signs", "ECG", "Hematology", "Adverse events", "Physical exam"]
OTHER_ROWS = [["Parameter", "Grade 1", "Grade 2"], ["ALT", "3 x ULN", "5 x ULN"], ["Dose", "10 mg", "20 mg"],
              ["Arm", "N", "%"], ["Placebo", "120", "48%"]]


def soe_candidate(doc: str, page: int, rng: random.Random) -> Candidate:
    visits = rng.sample(VISITS, 4)
    rows = [["Procedure", *visits]] + [[p, *rng.choices(["X", ""], k=4)] for p in rng.sample(PROCEDURES, 3)]
    features = {"page_landscape": 1.0, "page_mark_lines": 3.0, "page_mark_density": 0.2,
                "page_visit_tokens": 8.0, "page_schedule_phrase": 1.0, "page_strong": 1.0}
    return Candidate(f"{doc}-p{page}", doc, page, (0, 0, 500, 300), "pdfplumber", rows,
                     "Schedule of Activities", features=features)


def other_candidate(doc: str, page: int, rng: random.Random) -> Candidate:
    rows = rng.sample(OTHER_ROWS, 3)
    features = {"page_landscape": 0.0, "page_mark_lines": 0.0, "page_mark_density": 0.0,
                "page_visit_tokens": 0.0, "page_schedule_phrase": 0.0, "page_strong": 0.0}
    return Candidate(f"{doc}-p{page}", doc, page, (0, 0, 500, 300), "pdfplumber", rows,
                     "Table 3 Toxicity management", features=features)


def make_candidates(n_documents: int = 6, per_document: int = 6, seed: int = 0) -> list[Candidate]:
    rng = random.Random(seed)
    out = []
    for d in range(n_documents):
        doc = f"doc{d:02d}"
        for page in range(1, per_document + 1):
            maker = soe_candidate if page <= per_document // 2 else other_candidate
            out.append(maker(doc, page, rng))
    return out


def teacher_labels(candidates: list[Candidate]) -> list[Label]:
    """Teacher labels that are right, with an agreeing/disagreeing mix so the filter has work."""
    labels = []
    for index, candidate in enumerate(candidates):
        truth = candidate.features["page_strong"] == 1.0
        labels.append(Label(candidate.id, truth, 0.95 if index % 4 else 0.6, "heuristic", agree=index % 5 != 0,
                            id=index + 1))
    return labels


@pytest.fixture
def tiny_candidates() -> list[Candidate]:
    return make_candidates()


@pytest.fixture
def tiny_args() -> TrainingArguments:
    return TrainingArguments(epochs=1, batch_size=8, max_tokens=48, seed=0, learning_rate=2e-3,
                             validation_fraction=0.34, calibration_folds=0, device="cpu", head="features+text")


def _tiny_run(head: str):
    from soe_desktop.core.training.dataset import build_training_set
    from soe_desktop.core.training.trainer import train

    candidates = make_candidates()
    dataset = build_training_set(candidates, teacher_labels(candidates), "teacher-all")
    args = TrainingArguments(epochs=1, batch_size=8, max_tokens=48, seed=0, learning_rate=2e-3,
                             validation_fraction=0.34, calibration_folds=0, device="cpu", head=head)
    result = train(dataset, args)
    assert result.status == "completed", result.error
    return result


@pytest.fixture(scope="session")
def trained_result():
    """One tiny completed run of the fused (LoRA + features) student, shared by the trainer and registry tests."""
    return _tiny_run("features+text")


@pytest.fixture(scope="session")
def trained_text_result():
    """The same run with the text-only head (the older path, still selectable)."""
    return _tiny_run("text")
