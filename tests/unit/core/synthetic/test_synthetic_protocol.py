"""The generated PDF really contains what its ground truth says, page by page."""

from __future__ import annotations

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from soe_desktop.core.synthetic import SyntheticTruth

VISIT_HEADERS = ["Screening", "Day 1", "Week 2", "ET", "Follow-up", "Visit Window"]


def test_truth_is_consistent(sample):
    _, truth = sample
    assert isinstance(truth, SyntheticTruth)
    pages = set(range(1, truth.page_count + 1))
    soe = set(truth.soe_pages)
    assert soe <= pages and soe
    assert set(truth.rotated_soe_pages) <= soe and len(truth.rotated_soe_pages) == 2
    assert set(truth.image_only_pages) <= soe and len(truth.image_only_pages) == 1
    assert set(truth.borderless_soe_pages) <= soe
    assert sorted(p for group in truth.group_pages for p in group) == sorted(soe)
    assert not soe & set(truth.notes_only_pages)
    assert not soe & set(truth.negative_table_pages)
    assert 30 <= truth.page_count <= 40


def test_page_count_matches_pdf(sample):
    path, truth = sample
    assert len(pdfium.PdfDocument(str(path))) == truth.page_count


def test_main_grid_spans_several_pages_then_a_notes_page(sample):
    _, truth = sample
    main = truth.group_pages[0]
    assert len([p for p in main if p not in truth.image_only_pages]) >= 2
    assert main == list(range(main[0], main[-1] + 1)), "grid pages are consecutive"
    assert truth.notes_only_pages == [main[-1] + 1]


def test_soe_pages_with_text_show_visit_headers(sample, sample_texts):
    _, truth = sample
    for page in truth.soe_pages:
        if page in truth.image_only_pages:
            continue
        text = sample_texts[page - 1]
        assert "Schedule of Activities" in text, page
        for header in VISIT_HEADERS:
            assert header in text, (page, header)


def test_continuation_pages_repeat_the_header_and_say_continued(sample, sample_texts):
    _, truth = sample
    for page in truth.group_pages[0][1:]:
        if page not in truth.image_only_pages:
            assert "(continued)" in sample_texts[page - 1]


def test_notes_only_page_has_footnotes_but_no_grid(sample, sample_texts):
    _, truth = sample
    text = sample_texts[truth.notes_only_pages[0] - 1]
    assert "Footnotes" in text and "1. " in text
    assert "Visit Window" not in text


def test_rotated_pages_are_one_rotate90_and_one_sideways_grid(sample):
    path, truth = sample
    pdf = pdfium.PdfDocument(str(path))
    first, second = truth.rotated_soe_pages
    assert pdf[first - 1].get_rotation() == 90
    width, height = pdf[first - 1].get_size()
    assert width > height, "a /Rotate 90 page displays landscape"
    assert pdf[second - 1].get_rotation() == 0
    with pdfplumber.open(str(path)) as plumber:
        chars = plumber.pages[second - 1].chars
        sideways = [c for c in chars if not c["upright"]]
        assert len(sideways) > 0.6 * len(chars), "the grid is drawn rotated inside a portrait page"
        assert plumber.pages[second - 1].width < plumber.pages[second - 1].height


def test_image_only_page_has_an_image_and_no_text(sample, sample_texts):
    path, truth = sample
    (page,) = truth.image_only_pages
    assert sample_texts[page - 1].strip() == ""
    pdf = pdfium.PdfDocument(str(path))
    kinds = [obj.type for obj in pdf[page - 1].get_objects()]
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE in kinds
    assert all(text.strip() for number, text in enumerate(sample_texts, 1) if number != page)


def test_negative_tables_are_present_with_their_traps(sample, sample_texts):
    _, truth = sample
    kinds = set(truth.negative_table_pages.values())
    assert kinds == {"lab_parameters", "dose_modification", "treatment_cycle", "questionnaire",
                     "abbreviations", "revision_history", "safety_by_cohort"}
    markers = {"lab_parameters": "3 X ULN", "questionnaire": "\u2610", "abbreviations": "ULN",
               "revision_history": "Summary of Changes", "safety_by_cohort": "Cohort B",
               "treatment_cycle": "Maintenance", "dose_modification": "Grade 3"}
    for page, kind in truth.negative_table_pages.items():
        assert markers[kind] in sample_texts[page - 1], (page, kind)


def test_negative_pages_are_ruled_tables(sample):
    path, truth = sample
    with pdfplumber.open(str(path)) as plumber:
        for page in truth.negative_table_pages:
            assert plumber.pages[page - 1].find_tables(), page


def test_borderless_grid_has_no_ruling_but_ruled_grid_has(sample):
    path, truth = sample
    (borderless,) = truth.borderless_soe_pages
    ruled = truth.group_pages[0][0]
    with pdfplumber.open(str(path)) as plumber:
        assert len(plumber.pages[borderless - 1].lines + plumber.pages[borderless - 1].rects) <= 3
        assert len(plumber.pages[ruled - 1].lines + plumber.pages[ruled - 1].rects) > 20


def test_marks_include_footnoted_x(sample, sample_texts):
    _, truth = sample
    grid_text = "".join(sample_texts[p - 1] for p in truth.group_pages[0])
    assert any(f"X{sup}" in grid_text for sup in "\u00b9\u00b2\u00b3")


def test_check_mark_style_is_real_text(check_marked, read_texts):
    path, truth = check_marked
    texts = read_texts(path)
    for page in truth.group_pages[0]:
        assert texts[page - 1].count("\u2713") >= 10, page
    rotated_text = "".join(texts[p - 1] for p in truth.rotated_soe_pages)
    assert "\u2713" not in rotated_text, "the second grid uses another mark style"


def test_watermark_and_page_footer(sample, sample_texts):
    _, truth = sample
    assert all(f"Page {n} of {truth.page_count}" in sample_texts[n - 1]
               for n in range(2, truth.page_count + 1) if n not in truth.image_only_pages)
    assert any(text.count("CONFIDENTIAL") >= 2 for text in sample_texts)
