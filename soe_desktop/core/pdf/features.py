"""Cheap page features from pypdfium2 text and page size, and the page screen built on them.

Why: pdfplumber/camelot cost ~150/~500 ms per page (docs/BENCHMARKS.md), so a 20 ms/page pipeline
must decide from the text layer alone (~1-3 ms/page) which few pages are worth opening. The same
features feed the heuristic teacher: the pipeline copies them into every candidate's
`features` under the `page_` prefix (see `candidate_page_features`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Optional, Sequence

from soe_desktop.core.model import PageText
from soe_desktop.core.pdf.page_model import load_page_model, logit

PAGE_PREFIX = "page_"
# The page screen's own verdict (logit of the page model) as a candidate carries it: the pipeline
# stores it, the student reads it (the page model learned from every page of the dev corpus what a
# student cannot learn from a few hundred labelled candidates).
SCREEN_LOGIT = f"{PAGE_PREFIX}screen_logit"

# A cell mark: X / check / bullet / triangle, optionally followed by a footnote reference
# ("X1", "Xa", "X¹", "X*", "X(a)").
_MARK = re.compile(r"^(?:[Xx✓✔✗√•●○◆■□▲△◊]|\(X\)|\[X\])(?:[0-9a-z,*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰ᵃᵇᶜᵈᵉ]{0,4}|\([0-9a-z,]{1,4}\))$")
# Every mark starts with one of these characters: tokens that do not are skipped without a regex.
_MARK_FIRST = frozenset("Xx✓✔✗√•●○◆■□▲△◊([")
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
# Procedure kinds, matched against the lower-cased page text (case-insensitive regexes are ~2x
# slower). Each pattern comes with what any of its matches must contain: a substring, or a whole
# word (a \w+ run, for the \b-bounded alternatives). A page with none of them cannot match, so the
# regex runs only where it can: same counts in less than half the time (most pages hold few of them).
_PROCEDURE_CUES = tuple(
    (re.compile(pattern), substrings, words)
    for pattern, substrings, words in (
        (r"informed\s+consent", ("consent",), ()),
        (r"inclusion|exclusion|eligibility", ("clusion", "eligibility"), ()),
        (r"medical\s+history|demograph", ("history", "demograph"), ()),
        (r"vital\s+signs?", ("vital",), ()),
        (r"physical\s+exam", ("physical",), ()),
        (r"\b(?:12-lead\s+)?ecgs?\b|electrocardiogram", ("electrocardiogram",), ("ecg", "ecgs")),
        (r"hematology|haematology|\bcbc\b", ("hematology", "haematology"), ("cbc",)),
        (r"chemistry|serum\s+chem", ("chem",), ()),
        (r"urinalysis", ("urinalysis",), ()),
        (r"pregnancy", ("pregnancy",), ()),
        (r"adverse\s+events?|\baes?\b", ("adverse",), ("ae", "aes")),
        (r"concomitant|prior\s+medication", ("concomitant", "medication"), ()),
        (r"\bheight\b|\bweight\b", (), ("height", "weight")),
        (r"pharmacokinetic|\bpk\b", ("pharmacokinetic",), ("pk",)),
        (r"biomarker|blood\s+sampl|sample\s+collection", ("biomarker", "blood", "collection"), ()),
        (r"tumou?r\s+assess|recist|\bct\b|\bmri\b", ("tumo", "recist"), ("ct", "mri")),
        (r"ecog|karnofsky|performance\s+status", ("ecog", "karnofsky", "performance"), ()),
        (r"questionnaire|\bpro\b|qol|diary|diaries", ("questionnaire", "qol", "diar"), ("pro",)),
        (r"dispens|drug\s+accountability|study\s+(?:drug|intervention)\s+admin",
         ("dispens", "accountability", "admin"), ()),
        (r"laborator|\blabs?\b|serology|coagulation", ("laborator", "serology", "coagulation"), ("lab", "labs")),
        (r"randomi[sz]", ("randomi",), ()),
        (r"hba1c|glucose|lipid", ("hba1c", "glucose", "lipid"), ()),
        (r"echo|muga|ophthalm|audiometr", ("echo", "muga", "ophthalm", "audiometr"), ()),
    )
)
_PROCEDURES = tuple(pattern for pattern, _, _ in _PROCEDURE_CUES)
_WORD = re.compile(r"\w+")
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
    if token[0] not in _MARK_FIRST or not _MARK.match(token):
        return False
    if index == 0 and token not in ("x", "X") and len(tokens) > 1 and not _MARK.match(tokens[1]):
        return False  # a list bullet ("• Vital signs"), not a cell mark
    if token in ("x", "X") and 0 < index < len(tokens) - 1:
        if _NUMBER.match(tokens[index - 1]) and _MULTIPLIER_NEXT.match(tokens[index + 1]):
            return False
    return True


def _line_marks(line_tokens: list[str]) -> int:
    return sum(1 for i, token in enumerate(line_tokens) if token[0] in _MARK_FIRST and _is_mark(line_tokens, i))


def _procedure_kinds(lower: str) -> int:
    """How many procedure kinds the page names; a regex runs only where its cue words occur."""
    words: Optional[set[str]] = None
    kinds = 0
    for pattern, substrings, cue_words in _PROCEDURE_CUES:
        possible = any(substring in lower for substring in substrings)
        if not possible and cue_words and any(word in lower for word in cue_words):
            words = words if words is not None else set(_WORD.findall(lower))
            possible = any(word in words for word in cue_words)
        if possible and pattern.search(lower):
            kinds += 1
    return kinds


def _count(pattern: re.Pattern, text: str, *cues: str) -> int:
    """Matches of `pattern` in `text`; skipped when none of `cues` (one of which every match holds) occurs."""
    return len(pattern.findall(text)) if any(cue in text for cue in cues) else 0


def _visit_tokens(tokens: list[str]) -> int:
    """Visit-header tokens (Day, Week, V2, C1D1, ...): each distinct token is matched once."""
    return sum(count for token, count in Counter(tokens).items() if _VISIT.match(token.strip(".,;:()[]")))


def _text_features(text: str) -> dict[str, float]:
    """Cues from one page's text layer: marks, visit headers, procedures, phrases, layout of lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    line_tokens = [line.split() for line in lines]
    tokens = [token for tokens_ in line_tokens for token in tokens_]
    n_tokens = max(len(tokens), 1)
    n_lines = max(len(lines), 1)
    marks_per_line = [_line_marks(tokens_) for tokens_ in line_tokens]
    marks = sum(marks_per_line)
    visits = _visit_tokens(tokens)
    lower = text.lower()
    procedure_kinds = _procedure_kinds(lower)
    schedule_mentions = len(_SCHEDULE.findall(lower))
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
        "abbreviations": float(_count(_ABBREVIATION, text, "=")),
        "visit_tokens": float(visits),
        "visit_density": visits / n_tokens,
        "procedure_kinds": float(procedure_kinds),
        "schedule_phrase": 1.0 if schedule_mentions else 0.0,
        "schedule_mentions": float(schedule_mentions),
        "change_table": float(len(_CHANGES.findall(lower))),
        "dot_leaders": float(_count(_DOT_LEADER, text, ".....", ". .")),
        "section_refs": float(_count(_SECTION_REF, lower, "section")),
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
    values = _text_features(page.text if page.has_text else "")  # a text layer, or OCR of the picture
    values["landscape"] = 1.0 if page.is_landscape else 0.0
    values["rotated"] = 1.0 if page.rotation in (90, 270) else 0.0
    values["has_text"] = 1.0 if page.has_text else 0.0
    # By character count, as the page model was fitted: counting unread pictured pages as text-less too
    # lowered the fold models' scores of pictured SoE pages (docs/BENCHMARKS.md, reading 2026-12-03).
    values["low_text"] = 1.0 if len(page.text.strip()) < LOW_TEXT_CHARS else 0.0
    values["strong"] = _strong(values)
    return values


def _neighbour_features(singles: list[dict[str, float]], index: int, count: Optional[int] = None) -> dict[str, float]:
    """The same cues on the pages around `index`, so text-less pages inside an SoE run are found.

    `count` is the document's page count when `singles` holds only the pages read so far (the
    streaming screen): pages index-2..index+2 must be among them.
    """
    out: dict[str, float] = {}
    count = len(singles) if count is None else count

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
    if count != len(singles) and singles[index]["low_text"] == 1.0:
        raise ValueError("the run features of a text-less page need the whole document")
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
    return page_features_from_singles([single_page_features(page) for page in pages])


def page_features_from_singles(singles: list[dict[str, float]]) -> list[dict[str, float]]:
    """`page_features` from each page's `single_page_features` (the streaming screen has them already)."""
    relative = _document_relative(singles)
    return [
        {**single, **relative[index], **_neighbour_features(singles, index)} for index, single in enumerate(singles)
    ]


def neighbourhood_features(singles: list[dict[str, float]], index: int, page_count: int) -> dict[str, float]:
    """Page `index`'s features but the document-relative ones, from the pages read so far.

    Exactly what `page_features` gives once pages index-2..index+2 are read, for a page with
    text (`low_text` 0): the streaming screen scores pages before the document is read.
    """
    return {**singles[index], **_neighbour_features(singles, index, page_count)}


def document_relative_bounds(singles: list[dict[str, float]], index: int) -> dict[str, tuple[float, float]]:
    """Range of each document-relative cue of page `index` while later pages are still unread."""
    bounds = {}
    for name in DOCUMENT_RELATIVE_CUES:
        value = singles[index][name]
        seen = max(single[name] for single in singles)
        ceiling = len(_PROCEDURES) if name == "procedure_kinds" else math.inf  # the page maximum of a cue
        bounds[f"doc_rel_{name}"] = (value / ceiling if value else 0.0, value / seen if value else 0.0)
    return bounds


def candidate_page_features(page_feature_dict: dict[str, float], page_score: Optional[float] = None) -> dict:
    """Page features as a candidate carries them: every key prefixed with `page_`, plus the screen's
    logit for the page when its score is given."""
    out = {f"{PAGE_PREFIX}{key}": float(value) for key, value in page_feature_dict.items()}
    if page_score is not None:
        out[SCREEN_LOGIT] = logit(page_score)
    return out


def page_scores(
    pages: Sequence[PageText], features: Optional[Sequence[dict[str, float]]] = None, model=None
) -> list[float]:
    """Probability that each page holds part of an SoE grid.

    `model` (anything with `predict(list[dict]) -> list[float]`) defaults to the shipped page
    model (pdf/page_model.py); cross-validation passes a model fitted without the document.
    """
    if model is None:
        model = load_page_model()
    features = list(features) if features is not None else page_features(pages)
    return model.predict(features)


# Screening thresholds on the page score, low on purpose: a page the screen drops can never get a
# candidate. Cross-validated on the dev corpus (page model fitted without the document), a score
# >= 0.03 keeps all 133 SoE pages and opens 8 % of all pages; they get at least a cheap fallback
# candidate. The expensive table detectors run only from 0.12: below sigmoid(-2) the heuristic
# teacher cannot call a candidate SoE whatever its grid looks like (evidence moves the page prior
# by at most 2 logits), so detecting tables there would cost time and change nothing.
TABLE_PAGE_THRESHOLD = 0.12
FALLBACK_PAGE_THRESHOLD = 0.03


def screen(
    pages: Sequence[PageText], scores: Optional[Sequence[float]] = None
) -> tuple[list[int], list[int]]:
    """(table_pages, fallback_pages), 1-based.

    table_pages: pages with a text layer (not read by OCR) worth running table detectors on.
    fallback_pages: SoE-like pages that must get a candidate even when no table is found there
    (text-less pages inside an SoE run, borderless grids).
    """
    scores = list(scores) if scores is not None else page_scores(pages)
    table_pages = [  # a page read by OCR has no vector text for the detectors: its OCR boxes are its cells
        page.number for page, score in zip(pages, scores)
        if page.has_text_layer and not page.ocr and score >= TABLE_PAGE_THRESHOLD
    ]
    fallback_pages = [page.number for page, score in zip(pages, scores) if score >= FALLBACK_PAGE_THRESHOLD]
    return table_pages, fallback_pages


def second_look(pages: Sequence[PageText], scores: Sequence[float], opened: set[int], count: int) -> list[int]:
    """The `count` text-layer pages outside `opened` with the highest screen scores, best first.

    Why: ~80 % of the candidates on screened pages are SoE, so a student trained on them sees few
    look-alikes; the pages the screen came closest to opening supply them (docs/EXPERIMENTS.md)."""
    closed = [page.number for page in pages if page.has_text_layer and not page.ocr and page.number not in opened]
    return sorted(closed, key=lambda number: (-scores[number - 1], number))[:max(0, count)]


def pages_to_examine(pages: Sequence[PageText], scores: Sequence[float],
                     look_count: int) -> tuple[list[int], list[int], list[int]]:
    """(table_pages, fallback_pages, second-look pages) for `find_candidates`: the screen's pages,
    most SoE-like first (a viewer gets those boxes first), then `look_count` second-look pages in
    both lists, so each of them yields a candidate (its text block when no table is found)."""
    table_pages, fallback_pages = screen(pages, scores)
    looked = second_look(pages, scores, set(table_pages) | set(fallback_pages), look_count)

    def most_soe_like_first(numbers: list[int]) -> list[int]:
        return sorted(numbers, key=lambda number: -scores[number - 1]) + looked

    return most_soe_like_first(table_pages), most_soe_like_first(fallback_pages), looked
