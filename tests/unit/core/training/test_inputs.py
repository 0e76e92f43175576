from soe_desktop.core.model import Candidate
from soe_desktop.core.training.inputs import SEPARATOR, count_word, layout_prefix, student_input


def test_prefix_puts_layout_cues_in_words():
    features = {"page_landscape": 1.0, "page_has_text": 0.0, "page_mark_lines": 12.0, "page_mark_density": 0.2,
                "page_prev_strong": 1.0, "page_next_strong": 0.0}
    prefix = layout_prefix(features)
    assert prefix.startswith("landscape. no text")
    assert "mark rows many" in prefix and "marks high" in prefix and "prev grid" in prefix
    assert "next grid" not in prefix


def test_input_is_prefix_then_text_and_prefix_can_be_switched_off():
    candidate = Candidate("c", "d", 3, (0, 0, 1, 1), "pdfplumber", [["Visit", "Day 1"], ["ECG", "X"]],
                          "Schedule   of\nActivities", features={"page_landscape": 0.0})
    assert student_input(candidate) == f"portrait{SEPARATOR}Schedule of Activities Visit | Day 1 ECG | X"
    assert student_input(candidate, use_prefix=False) == "Schedule of Activities Visit | Day 1 ECG | X"


def test_text_less_page_still_gets_an_input():
    candidate = Candidate("c", "d", 3, (0, 0, 1, 1), "fallback-page", features={"page_landscape": 1.0})
    assert student_input(candidate) == f"landscape{SEPARATOR}empty page"


def test_count_words():
    assert [count_word(v) for v in (0, 1, 2, 5, 12, 40)] == ["none", "one", "few", "some", "many", "lots"]
