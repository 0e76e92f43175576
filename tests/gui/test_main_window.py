"""The main window end to end: drop → queue → candidates drawn; review keys; errors; duplicates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui_test_helpers import drop_files, statuses, wait_for_queue


@pytest.fixture
def processed(make_window, small_protocol, qtbot):
    """A window that has ingested the small protocol."""
    path, truth = small_protocol
    window = make_window()
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window)
    return window, truth


def test_drop_queues_the_pdf_and_shows_its_candidates(processed):
    window, truth = processed
    (entry,) = window.queue.model.entries
    assert entry.status in ("needs review", "done"), entry.message
    assert window.open_sha == entry.sha256
    candidates = window.session.candidates
    assert candidates, "the pipeline found no candidate in a protocol with an SoE"
    assert set(window.page_view.overlay_items()) == {c.id for c in candidates}
    assert set(window.session.soe_pages()) & set(truth.soe_pages)
    assert window.page_view.page_count == truth.page_count
    assert window.thumbnails.count() == truth.page_count


def test_an_opened_document_starts_at_its_first_soe_table_at_fit_width(processed):
    window, _ = processed
    session = window.session
    soe = [c.id for c in session.candidates if session.label(c.id) and session.label(c.id).is_soe]
    assert soe and session.current == soe[0]
    assert window.page_view.horizontalScrollBar().maximum() == 0  # nothing cut off at the side
    counts = session.counts()
    assert f"{counts.by_you} of {counts.total} reviewed by you · {counts.by_rule} accepted by rule" \
        in window.status_text.text()
    assert counts.by_you == 0  # nobody has decided anything yet, whatever the rule accepted


def test_keyboard_review_changes_labels_and_undo_restores_them(processed, qtbot):
    window, _ = processed
    session, store = window.session, window.store
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    first = session.current
    machine = session.label(first)
    before = len(store.labels(candidate_id=first))

    qtbot.keyClick(window.page_view, Qt.Key.Key_Space)
    toggled = session.label(first)
    assert toggled.is_human and toggled.is_soe == (not machine.is_soe if machine else True)
    assert store.effective_labels(window.open_sha)[first].is_human  # saved at once

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored = session.label(first)
    assert (restored.source, restored.is_soe) == ((machine.source, machine.is_soe) if machine else (None, None))
    history = store.labels(candidate_id=first)
    assert len(history) == before + 1 and history[-1].details.get("retracted")  # appended, never deleted

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert session.label(first).is_human

    if len(session.candidates) > 1:
        qtbot.keyClick(window.page_view, Qt.Key.Key_J)
        second = session.current
        assert second != first
        qtbot.keyClick(window.page_view, Qt.Key.Key_K)
        assert session.current == first
        qtbot.keyClick(window.page_view, Qt.Key.Key_J)
        qtbot.keyClick(window.page_view, Qt.Key.Key_A)  # accepts and moves on
        assert session.label(second).is_human


def test_clicking_a_box_selects_that_candidate(processed, qtbot):
    window, _ = processed
    target = window.session.candidates[-1]
    item = window.page_view.overlay_items()[target.id]
    window.page_view.select_candidate(target.id)  # scrolls it into view
    point = window.page_view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(window.page_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.session.current == target.id
    assert window.review_panel.grid.rowCount() == min(len(target.rows), 60)


def test_bad_pdf_shows_an_error_row_and_the_rest_finishes(make_window, small_protocol, bad_pdf, qtbot):
    window = make_window()
    assert drop_files(window, [bad_pdf, small_protocol[0]])
    wait_for_queue(qtbot, window)
    bad, good = window.queue.model.entries
    assert bad.status == "error" and bad.name in bad.message
    assert good.status in ("needs review", "done")


def test_same_bytes_twice_is_one_document(make_window, small_protocol, tmp_path, qtbot):
    copy = tmp_path / "renamed copy.pdf"
    copy.write_bytes(small_protocol[0].read_bytes())
    window = make_window()
    window.add_paths([str(small_protocol[0]), str(copy)])
    wait_for_queue(qtbot, window)
    assert statuses(window)["renamed copy.pdf"] == "duplicate"
    assert len(window.store.documents()) == 1


def test_cancel_one_document_and_the_queue_carries_on(make_window, small_protocol, tmp_path, qtbot):
    other = tmp_path / "other.pdf"
    from soe_desktop.core.synthetic import write_protocol

    write_protocol(other, seed=11, prose_pages=1)
    window = make_window()
    first, second = window.add_paths([str(small_protocol[0]), str(other)])
    window.queue.cancel(second)
    wait_for_queue(qtbot, window)
    assert statuses(window) == {small_protocol[0].name: window.queue.model.entry(first).status, "other.pdf": "cancelled"}
    assert window.queue.model.entry(first).status in ("needs review", "done")


def test_a_folder_drop_queues_every_pdf_in_it(make_window, tmp_path, qtbot):
    from soe_desktop.core.synthetic import write_protocol

    for seed in (1, 2):
        write_protocol(tmp_path / f"p{seed}.pdf", seed=seed, prose_pages=0)
    (tmp_path / "notes.txt").write_text("not a pdf")
    window = make_window()
    assert drop_files(window, [tmp_path])
    assert [entry.name for entry in window.queue.model.entries] == ["p1.pdf", "p2.pdf"]
    wait_for_queue(qtbot, window)
    assert window.recent_files()[0] == str(tmp_path)


def test_first_run_opens_the_sample_protocol(make_window, qtbot):
    window = make_window(open_sample=True)
    assert [entry.name for entry in window.queue.model.entries] == ["sample_protocol.pdf"]
    wait_for_queue(qtbot, window)
    assert window.session.candidates


def test_u_jumps_to_the_most_uncertain_open_candidate(make_window, small_protocol, qtbot, isolated_app_dirs):
    from soe_desktop.core.settings import load_settings, save_settings

    settings = load_settings(isolated_app_dirs / "config")
    settings.auto_accept_threshold = 1.0  # nothing is accepted by rule: every candidate stays open
    save_settings(settings, isolated_app_dirs / "config")
    window = make_window()
    assert drop_files(window, [small_protocol[0]])
    wait_for_queue(qtbot, window)
    session = window.session
    open_ones = [c.id for c in session.candidates if not (session.label(c.id) and
                 (session.label(c.id).is_human or session.label(c.id).source.startswith("rule:")))]
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    if session.current in open_ones:
        open_ones.remove(session.current)
    assert open_ones
    qtbot.keyClick(window.page_view, Qt.Key.Key_U)
    assert session.current in open_ones
    assert session.uncertainty(session.current) == max(session.uncertainty(cid) for cid in open_ones)


def test_export_labels_and_soe_pages(processed, tmp_path, monkeypatch, qtbot):
    window, truth = processed
    targets = iter([(str(tmp_path / "labels.jsonl"), "JSON Lines (*.jsonl)"), (str(tmp_path / "pages.csv"), "CSV (*.csv)")])
    monkeypatch.setattr("soe_desktop.gui.export_actions.QFileDialog.getSaveFileName", lambda *a, **k: next(targets))
    window.exports.export_document_labels()
    qtbot.waitUntil(lambda: not window.exports.is_running(), timeout=10_000)  # exports run on a worker
    window.exports.export_soe_pages()
    qtbot.waitUntil(lambda: not window.exports.is_running(), timeout=10_000)
    lines = (tmp_path / "labels.jsonl").read_text().splitlines()
    assert len(lines) == len(window.store.labels(sha256=window.open_sha))
    pages = (tmp_path / "pages.csv").read_text()
    assert window.open_sha in pages and str(window.session.soe_pages()[0]) in pages
    exports = [entry for entry in window.store.audit_entries() if entry["action"] == "export"]
    assert [entry["new_value"] for entry in exports] == [str(tmp_path / "labels.jsonl"), str(tmp_path / "pages.csv")]


def test_a_name_without_suffix_takes_the_format_picked_in_the_dialog(processed, tmp_path, monkeypatch, qtbot):
    from openpyxl import load_workbook

    window, _ = processed
    monkeypatch.setattr("soe_desktop.gui.export_actions.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "labels"), "Excel workbook (*.xlsx)"))
    window.exports.export_document_labels()
    qtbot.waitUntil(lambda: not window.exports.is_running(), timeout=10_000)
    sheet = load_workbook(tmp_path / "labels.xlsx").worksheets[0]
    assert sheet.max_row == len(window.store.labels(sha256=window.open_sha)) + 1


def test_a_document_interrupted_by_a_crash_is_picked_up_again(make_window, small_protocol, qtbot):
    from soe_desktop.core.pdf.ingest import open_document
    from soe_desktop.core.settings import load_settings
    from soe_desktop.core.store import Store

    path = small_protocol[0]
    with Store(load_settings().db_path) as store:
        document = open_document(path)
        store.add_document(document, str(path), path.name)
        store.set_status(document.sha256, "detecting")  # the app died here
    window = make_window()
    (entry,) = window.queue.model.entries
    wait_for_queue(qtbot, window)
    assert entry.status in ("needs review", "done") and window.session.candidates


def test_boxes_found_page_by_page_are_drawn_before_labelling(make_window, small_protocol):
    """When the core reports candidates in its progress, the previewed PDF shows them at once."""
    from soe_desktop.core.model import Candidate

    window = make_window()
    (key,) = window.add_paths([str(small_protocol[0])])
    found = [Candidate("early-1", "sha", 2, (50, 60, 300, 200), "pdfplumber")]
    window._on_candidates_found(key, found)
    assert set(window.page_view.overlay_items()) == {"early-1"}
    window._on_candidates_found(key + 99, [Candidate("other", "sha", 1, (0, 0, 9, 9), "pdfplumber")])
    assert set(window.page_view.overlay_items()) == {"early-1"}  # another document's boxes are ignored


def test_cancelling_a_running_document_stops_it(make_window, tmp_path, qtbot):
    from soe_desktop.core.synthetic import write_protocol

    long_pdf = tmp_path / "long.pdf"
    write_protocol(long_pdf, seed=5, prose_pages=80)
    window = make_window()
    (key,) = window.add_paths([str(long_pdf)])
    qtbot.waitUntil(lambda: window.queue.model.entry(key).status in ("reading", "detecting"), timeout=30_000)
    window.queue_panel.table.selectRow(0)
    window.queue_panel.cancel_button.click()
    wait_for_queue(qtbot, window)
    assert window.queue.model.entry(key).status == "cancelled"
    assert window.store.documents()[0]["status"] == "cancelled"
