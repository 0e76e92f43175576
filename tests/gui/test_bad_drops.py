"""Bad files dropped with a good one: each bad row says what happened in one line, a damaged file
that qpdf repairs is read and says so, and the rest of the queue finishes (docs/RELIABILITY.md)."""

from __future__ import annotations

import shutil

from gui_test_helpers import drop_files, wait_for_queue

from soe_desktop.core.synthetic import write_bad_inputs


def test_bad_files_get_one_line_rows_and_the_rest_finishes(make_window, qtbot, small_protocol, tmp_path):
    bad = write_bad_inputs(tmp_path / "bad")
    good = tmp_path / "good.pdf"
    shutil.copy(small_protocol[0], good)
    gone = tmp_path / "gone.pdf"
    shutil.copy(small_protocol[0], tmp_path / "gone.pdf")
    window = make_window()
    window.start_up.finish_now()
    files = [good, gone, bad["empty"], bad["not_pdf"], bad["encrypted"], bad["truncated_10"], bad["truncated_90"]]

    assert drop_files(window, files)
    gone.unlink()  # deleted after it was queued, before it is read (the good file comes first)
    wait_for_queue(qtbot, window, 240_000)

    rows = {entry.name: entry for entry in window.queue.model.entries}
    assert set(rows) == {path.name for path in files}
    assert rows["good.pdf"].status == "needs review" and rows["good.pdf"].soe_pages
    expected = {"gone.pdf": "file not found", "empty.pdf": "empty", "not_pdf.pdf": "not a PDF",
                "encrypted.pdf": "encrypted", "truncated_10.pdf": "damaged beyond repair"}
    for name, words in expected.items():
        entry = rows[name]
        assert entry.status == "error" and words in entry.message and "\n" not in entry.message, (name, entry)
    repaired = rows["truncated_90.pdf"]
    assert repaired.status == "needs review" and "repaired with qpdf" in repaired.message
    row = window.queue.model.row_of(repaired.key)
    shown = window.queue.model.data(window.queue.model.index(row, 1))
    assert shown == f"needs review: {repaired.message}"
    document = window.store.document(repaired.sha256)
    assert document["repaired"] and document["stored_path"].endswith(".repaired.pdf")



def test_a_repaired_file_says_so_when_it_is_shown(make_window, qtbot, small_protocol, tmp_path):
    from soe_desktop.core.synthetic.damaged import write_unloadable_page

    damaged = write_unloadable_page(small_protocol[0], tmp_path / "one_bad_page.pdf", index=1)
    window = make_window()
    window.start_up.finish_now()
    assert drop_files(window, [damaged])
    wait_for_queue(qtbot, window, 180_000)
    (entry,) = window.queue.model.entries
    assert entry.status in ("needs review", "done") and "repaired with qpdf" in entry.message, entry.message
    window.show_document(entry.sha256)
    assert "repaired with qpdf" in window.statusBar().currentMessage()
