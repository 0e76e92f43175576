"""Words of a clinical protocol: section headings, prose, visits, procedures, footnotes.

Invented text in the style of ICH M11 / TransCelerate protocols; nothing is copied from a
real document. Every choice is drawn from a seeded `random.Random`, so output is repeatable.
"""

from __future__ import annotations

import random

DRUGS = ["Zelorimab", "Tavoxitinib", "Brivanolimab", "Corafenstat", "Lumetrazine", "Parovistat"]
INDICATIONS = [
    "Moderate to Severe Plaque Psoriasis",
    "Advanced Non-Small Cell Lung Cancer",
    "Type 2 Diabetes Mellitus Inadequately Controlled on Metformin",
    "Relapsed or Refractory Diffuse Large B-cell Lymphoma",
    "Chronic Obstructive Pulmonary Disease",
    "Hereditary Angioedema",
]
SPONSORS = ["Northbridge Therapeutics", "Aldermoor Pharma", "Castellan Biosciences", "Verity Clinical Sciences"]
PHASES = ["Phase 1b/2", "Phase 2", "Phase 3", "Phase 2/3"]

# Section headings in the order a protocol uses them; prose pages walk through this list.
PROSE_SECTIONS = [
    "2 Introduction",
    "2.1 Study Rationale",
    "2.2 Background",
    "2.3 Benefit/Risk Assessment",
    "3 Objectives and Endpoints",
    "4 Study Design",
    "4.1 Overall Design",
    "4.2 Scientific Rationale for Study Design",
    "4.3 Justification for Dose",
    "4.4 End of Study Definition",
    "5 Study Population",
    "5.1 Inclusion Criteria",
    "5.2 Exclusion Criteria",
    "5.3 Lifestyle Considerations",
    "6 Study Intervention(s) and Concomitant Therapy",
    "6.1 Study Intervention(s) Administered",
    "6.2 Preparation, Handling, Storage, and Accountability",
    "6.5 Concomitant Therapy",
    "7 Discontinuation of Study Intervention and Participant Withdrawal",
    "8 Study Assessments and Procedures",
    "8.1 Efficacy Assessments",
    "8.2 Safety Assessments",
    "8.3 Adverse Events and Serious Adverse Events",
    "8.5 Pharmacokinetics",
    "9 Statistical Considerations",
    "9.1 Statistical Hypotheses",
    "9.2 Sample Size Determination",
    "9.3 Analysis Sets",
    "9.4 Statistical Analyses",
    "10 Supporting Documentation and Operational Considerations",
    "10.1 Regulatory, Ethical, and Study Oversight Considerations",
    "10.3 Adverse Events: Definitions and Procedures for Recording",
    "10.4 Contraceptive Guidance",
    "11 References",
]

_SUBJECTS = [
    "Participants", "The investigator", "The Sponsor", "The study site", "Each participant",
    "The Independent Data Monitoring Committee", "The medical monitor", "Study staff",
]
_VERBS = [
    "will be instructed to", "must", "should", "will", "may be asked to", "is required to",
]
_ACTIONS = [
    "record all concomitant medications taken within 30 days before the first dose",
    "report any serious adverse event within 24 hours of becoming aware of it",
    "complete the electronic diary at approximately the same time each day",
    "return all unused study intervention at the next scheduled visit",
    "review the inclusion and exclusion criteria before randomization",
    "document the reason for discontinuation in the electronic case report form",
    "follow the local label for storage and handling of the comparator",
    "ensure that informed consent is obtained before any study-specific procedure",
    "assess the participant for signs of hypersensitivity after each infusion",
    "maintain a log of all participants screened for the study",
    "collect blood samples for pharmacokinetic analysis at the specified time points",
    "inform the participant of any new information that may affect willingness to continue",
]
_CLAUSES = [
    "in accordance with the principles of Good Clinical Practice",
    "as described in the Pharmacy Manual",
    "unless otherwise specified by the medical monitor",
    "consistent with the Declaration of Helsinki",
    "according to local regulations and institutional policy",
    "as detailed in Section 10.3",
    "for the duration of the study",
    "before the end of the treatment period",
]
_STATEMENTS = [
    "The primary endpoint is the proportion of participants achieving the response criterion at Week 24.",
    "Randomization will be stratified by region and baseline disease severity.",
    "The study consists of a screening period, a treatment period, and a safety follow-up period.",
    "Approximately 420 participants will be randomly assigned in a 2:1 ratio.",
    "Missing data will be handled using multiple imputation under the missing-at-random assumption.",
    "The sample size provides at least 90% power to detect the assumed treatment difference.",
    "Safety will be assessed by the incidence of treatment-emergent adverse events.",
    "No formal interim analysis for efficacy is planned.",
    "Participants who discontinue study intervention early will be encouraged to remain in the study.",
    "A participant is considered to have completed the study if all scheduled visits are completed.",
    "The dose was selected on the basis of exposure-response modelling of the Phase 1 data.",
    "All analyses will be performed using SAS version 9.4 or later.",
]


def sentence(rng: random.Random) -> str:
    """One protocol-like sentence: either a canned statement or subject + verb + action."""
    if rng.random() < 0.35:
        return rng.choice(_STATEMENTS)
    text = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_ACTIONS)}"
    if rng.random() < 0.5:
        text += f" {rng.choice(_CLAUSES)}"
    return text + "."


def paragraph(rng: random.Random, sentences: int | None = None) -> str:
    count = sentences if sentences is not None else rng.randint(3, 7)
    return " ".join(sentence(rng) for _ in range(count))


# (visit name, study day/week, window) in time order; the grid picks a slice of these.
VISITS = [
    ("Screening", "Day -28 to -1", "-"),
    ("Day 1", "Day 1", "-"),
    ("Week 2", "Day 15", "±3"),
    ("Week 4", "Day 29", "±3"),
    ("Week 8", "Day 57", "±5"),
    ("Week 12", "Day 85", "±5"),
    ("Week 16", "Day 113", "±7"),
    ("Week 24", "Day 169", "±7"),
    ("Week 36", "Day 253", "±7"),
    ("Week 52", "Day 365", "±7"),
    ("ET", "-", "-"),
    ("Follow-up", "30 days after last dose", "±7"),
]

# (category, procedures, cadence) - cadence tells which visits get a mark.
PROCEDURES = [
    ("Study Procedures", [
        ("Informed consent", "screening"), ("Inclusion/exclusion criteria", "screening"),
        ("Demography", "screening"), ("Medical history", "screening"),
        ("Randomization", "day1"), ("Prior and concomitant medications", "every"),
        ("Smoking and alcohol history", "screening"), ("Contraception counselling", "periodic"),
    ]),
    ("Safety Assessments", [
        ("Physical examination", "periodic"), ("Vital signs", "every"), ("Body weight", "periodic"),
        ("12-lead ECG", "periodic"), ("Adverse event review", "every"),
        ("Columbia Suicide Severity Rating Scale", "periodic"), ("Height", "screening"),
        ("Ophthalmologic examination", "sparse"), ("Chest X-ray", "screening"),
    ]),
    ("Laboratory Assessments", [
        ("Hematology", "periodic"), ("Clinical chemistry", "periodic"), ("Urinalysis", "periodic"),
        ("Pregnancy test (WOCBP only)", "every"), ("Serology (HIV, HBV, HCV)", "screening"),
        ("Lipid panel", "sparse"), ("HbA1c", "sparse"), ("Coagulation (PT/INR, aPTT)", "screening"),
    ]),
    ("Efficacy Assessments", [
        ("Disease activity score", "every"), ("Patient global assessment", "periodic"),
        ("Quality of life questionnaire (EQ-5D-5L)", "sparse"), ("Tumor imaging (CT/MRI)", "sparse"),
        ("Investigator global assessment", "periodic"), ("Six-minute walk test", "sparse"),
        ("Participant diary compliance check", "every"),
    ]),
    ("Pharmacokinetics and Biomarkers", [
        ("PK blood sampling", "periodic"), ("Anti-drug antibodies", "sparse"),
        ("Biomarker serum sample", "sparse"), ("Pharmacogenomic sample (optional)", "day1"),
    ]),
    ("Study Intervention", [
        ("Randomization / IRT call", "day1"), ("Dispense study intervention", "treatment"),
        ("Study intervention administration", "treatment"), ("Drug accountability", "treatment"),
        ("Diary dispensing and review", "every"),
    ]),
]

FOOTNOTES = [
    "Screening assessments must be completed within 28 days before Day 1.",
    "Visit windows are relative to Day 1; all visits should be scheduled from Day 1, not from the previous visit.",
    "Vital signs include systolic and diastolic blood pressure, pulse rate, respiratory rate and body temperature.",
    "For women of childbearing potential: serum test at Screening, urine test at all other visits.",
    "PK samples are collected pre-dose (within 60 minutes before dosing) and 2 hours post-dose.",
    "Early Termination (ET) visit: participants who discontinue early complete the ET visit within 7 days.",
    "The Follow-up visit may be conducted by telephone if no laboratory assessments are required.",
    "Imaging is repeated every 8 weeks (±7 days) until disease progression.",
    "Questionnaires are completed before any other procedure at the visit.",
    "Laboratory samples are analysed by the central laboratory unless stated otherwise.",
    "Adverse events are collected from the signing of the informed consent form.",
    "ECG is recorded in triplicate after the participant has rested supine for 5 minutes.",
    "Study intervention is administered at the site on visit days and at home in between.",
    "Anti-drug antibody samples are taken at the same time as the pre-dose PK sample.",
]

ABBREVIATIONS = [
    ("AE", "adverse event"), ("ALT", "alanine aminotransferase"), ("AST", "aspartate aminotransferase"),
    ("BMI", "body mass index"), ("CRF", "case report form"), ("CT", "computed tomography"),
    ("DMC", "Data Monitoring Committee"), ("ECG", "electrocardiogram"), ("eCRF", "electronic case report form"),
    ("ET", "early termination"), ("GCP", "Good Clinical Practice"), ("HbA1c", "glycated hemoglobin"),
    ("ICF", "informed consent form"), ("IRB", "Institutional Review Board"), ("IRT", "interactive response technology"),
    ("MRI", "magnetic resonance imaging"), ("PK", "pharmacokinetic(s)"), ("SAE", "serious adverse event"),
    ("SoA", "schedule of activities"), ("TEAE", "treatment-emergent adverse event"),
    ("ULN", "upper limit of normal"), ("WOCBP", "woman of childbearing potential"),
]
