"""`soe grid` and the window choose the same tables: the library's settled labels (a person's and
the auto-accept rule's) count in both, and the window's one-table question (soe_table) answers as
the CLI's list of tables (soe_groups) does."""

from __future__ import annotations

from soe_desktop.core.app.grid import effective_labels
from soe_desktop.core.app.review import apply_auto_accept, review
from soe_desktop.core.app.triage import TriageResult
from soe_desktop.core.grid.extract import soe_groups, soe_table
from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.pdf.analysis import Analysis
from soe_desktop.core.store import Store

SHA = "e" * 64
# main schedule on pages 3-4, an extension-phase schedule on page 9, a dose table on page 6
TABLES = {"main": [3, 4], "extension": [9], "doses": [6]}


def _candidates() -> list[Candidate]:
    return [Candidate(f"{group}-{page}", SHA, page, (0, 0, 100, 100), "pdfplumber", [["Procedure", "Day 1"]],
                      group=group) for group, pages in TABLES.items() for page in pages]


def _library(tmp_path) -> Store:
    """The window's library: the student said the extension table is SoE, confidently (auto-accepted)."""
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/tmp/protocol.pdf", SHA, 10), "/tmp/protocol.pdf", "protocol.pdf")
    store.replace_candidates(SHA, _candidates())
    store.add_labels([Label(c.id, c.group != "doses", 0.99 if c.group == "extension" else 0.6, "student:3")
                      for c in _candidates()])
    store.set_status(SHA, "needs review")
    assert apply_auto_accept(store, SHA, 0.95) == 1
    return store


def _fresh_triage(is_soe) -> TriageResult:
    """What `soe grid` computes before it looks at the library: its own labeler's labels."""
    candidates = _candidates()
    analysis = Analysis(Document("/tmp/protocol.pdf", SHA, 10), [], candidates)
    return TriageResult(analysis, [Label(c.id, is_soe(c), 0.7, "heuristic") for c in candidates], "heuristic", 0.1)


def _groups(candidates, labels) -> list[str]:
    return [members[0].group for members in soe_groups(candidates, labels)]


def test_an_auto_accepted_table_is_chosen_by_soe_grid_as_in_the_window(tmp_path):
    store = _library(tmp_path)
    result = _fresh_triage(lambda c: c.group == "main")  # the heuristic says the extension table is not SoE
    cli = effective_labels(result, store)
    window = store.effective_labels(SHA)
    assert _groups(result.candidates, cli) == _groups(store.candidates(SHA), window) == ["main", "extension"]
    store.close()


def test_a_persons_no_wins_in_both(tmp_path):
    store = _library(tmp_path)
    review(store, SHA, "main-4", False, actor="human:ana")
    result = _fresh_triage(lambda c: True)
    assert _groups(result.candidates, effective_labels(result, store)) == ["doses", "extension"]
    assert _groups(store.candidates(SHA), store.effective_labels(SHA)) == ["extension"]  # doses: the student's no
    store.close()


def test_the_machine_labels_of_the_library_do_not_override_the_chosen_labeler(tmp_path):
    store = _library(tmp_path)  # the main table's 0.6 student label is not settled
    result = _fresh_triage(lambda c: c.group == "doses")
    assert _groups(result.candidates, effective_labels(result, store)) == ["doses", "extension"]
    store.close()


def test_soe_table_answers_for_one_table_as_soe_groups_does_for_all(tmp_path):
    store = _library(tmp_path)
    candidates, labels = store.candidates(SHA), store.effective_labels(SHA)
    chosen = {members[0].group: members for members in soe_groups(candidates, labels)}
    for group in TABLES:
        assert soe_table(candidates, labels, group) == chosen.get(group, [])
    assert [c.page for c in soe_table(candidates, labels, "main")] == [3, 4]
    store.close()
