import json

import pytest

from soe_desktop.core.model import Candidate, Label, PageText


def make_candidate(**overrides):
    values = dict(id="abc-p0001-t0", document_sha256="abc", page=1, bbox=(10, 20, 300, 400),
                  detector="pdfplumber", rows=[["Procedure", "Day 1"], ["ECG", "X"]],
                  context="8.1 Schedule of Activities")
    values.update(overrides)
    return Candidate(**values)


def test_standalone_candidate_is_its_own_group():
    assert make_candidate().group == "abc-p0001-t0"
    assert make_candidate(group="g1").group == "g1"


def test_two_representations_carry_structure_and_context():
    candidate = make_candidate()
    structure = json.loads(candidate.representation("json"))
    assert structure["rows"][1] == ["ECG", "X"]
    text = candidate.representation("text")
    assert text.startswith("8.1 Schedule of Activities")
    assert "ECG | X" in text
    with pytest.raises(ValueError):
        candidate.representation("image")


def test_label_probability_of_soe_follows_verdict():
    assert Label("c", True, 0.9, "heuristic").p_soe == pytest.approx(0.9)
    assert Label("c", False, 0.9, "heuristic").p_soe == pytest.approx(0.1)
    assert Label("c", False, 1.0, "human:ana").is_human


def test_landscape_is_displayed_width_over_height():
    assert PageText(1, 792, 612, 90, "", False).is_landscape
    assert not PageText(1, 612, 792, 0, "", False).is_landscape


def test_label_from_probability_states_confidence_in_its_verdict():
    no = Label.from_probability("c", 0.2, "heuristic")
    assert (no.is_soe, no.confidence) == (False, pytest.approx(0.8))
    yes = Label.from_probability("c", 0.6, "student:v1", threshold=0.55, reason="r")
    assert (yes.is_soe, yes.confidence, yes.reason) == (True, pytest.approx(0.6), "r")
    assert not Label.from_probability("c", 0.5, "x", threshold=0.7).is_soe
