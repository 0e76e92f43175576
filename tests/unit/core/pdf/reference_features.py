"""The page features computed the plain way (one pass per feature), the reference the one-pass
implementation must equal (tests only; do not import from the app)."""

from __future__ import annotations

import math
import re
from typing import Sequence

from soe_desktop.core.model import PageText

PAGE_PREFIX = "page_"

# A cell mark: X / check / bullet / triangle, optionally followed by a footnote reference
# ("X1", "Xa", "X¹", "X*", "X(a)").
_MARK = re.compile(r"^(?:[Xx✓✔✗√•●○◆■□▲△◊]|\(X\)|\[X\])(?:[0-9a-z,*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰ᵃᵇᶜᵈᵉ]{0,4}|\([0-9a-z,]{1,4}\))$")
_NUMBER = re.compile(r"^[<>≤≥]?\d+(?:[.,]\d+)?$")
# "3 X ULN", "2 x 10^9/L", "1.5 x upper limit": multiplications, not marks.
_MULTIPLIER_NEXT = re.compile(r"^(?:ULN|LLN|upper|lower|normal|the|10|\d)", re.IGNORECASE)

_VISIT = re.compile(
    r"^(?:day|days|week|weeks|wk|visit|visits|v\d+[a-z]?|screening|baseline|follow-?up|eot|et|eos|eot/et|"
    r"cycle|cycles|c\d+d-?\d+|d-?\d+|w-?\d+|m\d+|month|months|period|randomi[sz]ation|unscheduled|"
    r"termination|discontinuation|treatment|end|window|post-?dose|pre-?dose|predose|hour|hours|hr|"
    r"run-?in|washout|enrolment|enrollment|dosing|±\d*\w*)$",
    re.IGNORECASE,
)
# Matched against the lower-cased page text (case-insensitive regexes are ~2x slower).
_PROCEDURES = tuple(
    re.compile(pattern)
    for pattern in (
        r"informed\s+consent",
        r"inclusion|exclusion|eligibility",
        r"medical\s+history|demograph",
        r"vital\s+signs?",
        r"physical\s+exam",
        r"\b(?:12-lead\s+)?ecgs?\b|electrocardiogram",
        r"hematology|haematology|\bcbc\b",
        r"chemistry|serum\s+chem",
        r"urinalysis",
        r"pregnancy",
        r"adverse\s+events?|\baes?\b",
        r"concomitant|prior\s+medication",
        r"\bheight\b|\bweight\b",
        r"pharmacokinetic|\bpk\b",
        r"biomarker|blood\s+sampl|sample\s+collection",
        r"tumou?r\s+assess|recist|\bct\b|\bmri\b",
        r"ecog|karnofsky|performance\s+status",
        r"questionnaire|\bpro\b|qol|diary|diaries",
        r"dispens|drug\s+accountability|study\s+(?:drug|intervention)\s+admin",
        r"laborator|\blabs?\b|serology|coagulation",
        r"randomi[sz]",
        r"hba1c|glucose|lipid",
        r"echo|muga|ophthalm|audiometr",
    )
)
_SCHEDULE = re.compile(
    r"schedule\s+of\s+(?:activities|events|assessments|evaluations|procedures|study\s+(?:activities|"
    r"assessments|procedures))|study\s+flow\s*-?\s*chart|flow\s*chart|time\s+and\s+events|"
    r"study\s+(?:activities|assessments)\s+(?:table|schedule)|table\s+of\s+(?:study\s+)?(?:assessments|"
    r"procedures|events)|visit\s+schedule|assessment\s+schedule"
)
# Summary-of-changes tables quote the SoE section in amendments: grid-like, but not an SoE.
_CHANGES = re.compile(
    r"original\s+text|new\s+(?:text|wording)|reason(?:/|\s+for\s+)?(?:justification|change)|rationale\s+for\s+"
    r"change|summary\s+of\s+changes|description\s+of\s+change|brief\s+rationale|section\s+#?\s*and\s+name"
)
_DOT_LEADER = re.compile(r"\.{5,}|(?:\. ){4,}")
_SECTION_REF = re.compile(r"\bsection\s+\d")
_WINDOW = re.compile(r"±|\+/-|window")
_DIGIT = re.compile(r"\d")
# Footnote / abbreviation lines that follow a grid: "a Scheduling of ...", "12 If dose ...", "MRI=Magnetic".
_FOOTNOTE_LINE = re.compile(r"^\s*(?:[a-z]{1,2}|\d{1,2}|[*†‡§])[.)]?\s+[A-Z]")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z0-9-]{1,9}\s?=\s?[A-Z][a-z]")
# Pages with fewer characters than this are treated as text-less for neighbour context
# (a running header alone is not a text layer worth reading).
LOW_TEXT_CHARS = 120
# Longest run of text-less pages still read as one pictured grid (longer runs are scanned appendices).
MAX_PICTURE_RUN = 4

# Cues carried to neighbouring pages (prev/next value and max over ±1, ±2 pages).
NEIGHBOUR_CUES = ("mark_density", "mark_lines", "mark_end_lines", "visit_density", "procedure_kinds",
                  "schedule_phrase", "footnote_share", "landscape", "low_text", "strong")
# Cues also given relative to the document's maximum: the SoE is usually the most grid-like part.
DOCUMENT_RELATIVE_CUES = ("mark_lines", "mark_end_lines", "visit_tokens", "procedure_kinds")


def _is_mark(tokens: list[str], index: int) -> bool:
    """A mark token that is not the 'x' of a multiplication such as '3 X ULN'."""
    token = tokens[index]
    if not _MARK.match(token):
        return False
    if index == 0 and token not in ("x", "X") and len(tokens) > 1 and not _MARK.match(tokens[1]):
        return False  # a list bullet ("• Vital signs"), not a cell mark
    if token in ("x", "X") and 0 < index < len(tokens) - 1:
        if _NUMBER.match(tokens[index - 1]) and _MULTIPLIER_NEXT.match(tokens[index + 1]):
            return False
    return True


def _line_marks(line_tokens: list[str]) -> int:
    return sum(1 for i in range(len(line_tokens)) if _is_mark(line_tokens, i))


def _text_features(text: str) -> dict[str, float]:
    """Cues from one page's text layer: marks, visit headers, procedures, phrases, layout of lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    line_tokens = [line.split() for line in lines]
    tokens = [token for tokens_ in line_tokens for token in tokens_]
    n_tokens = max(len(tokens), 1)
    n_lines = max(len(lines), 1)
    marks_per_line = [_line_marks(tokens_) for tokens_ in line_tokens]
    marks = sum(marks_per_line)
    visits = sum(1 for token in tokens if _VISIT.match(token.strip(".,;:()[]")))
    lower = text.lower()
    procedure_kinds = sum(1 for pattern in _PROCEDURES if pattern.search(lower))
    digits = len(_DIGIT.findall(text))
    short_lines = sum(1 for tokens_ in line_tokens if len(tokens_) <= 3)
    mark_end_lines = sum(1 for tokens_ in line_tokens if len(tokens_) >= 2 and _is_mark(tokens_, len(tokens_) - 1))
    footnote_lines = sum(1 for line in lines if _FOOTNOTE_LINE.match(line))
    prose_lines = sum(1 for line in lines if len(line) > 60 and line.rstrip().endswith((".", ",", ";")))
    return {
        "log_chars": math.log1p(len(text)),
        "log_tokens": math.log1p(len(tokens)),
        "marks": float(marks),
        "mark_density": marks / n_tokens,
        "mark_lines": float(sum(1 for m in marks_per_line if m >= 2)),
        "mark_line_share": sum(1 for m in marks_per_line if m >= 2) / n_lines,
        "max_line_marks": float(max(marks_per_line, default=0)),
        "mark_end_lines": float(mark_end_lines),
        "mark_end_share": mark_end_lines / n_lines,
        "footnote_share": footnote_lines / n_lines,
        "abbreviations": float(len(_ABBREVIATION.findall(text))),
        "visit_tokens": float(visits),
        "visit_density": visits / n_tokens,
        "procedure_kinds": float(procedure_kinds),
        "schedule_phrase": 1.0 if _SCHEDULE.search(lower) else 0.0,
        "schedule_mentions": float(len(_SCHEDULE.findall(lower))),
        "change_table": float(len(_CHANGES.findall(lower))),
        "dot_leaders": float(len(_DOT_LEADER.findall(text))),
        "section_refs": float(len(_SECTION_REF.findall(lower))),
        "window_marks": float(len(_WINDOW.findall(lower))),
        "short_line_share": short_lines / n_lines,
        "prose_line_share": prose_lines / n_lines,
        "digit_share": digits / max(len(text), 1),
        "mean_line_chars": len(text) / n_lines,
    }


def _strong(values: dict[str, float]) -> float:
    """A page that looks like an SoE grid on its own: marks in many lines plus visit or procedure cues."""
    gridlike = (values["mark_lines"] >= 4 or values["mark_end_lines"] >= 6) and values["mark_density"] >= 0.03
    vocabulary = values["procedure_kinds"] >= 3 or values["visit_density"] >= 0.03
    return 1.0 if gridlike and vocabulary else 0.0


def single_page_features(page: PageText) -> dict[str, float]:
    """Features of one page alone (no neighbours)."""
    values = _text_features(page.text if page.has_text_layer else "")
    values["landscape"] = 1.0 if page.is_landscape else 0.0
    values["rotated"] = 1.0 if page.rotation in (90, 270) else 0.0
    values["has_text"] = 1.0 if page.has_text_layer else 0.0
    values["low_text"] = 1.0 if len(page.text.strip()) < LOW_TEXT_CHARS else 0.0
    values["strong"] = _strong(values)
    return values


def _neighbour_features(singles: list[dict[str, float]], index: int) -> dict[str, float]:
    """The same cues on the pages around `index`, so text-less pages inside an SoE run are found."""
    out: dict[str, float] = {}
    count = len(singles)

    def cue(offset: int, name: str) -> float:
        position = index + offset
        return singles[position][name] if 0 <= position < count else 0.0

    for name in NEIGHBOUR_CUES:
        out[f"prev_{name}"] = cue(-1, name)
        out[f"next_{name}"] = cue(1, name)
        out[f"max1_{name}"] = max(cue(-1, name), cue(1, name))
        out[f"max2_{name}"] = max(cue(offset, name) for offset in (-2, -1, 1, 2))
    out["textless_landscape_next_to_strong"] = float(
        singles[index]["has_text"] == 0.0 and singles[index]["landscape"] == 1.0 and out["max2_strong"] == 1.0
    )
    out["relative_position"] = index / max(count - 1, 1)
    out.update(_low_text_run_features(singles, index))
    return out


def _low_text_run_features(singles: list[dict[str, float]], index: int) -> dict[str, float]:
    """For a page in a run of text-less pages: what the text pages just before and after the run say.

    Scanned SoE inserts sit between a page that announces the schedule (or carry the schedule's
    heading themselves, the grid being a picture) and a page of its footnotes.
    """
    if singles[index]["low_text"] == 0.0:
        return {"run_length": 0.0, "run_before_schedule": 0.0, "run_before_strong": 0.0,
                "run_after_footnotes": 0.0, "run_after_strong": 0.0, "announced_picture": 0.0}
    start, end = index, index
    while start > 0 and singles[start - 1]["low_text"] == 1.0:
        start -= 1
    while end < len(singles) - 1 and singles[end + 1]["low_text"] == 1.0:
        end += 1
    before = singles[start - 1] if start > 0 else None
    after = singles[end + 1] if end < len(singles) - 1 else None
    # Divided by the run length: an SoE insert is a few pages, a scanned appendix is many.
    length = float(end - start + 1)
    announced = max([before["schedule_phrase"] if before else 0.0]
                    + [singles[i]["schedule_phrase"] for i in range(start, end + 1)])
    return {
        "run_length": length,
        "run_before_schedule": announced / length,
        # A short text-less run right under a schedule heading: the grid is a picture.
        "announced_picture": announced if length <= MAX_PICTURE_RUN else 0.0,
        "run_before_strong": (before["strong"] if before else 0.0) / length,
        "run_after_footnotes": (after["footnote_share"] if after else 0.0) / length,
        "run_after_strong": (after["strong"] if after else 0.0) / length,
    }


def _document_relative(singles: list[dict[str, float]]) -> list[dict[str, float]]:
    """Each cue divided by its maximum over the document (0 when the document has none)."""
    maxima = {name: max((single[name] for single in singles), default=0.0) for name in DOCUMENT_RELATIVE_CUES}
    return [
        {f"doc_rel_{name}": (single[name] / maxima[name] if maxima[name] else 0.0) for name in DOCUMENT_RELATIVE_CUES}
        for single in singles
    ]


def page_features(pages: Sequence[PageText]) -> list[dict[str, float]]:
    """One feature dict per page: the page's own cues plus those of its neighbours."""
    singles = [single_page_features(page) for page in pages]
    relative = _document_relative(singles)
    return [
        {**single, **relative[index], **_neighbour_features(singles, index)} for index, single in enumerate(singles)
    ]
