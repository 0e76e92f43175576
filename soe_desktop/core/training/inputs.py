"""The student's input text: a short structured prefix of layout cues, then the table's text.

Why: on real protocols page text alone is a weak signal while cheap layout cues carry most of it
(the page screen decides from them alone: docs/CONCEPTS.md). A transformer reads words, so the cues
are written as a few words each ("landscape", "marks many", "next grid") in a fixed order that fits in ~40 tokens.
Numbers are bucketed into words because word pieces of raw floats mean little to the encoder.
"""

from __future__ import annotations

from typing import Callable, Sequence

from soe_desktop.core.model import Candidate

PAGE = "page_"  # the pipeline copies page features into candidates under this prefix
SEPARATOR = " || "

_COUNT_WORDS = ((0, "none"), (1, "one"), (3, "few"), (9, "some"), (29, "many"))


def count_word(value: float) -> str:
    """0 -> none, 1 -> one, 2-3 -> few, 4-9 -> some, 10-29 -> many, 30+ -> lots."""
    for upper, word in _COUNT_WORDS:
        if value <= upper:
            return word
    return "lots"


def level_word(value: float, low: float, mid: float, high: float) -> str:
    """Bucket a density: none / low / mid / high."""
    if value < low:
        return "none"
    if value < mid:
        return "low"
    if value < high:
        return "mid"
    return "high"


def _flag(key: str, word: str) -> Callable[[dict], str]:
    return lambda f: word if f.get(key, 0.0) >= 0.5 else ""


def _count(key: str, name: str) -> Callable[[dict], str]:
    return lambda f: f"{name} {count_word(f[key])}" if key in f else ""


def _level(key: str, name: str, low: float, mid: float, high: float) -> Callable[[dict], str]:
    return lambda f: f"{name} {level_word(f[key], low, mid, high)}" if key in f else ""


def _orientation(f: dict) -> str:
    """Landscape is the single strongest cue (88 % of SoE pages, 2-6 % of others)."""
    if PAGE + "landscape" not in f:
        return ""
    return "landscape" if f[PAGE + "landscape"] >= 0.5 else "portrait"


def _text_layer(f: dict) -> str:
    return "no text" if f.get(PAGE + "has_text", 1.0) < 0.5 else ""


# Order matters: the strongest cues first, so truncation never drops them. Page cues carry the
# `page_` prefix; table cues (from the detected cells) have none.
CUES: Sequence[Callable[[dict], str]] = (
    _orientation,
    _text_layer,
    _flag(PAGE + "rotated", "rotated"),
    _flag(PAGE + "schedule_phrase", "schedule title"),
    _flag(PAGE + "strong", "grid"),
    _count(PAGE + "mark_lines", "mark rows"),
    _level(PAGE + "mark_density", "marks", 0.01, 0.04, 0.10),
    _count(PAGE + "visit_tokens", "visits"),
    _count(PAGE + "procedure_kinds", "procedures"),
    _flag(PAGE + "prev_strong", "prev grid"),
    _flag(PAGE + "next_strong", "next grid"),
    _flag(PAGE + "max2_strong", "near grid"),
    _flag(PAGE + "prev_landscape", "prev landscape"),
    _flag(PAGE + "next_landscape", "next landscape"),
    _flag(PAGE + "max2_schedule_phrase", "near schedule title"),
    _flag(PAGE + "textless_landscape_next_to_strong", "scan in grid run"),
    _flag(PAGE + "dot_leaders", "contents page"),
    _level("mark_cell_share", "cell marks", 0.02, 0.10, 0.25),
    _count("header_visit_tokens", "header visits"),
    _level("rows_with_marks_share", "marked rows", 0.05, 0.25, 0.5),
    _count("n_rows", "rows"),
    _count("n_cols", "cols"),
)


def layout_prefix(features: dict[str, float]) -> str:
    """Words for the layout cues the candidate carries; empty when it carries none."""
    words = (cue(features) for cue in CUES)
    return ". ".join(word for word in words if word)


def candidate_body(candidate: Candidate, representation: str = "text") -> str:
    """The representation the student reads after the prefix ('both' = text then json)."""
    if representation == "both":
        return f"{candidate.text_representation()}\n{candidate.json_representation()}"
    return candidate.representation(representation)


def student_input(candidate: Candidate, representation: str = "text", use_prefix: bool = True) -> str:
    """Prefix of layout cues, a separator, then the candidate's text (collapsed whitespace)."""
    body = " ".join(candidate_body(candidate, representation).split())
    if not body and candidate.page:
        body = "empty page"
    if not use_prefix:
        return body
    prefix = layout_prefix(candidate.features)
    return f"{prefix}{SEPARATOR}{body}" if prefix else body


def student_inputs(candidates: Sequence[Candidate], representation: str = "text", use_prefix: bool = True) -> list[str]:
    return [student_input(c, representation, use_prefix) for c in candidates]
