"""The glossary in code: documents, pages, candidates and labels.

Plain dataclasses so the CLI, the tests, the store and the GUI share one vocabulary
(see docs/CONCEPTS.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Iterable, Mapping

# x0, top, x1, bottom in PDF points, top-left origin, page as displayed (after /Rotate).
BBox = tuple[float, float, float, float]

REPRESENTATIONS = ("json", "text")


class Detector(StrEnum):
    """What found a candidate. A StrEnum, so stored rows and JSON keep the plain names."""

    PDFPLUMBER = "pdfplumber"  # ruled or aligned grid found by pdfplumber
    CAMELOT = "camelot"  # camelot lattice, where pdfplumber found nothing
    FALLBACK_TEXT = "fallback-text"  # the text block of an SoE-like page where no grid was found
    FALLBACK_PAGE = "fallback-page"  # the whole page, when it has no text layer to find a grid in
    MANUAL = "manual"  # drawn or imported by a person (a table every finder missed)

    @property
    def is_fallback(self) -> bool:
        """No table finder saw a grid here: the candidate is a page region, not a table."""
        return self in (Detector.FALLBACK_TEXT, Detector.FALLBACK_PAGE)


class LabelKind(StrEnum):
    """Who gave a label: the one distinction review, training and the dashboard rely on."""

    HUMAN = "human"  # a person's decision: gold, never overwritten
    RULE = "rule"  # a review rule (auto-accept) standing in for a person
    STUDENT = "student"  # a locally trained model version
    TEACHER = "teacher"  # a labeler whose labels train the student (heuristic, gemini)


@dataclass(frozen=True)
class LabelSource:
    """A label's `source` string parsed once: `human:<user>`, `rule:<rule>`, `student:<version>`, or
    a teacher's name (`heuristic`, `gemini`)."""

    kind: LabelKind
    name: str

    @classmethod
    def parse(cls, source: str) -> "LabelSource":
        prefix, _, rest = source.partition(":")
        if rest and prefix in (LabelKind.HUMAN, LabelKind.RULE, LabelKind.STUDENT):
            return cls(LabelKind(prefix), rest)
        return cls(LabelKind.TEACHER, source)

    @classmethod
    def human(cls, user: str) -> "LabelSource":
        return cls(LabelKind.HUMAN, user)

    @classmethod
    def student(cls, version: str) -> "LabelSource":
        return cls(LabelKind.STUDENT, version)

    @classmethod
    def rule(cls, rule: str) -> "LabelSource":
        return cls(LabelKind.RULE, rule)

    def __str__(self) -> str:
        return self.name if self.kind is LabelKind.TEACHER else f"{self.kind}:{self.name}"

    @staticmethod
    def prefix(kind: LabelKind) -> str:
        """What every stored source of `kind` starts with (for store queries by source prefix)."""
        return f"{kind}:" if kind is not LabelKind.TEACHER else ""


def utc_now() -> str:
    """ISO timestamp used for every stored event, so ordering is unambiguous."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def to_p_soe(is_soe: bool, confidence: float) -> float:
    """Probability that a candidate is an SoE, from a verdict and the confidence in it."""
    return confidence if is_soe else 1.0 - confidence


def from_p_soe(p_soe: float, threshold: float = 0.5) -> tuple[bool, float]:
    """(verdict, confidence in the verdict) from a probability of SoE."""
    is_soe = p_soe >= threshold
    return is_soe, to_p_soe(is_soe, p_soe)


@dataclass(frozen=True)
class Document:
    """One PDF, identified by the sha256 of its bytes (same bytes = same document)."""

    path: str
    sha256: str
    page_count: int


@dataclass
class PageText:
    """What we know of one page without parsing its layout: size, rotation, text layer."""

    number: int  # 1-based
    width: float  # displayed width in points (after /Rotate)
    height: float  # displayed height in points
    rotation: int  # the page's /Rotate in degrees (0, 90, 180, 270)
    text: str  # pypdfium2 text, reading order; empty when the page has no text layer (or its OCR text)
    has_text_layer: bool
    ocr: bool = False  # `text` was read by OCR from a page without a text layer (core/pdf/ocr.py)
    ocr_rows: list[list[str]] = field(default_factory=list)  # the OCR boxes as rows of cells (not stored)
    # Why the page was skipped (pdfium cannot load it, its table finders or OCR failed or ran out of
    # time); empty for a page read as usual. Such a page has no candidates.
    unreadable: str = ""
    # The page's one orientation decision (core/pdf/orientation.py), used by every reader: 0 upright,
    # 90 text running up the page, 270 running down (a grid drawn sideways on an upright page).
    direction: int = 0
    # The text layer covers little of the page's ink (core/pdf/coverage.py), or there is none: the page
    # is a picture whatever its few stamped characters say, and OCR may read it.
    pictured: bool = False
    # How the page was read when its reading is uncertain, in words a reviewer can read ("pictured:
    # 11 characters over 0.4 % of the ink; read by OCR", "sideways", "redacted"); empty = plain text.
    reading: str = ""

    @property
    def reading_uncertain(self) -> bool:
        """Its text came from OCR, a sideways grid or around a redaction: labelers lower their
        confidence and the auto-accept rule leaves it to a person."""
        return bool(self.reading)

    @property
    def has_text(self) -> bool:
        """There are words to read on this page: its text layer, or OCR of its picture."""
        return self.has_text_layer or self.ocr

    @property
    def is_landscape(self) -> bool:
        return self.width > self.height


@dataclass
class Candidate:
    """One table region on one page, with the two representations a labeler sees.

    `group` is shared by candidates that form one table continuing over several pages;
    a standalone table's group equals its own id.
    """

    id: str
    document_sha256: str
    page: int  # 1-based
    bbox: BBox
    detector: str  # a Detector value
    rows: list[list[str]] = field(default_factory=list)
    context: str = ""  # heading, caption and lines above/below the table on its page
    group: str = ""
    features: dict[str, float] = field(default_factory=dict)  # page + table layout cues

    def __post_init__(self) -> None:
        if not self.group:
            self.group = self.id

    def json_representation(self) -> str:
        """The table's structure as extracted: rows x cells."""
        return json.dumps({"page": self.page, "rows": self.rows}, ensure_ascii=False)

    def table_text(self) -> str:
        return "\n".join(" | ".join(cell for cell in row) for row in self.rows)

    def text_representation(self) -> str:
        """The table's text plus the page text around it."""
        return f"{self.context}\n\n{self.table_text()}".strip()

    def representation(self, kind: str) -> str:
        if kind == "json":
            return self.json_representation()
        if kind == "text":
            return self.text_representation()
        raise ValueError(f"unknown representation {kind!r}; expected one of {REPRESENTATIONS}")


@dataclass
class Label:
    """One labeler's verdict on one candidate. Labels are appended, never overwritten."""

    candidate_id: str
    is_soe: bool
    confidence: float  # 0-1, confidence in is_soe
    source: str  # heuristic | gemini | student:<version> | human:<user> | rule:auto-accept
    created_at: str = field(default_factory=utc_now)
    reason: str = ""
    agree: bool | None = None  # did the two representations agree (teachers only)
    details: dict = field(default_factory=dict)  # per-representation votes, prompt version, ...
    id: int | None = None  # row id once stored

    @classmethod
    def from_probability(
        cls, candidate_id: str, p_soe: float, source: str, threshold: float = 0.5, **fields
    ) -> "Label":
        """Verdict and the confidence in that verdict from a probability of SoE."""
        is_soe, confidence = from_p_soe(p_soe, threshold)
        return cls(candidate_id=candidate_id, is_soe=is_soe, confidence=confidence, source=source, **fields)

    @property
    def origin(self) -> LabelSource:
        return LabelSource.parse(self.source)

    @property
    def kind(self) -> LabelKind:
        return self.origin.kind

    @property
    def is_human(self) -> bool:
        return self.kind is LabelKind.HUMAN

    @property
    def p_soe(self) -> float:
        """Probability that the candidate is an SoE, whatever the verdict was."""
        return to_p_soe(self.is_soe, self.confidence)


def soe_pages_of(candidates: Iterable[Candidate], labels: Mapping[str, Label]) -> list[int]:
    """Pages predicted SoE: at least one candidate on them labelled SoE (the corpus metric)."""
    return sorted({c.page for c in candidates if (label := labels.get(c.id)) is not None and label.is_soe})
