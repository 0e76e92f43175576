"""The faster page features (cue-word pre-checks, one schedule pass, distinct visit tokens) give
exactly what the reference implementation (reference_features.py, the code before) gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import reference_features as reference

from soe_desktop.core.model import PageText
from soe_desktop.core.pdf import features as F
from soe_desktop.core.pdf.pages import read_pages

REPO = Path(__file__).resolve().parents[4]
CORPUS = Path(os.environ.get("SOE_CORPUS_DIR", REPO / ".." / "shared" / "corpus"))
CORPUS_SAMPLE = ("agt_NCT04649359_Pfizer", "d4k_CDISC_Pilot", "d4k_Roche_NCT03817853_Lymphoma",
                 "agt_NCT05499130_Teva")


def page(text: str, number: int = 1, landscape: bool = False) -> PageText:
    width, height = (792.0, 612.0) if landscape else (612.0, 792.0)
    return PageText(number, width, height, 0, text, has_text_layer=len(text.strip()) >= 20)


def assert_equal_features(pages: list[PageText]) -> None:
    expected, got = reference.page_features(pages), F.page_features(pages)
    assert len(got) == len(expected)
    for number, (want, have) in enumerate(zip(expected, got), start=1):
        assert have.keys() == want.keys(), number
        differing = {key: (want[key], have[key]) for key in want if abs(want[key] - have[key]) > 1e-9}
        assert not differing, f"page {number}: {differing}"


# Strings where a pre-check could wrongly skip or wrongly keep a regex: substrings that are not
# words ("project" holds "ct", "label" holds "lab"), words next to punctuation, plural forms,
# dot leaders in both styles, "=" abbreviations, marks with and without footnote letters.
TRICKY = [
    "The project will conduct a CT scan; MRI (brain) and ct-guided biopsy.",
    "ECGs and 12-lead ECG, ecgsx, electrocardiogram; CBC/diff",
    "Labs: safety labs, lab-values; label, available, collaborate",
    "AEs, AE reporting, aerobic, Israel; adverse event",
    "Height/weight, eighteen, weightlifting, BMI",
    "PK sampling, pk, PKs; pharmacokinetics",
    "PRO, pro-rata, protocol, QoL diary / diaries",
    "Section 4, sections 5, cross-section 1",
    "1.3 Schedule of Activities . . . . . 12\nIntroduction ........ 15\n. . . no leader",
    "ECOG=Eastern Cooperative, AE = adverse event, x=y, MRI=Magnetic",
    "Visit 1 Day 1 Week 2 W4 C1D1 D-3 ±3d Screening EOT/ET Follow-up",
    "Vital signs X X X\nHematology X1 Xa X*\nALT > 3 X ULN\n• bullet item\n(X) [X] ✓ ●",
    "Tumour assessment (RECIST), tumor assess, echocardiogram, MUGA, ophthalmology",
    "Informed consent, eligibility, inclusion/exclusion, medical history, demography",
    "Study drug administration, study intervention admin, dispensing, drug accountability",
    "Randomisation, HbA1c, glucose, lipid panel, serology, coagulation, laboratory",
    "Summary of changes: Original text / New wording / Reason for change, rationale for change",
    "Physical exam, urinalysis, pregnancy test, concomitant medication, biomarker blood sample, serum chemistry",
    "",
    "ÉCG ÄE ct² ΜRΙ unicode words",
]


def test_tricky_texts_give_the_same_features():
    assert_equal_features([page(text, number) for number, text in enumerate(TRICKY, start=1)])


def test_procedure_pre_checks_keep_every_kind_the_regexes_find():
    text = "\n".join(TRICKY).lower()
    expected = sum(1 for pattern in reference._PROCEDURES if pattern.search(text))
    assert F._procedure_kinds(text) == expected == len(F._PROCEDURES)  # every kind named at least once
    assert F._procedure_kinds("the project will conduct a collaborative study with a label") == 0


def test_synthetic_protocols_give_the_same_features(tmp_path):
    from soe_desktop.core.synthetic import write_protocol

    for seed in (1, 7):
        path = tmp_path / f"protocol_{seed}.pdf"
        write_protocol(path, seed=seed, prose_pages=6)
        assert_equal_features(read_pages(path))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="development corpus not available")
@pytest.mark.parametrize("name", CORPUS_SAMPLE)
def test_corpus_protocols_give_the_same_features(name):
    path = CORPUS / name / "protocol.pdf"
    if not path.is_file():
        pytest.skip(f"{name} not in the corpus")
    assert_equal_features(read_pages(path))
