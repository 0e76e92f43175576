"""Group consensus: one table over several pages gets one verdict."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.groups import group_consensus, group_members
from soe_desktop.core.model import Candidate, Label


def _candidate(page: int, group: str = "") -> Candidate:
    return Candidate(id=f"doc-p{page:04d}-t0", document_sha256="doc", page=page, bbox=(0, 0, 10, 10),
                     detector="pdfplumber", rows=[["a", "b"]], context="", group=group)


def _label(candidate: Candidate, p_soe: float, source: str = "heuristic") -> Label:
    return Label.from_probability(candidate.id, p_soe, source, reason="page prior")


def test_weak_pages_of_a_continued_table_are_lifted_to_its_mean():
    pages = [_candidate(17, "g"), _candidate(18, "g"), _candidate(19, "g")]
    labels = group_consensus(pages, [_label(pages[0], 0.9), _label(pages[1], 0.8), _label(pages[2], 0.4)])
    assert [label.is_soe for label in labels] == [True, True, True]
    assert [label.p_soe for label in labels] == pytest.approx([0.9, 0.8, 0.7])
    assert labels[2].details["own_p_soe"] == pytest.approx(0.4)
    assert "pages 17-19" in labels[2].reason and labels[2].reason.startswith("page prior")


def test_standalone_tables_and_other_groups_are_untouched():
    alone, first, second = _candidate(5), _candidate(9, "g"), _candidate(10, "g")
    original = [_label(alone, 0.3), _label(first, 0.2), _label(second, 0.1)]
    labels = group_consensus([alone, first, second], original)
    assert labels[0] is original[0]
    assert [label.is_soe for label in labels[1:]] == [False, False]
    assert [label.p_soe for label in labels[1:]] == pytest.approx([0.2, 0.15])


def test_a_strong_page_is_never_pulled_down_by_a_weak_one():
    """A pictured two-page SoE: one page with its heading (0.9), one without (0.05). The mean (0.475)
    would lose both; lifting keeps the strong page and the protocol is still found."""
    strong, weak = _candidate(14, "g"), _candidate(15, "g")
    labels = group_consensus([strong, weak], [_label(strong, 0.9), _label(weak, 0.05)])
    assert [label.is_soe for label in labels] == [True, False]
    assert labels[0].p_soe == pytest.approx(0.9) and labels[1].p_soe == pytest.approx(0.475)


def test_two_tables_on_one_page_are_not_a_multi_page_group():
    one = _candidate(4, "g")
    two = Candidate(id="doc-p0004-t1", document_sha256="doc", page=4, bbox=(0, 20, 10, 30), detector="pdfplumber",
                    rows=[], context="", group="g")
    assert group_members([one, two]) == {}


def test_human_labels_are_gold_and_do_not_move_the_group():
    pages = [_candidate(1, "g"), _candidate(2, "g"), _candidate(3, "g")]
    human = _label(pages[0], 0.0, source="human:ana")
    labels = group_consensus(pages, [human, _label(pages[1], 0.9), _label(pages[2], 0.7)])
    assert labels[0] is human
    assert [label.p_soe for label in labels[1:]] == pytest.approx([0.9, 0.8])


def test_order_and_ids_of_the_labels_are_kept():
    pages = [_candidate(2, "g"), _candidate(1, "g")]
    given = [_label(pages[0], 0.6), _label(pages[1], 0.2)]
    labels = group_consensus(pages, given)
    assert [label.candidate_id for label in labels] == [label.candidate_id for label in given]


def _voted(candidate: Candidate, p_soe: float, json_vote, text_vote: float) -> Label:
    agree = None if json_vote is None else (json_vote >= 0.5) == (text_vote >= 0.5)
    return Label.from_probability(candidate.id, p_soe, "heuristic", agree=agree,
                                  details={"json": json_vote, "text": text_vote})


def test_agreement_is_decided_for_the_table_as_a_whole():
    """Page 2's own votes agree (both no), but the table's grid says yes over its pages: the table's
    verdict is disputed, so none of its labels claims agreement (the filter drops the whole table)."""
    pages = [_candidate(1, "g"), _candidate(2, "g"), _candidate(3, "g")]
    labels = group_consensus(pages, [_voted(pages[0], 0.3, 0.9, 0.2), _voted(pages[1], 0.1, 0.4, 0.1),
                                     _voted(pages[2], 0.3, 0.9, 0.2)])
    assert [label.agree for label in labels] == [False, False, False]


def test_labels_without_votes_keep_their_own_agreement():
    pages = [_candidate(1, "g"), _candidate(2, "g")]
    given = [_voted(pages[0], 0.9, None, 0.9), _voted(pages[1], 0.8, None, 0.8)]
    assert [label.agree for label in group_consensus(pages, given)] == [None, None]


def test_the_heuristic_teacher_labels_a_continued_table_as_one():
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher

    rows = [["Procedure", "Screening", "Day 1", "Week 2", "Week 4"]] + [[f"Procedure {i}", "X", "X", "", "X"]
                                                                         for i in range(6)]
    pages = [_candidate(page, "g") for page in (7, 8)]
    pages[0].rows, pages[1].rows = rows, rows[:2] + [["Notes", "", "", "", ""]] * 3
    grouped = HeuristicTeacher().label(pages)
    alone = HeuristicTeacher(consensus=False).label(pages)
    assert alone[0].p_soe != alone[1].p_soe
    mean = (alone[0].p_soe + alone[1].p_soe) / 2
    assert [label.p_soe for label in grouped] == pytest.approx([max(alone[0].p_soe, mean), max(alone[1].p_soe, mean)])
    assert min(label.p_soe for label in grouped) == pytest.approx(mean)  # the weaker page was lifted


def test_applying_the_consensus_again_changes_nothing():
    """Lifting is taken over each page's own P(SoE), not over already-lifted values: a second pass
    (a gate mixing labelers, a script scoring labels that had it) must not lift further."""
    pages = [_candidate(14, "g"), _candidate(15, "g")]
    once = group_consensus(pages, [_label(pages[0], 0.9), _label(pages[1], 0.1)])
    twice = group_consensus(pages, once)
    assert [label.p_soe for label in twice] == pytest.approx([0.9, 0.5])
    assert [label.p_soe for label in twice] == pytest.approx([label.p_soe for label in once])
    assert [label.reason for label in twice] == [label.reason for label in once]
