"""The analysis reads pictured pages by OCR before the screen scores them: their candidates get cells."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.heuristic import HeuristicTeacher
from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse
from soe_desktop.core.pdf import ocr
from soe_desktop.core.pdf.candidates import NO_TEXT_NOTE, OCR_NOTE

needs_engine = pytest.mark.skipif(not ocr.ocr_available(), reason="the optional OCR engine is not installed")


@needs_engine
def test_the_pictured_soe_page_gets_ocr_rows_and_the_teacher_calls_it_soe(sample_protocol):
    path, truth = sample_protocol
    (number,) = truth.image_only_pages
    read, blind = analyse(path), analyse(path, options=AnalysisOptions(ocr=False))
    (seen,) = [c for c in read.candidates if c.page == number]
    (unseen,) = [c for c in blind.candidates if c.page == number]
    assert seen.features["ocr"] == 1.0 and len(seen.rows) >= 10 and OCR_NOTE in seen.context
    assert unseen.features["ocr"] == 0.0 and unseen.rows == [] and NO_TEXT_NOTE in unseen.context
    assert read.pages[number - 1].ocr and not blind.pages[number - 1].ocr
    assert read.text_less_pages == blind.text_less_pages == [number]  # OCR does not make a text layer
    (label,) = [l for l in HeuristicTeacher().label(read.candidates) if l.candidate_id == seen.id]
    assert label.is_soe
