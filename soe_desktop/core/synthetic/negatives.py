"""Look-alike tables that are NOT a Schedule of Events (the hard negatives: docs/CONCEPTS.md, synthetic protocols).

Each builder returns a `NegativeTable`: the section heading and caption printed above it and
the table itself. Kinds match the `negative_table_pages` values of `SyntheticTruth`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from soe_desktop.core.synthetic.tables import BOX_GLYPH, TableSpec
from soe_desktop.core.synthetic.vocabulary import ABBREVIATIONS, DRUGS


@dataclass
class NegativeTable:
    kind: str
    heading: str
    caption: str
    spec: TableSpec
    intro: str = ""


def lab_parameters(rng: random.Random) -> NegativeTable:
    rows = [["Laboratory Assessment", "Parameters", "Action Threshold"]]
    rows += [
        ["Hematology", "Platelet count, hemoglobin, hematocrit, WBC count with differential", "Neutrophils < 1.0 x 10^9/L"],
        ["Clinical chemistry", "BUN, creatinine, glucose (fasting), potassium, sodium, calcium", "Creatinine > 1.5 X ULN"],
        ["Liver function", "ALT, AST, alkaline phosphatase, total and direct bilirubin", "ALT or AST \u2265 3 X ULN"],
        ["Liver function (Hy's law)", "ALT \u2265 3 X ULN and total bilirubin \u2265 2 X ULN", "Stop study intervention"],
        ["Routine urinalysis", "Specific gravity, pH, glucose, protein, blood, ketones by dipstick", "Protein \u2265 2+"],
        ["Lipids", "Total cholesterol, LDL-C, HDL-C, triglycerides", "Triglycerides > 5 X ULN"],
        ["Other screening tests", "FSH (postmenopausal women only), HIV, hepatitis B and C serology", "-"],
        ["Pregnancy testing", "Serum or highly sensitive urine hCG test (WOCBP)", "Positive: discontinue"],
    ]
    rng.shuffle(rows[1:4])
    spec = TableSpec(rows, [0.22, 0.53, 0.25], font_size=8, center_from_col=3)
    return NegativeTable("lab_parameters", "10.2 Appendix 2: Clinical Laboratory Tests",
                         "Table 12 Protocol-Required Safety Laboratory Tests", spec,
                         "The tests detailed in the table below will be performed by the central laboratory.")


def dose_modification(rng: random.Random) -> NegativeTable:
    drug = rng.choice(DRUGS)
    rows = [["Toxicity (CTCAE v5.0)", "Grade 1", "Grade 2", "Grade 3", "Grade 4"]]
    rows += [
        ["Neutropenia", "Continue at same dose", "Continue at same dose", "Withhold until \u2264 Grade 1, resume at -1 dose level", "Discontinue"],
        ["Thrombocytopenia", "Continue at same dose", "Withhold until \u2264 Grade 1", "Withhold; resume at -1 dose level", "Discontinue"],
        ["ALT/AST increased", "Continue; monitor weekly", "Withhold until \u2264 Grade 1", "Discontinue if > 5 X ULN", "Discontinue"],
        ["Diarrhea", "Continue; loperamide", "Withhold until \u2264 Grade 1", "Withhold; resume at -1 dose level", "Discontinue"],
        ["Rash", "Continue; topical steroids", "Continue; consider -1 dose level", "Withhold until \u2264 Grade 1", "Discontinue"],
        ["Dose levels", "Starting: 200 mg", "-1: 150 mg", "-2: 100 mg", "-3: discontinue"],
    ]
    spec = TableSpec(rows, [0.2, 0.2, 0.2, 0.2, 0.2], font_size=7.5)
    return NegativeTable("dose_modification", "6.6 Dose Modification",
                         f"Table 6 Dose Modification Guidelines for {drug}-related Toxicity", spec)


def treatment_cycle(rng: random.Random) -> NegativeTable:
    drug_a, drug_b = rng.sample(DRUGS, 2)
    rows = [["Treatment", "Dose / Route", "Cycle Day 1", "Day 8", "Day 15", "Day 22", "Cycle length"]]
    rows += [
        [drug_a, "10 mg/kg IV over 60 min", "X", "", "X", "", "28 days"],
        [drug_b, "200 mg PO once daily", "X", "X", "X", "X", "28 days"],
        ["Dexamethasone", "20 mg PO", "X", "X", "X", "X", "28 days"],
        ["Premedication (antihistamine)", "per local practice", "X", "", "X", "", "-"],
        ["Cycles 1-6", "Induction", "X", "X", "X", "", "28 days"],
        ["Cycles 7+", "Maintenance", "X", "", "", "", "28 days"],
    ]
    spec = TableSpec(rows, [0.24, 0.22, 0.1, 0.1, 0.1, 0.1, 0.14], font_size=8)
    return NegativeTable("treatment_cycle", "6.1 Study Intervention(s) Administered",
                         "Table 5 Treatment Regimen by Cycle", spec,
                         "Study intervention is administered in 28-day cycles as shown below.")


def questionnaire(rng: random.Random) -> NegativeTable:
    options = ["Not at all", "A little", "Quite a bit", "Very much"]
    items = [
        "Have you had trouble taking a long walk?", "Were you limited in doing your work or daily activities?",
        "Have you had pain?", "Did you need to rest?", "Have you had trouble sleeping?",
        "Have you felt weak?", "Have you lacked appetite?", "Have you felt nauseated?",
        "Did pain interfere with your daily activities?", "Have you felt tense?",
        "Did you worry?", "Have you felt depressed?",
    ]
    rng.shuffle(items)
    rows = [["During the past week:"] + options]
    symbols = []
    for index, item in enumerate(items, start=1):
        rows.append([f"{index}. {item}"] + [BOX_GLYPH] * len(options))
        symbols += [(index, col) for col in range(1, len(options) + 1)]
    spec = TableSpec(rows, [0.48, 0.13, 0.13, 0.13, 0.13], symbol_cells=symbols, font_size=8)
    return NegativeTable("questionnaire", "10.7 Appendix 7: Patient-Reported Outcome Questionnaire",
                         "Quality of Life Questionnaire (sample page, not for clinical use)", spec,
                         "Please check one box per question that best describes your experience.")


def abbreviations(rng: random.Random) -> NegativeTable:
    rows = [["Abbreviation", "Definition"]] + [list(pair) for pair in ABBREVIATIONS]
    spec = TableSpec(rows, [0.25, 0.75], font_size=8.5, center_from_col=2)
    return NegativeTable("abbreviations", "List of Abbreviations", "", spec)


def revision_history(rng: random.Random) -> NegativeTable:
    rows = [["Document", "Date", "Section", "Summary of Changes and Rationale"]]
    changes = [
        ("1.2 Schedule of Activities", "Added Week 36 visit to capture durability of response."),
        ("5.1 Inclusion Criteria", "Lowered minimum age from 21 to 18 years at the request of a regulator."),
        ("8.2 Safety Assessments", "Clarified that ECG is recorded in triplicate at Screening only."),
        ("6.6 Dose Modification", "Added guidance for Grade 2 rash."),
        ("9.2 Sample Size", "Updated assumptions following the blinded sample size re-estimation."),
        ("Throughout", "Minor editorial and formatting changes."),
    ]
    for number, (section, summary) in enumerate(changes[: rng.randint(4, 6)]):
        rows.append([f"Amendment {number // 2 + 1}", f"{10 + number:02d}-{['Mar', 'Jun', 'Sep'][number % 3]}-2023",
                     section, summary])
    spec = TableSpec(rows, [0.16, 0.14, 0.25, 0.45], font_size=8, center_from_col=4)
    return NegativeTable("revision_history", "Protocol Amendment Summary of Changes",
                         "Document History", spec,
                         "This amendment is considered substantial because it affects the safety of participants.")


def safety_by_cohort(rng: random.Random) -> NegativeTable:
    rows = [["Preferred Term", "Cohort A\n(N=24)", "Cohort B\n(N=26)", "Cohort C\n(N=22)", "Total\n(N=72)"]]
    for term in ["Any TEAE", "Nausea", "Fatigue", "Headache", "Diarrhoea", "Rash", "Neutropenia",
                 "ALT increased", "Pyrexia", "Any serious TEAE", "TEAE leading to discontinuation"]:
        counts = [rng.randint(0, n) for n in (24, 26, 22)]
        total = sum(counts)
        rows.append([term] + [f"{c} ({100 * c / n:.1f})" for c, n in zip(counts, (24, 26, 22))]
                    + [f"{total} ({100 * total / 72:.1f})"])
    spec = TableSpec(rows, [0.32, 0.17, 0.17, 0.17, 0.17], font_size=8)
    return NegativeTable("safety_by_cohort", "2.3.1 Summary of Clinical Safety from the Phase 1 Study",
                         "Table 2 Treatment-emergent Adverse Events by Cohort, n (%)", spec,
                         "Safety data from the completed dose-escalation study are summarised below.")


BUILDERS: dict[str, Callable[[random.Random], NegativeTable]] = {
    "revision_history": revision_history,
    "abbreviations": abbreviations,
    "treatment_cycle": treatment_cycle,
    "dose_modification": dose_modification,
    "safety_by_cohort": safety_by_cohort,
    "lab_parameters": lab_parameters,
    "questionnaire": questionnaire,
}
