"""Files called alike are told apart in the queue, the window title and on hover, and after a
restart the queue still shows the user's file names and SoE pages (not the library's sha256 copies)."""

from __future__ import annotations

import html
import re
import shutil

from gui_test_helpers import drop_files, wait_for_queue
from PySide6.QtCore import Qt

from soe_desktop.core.synthetic import write_protocol

NUMBER = re.compile(r"[A-Z]{3}-\d{3}-\d{2}")


def _rows(window) -> dict[str, tuple]:
    """Per sha256: what the name column shows, its hover text, the SoE pages and the status."""
    model, rows = window.queue.model, {}
    for row, entry in enumerate(model.entries):
        name = model.index(row, 0)
        rows[entry.sha256] = (model.data(name), model.data(name, Qt.ItemDataRole.ToolTipRole),
                              model.data(model.index(row, 3)), entry.status)
    return rows


def test_protocols_called_alike_keep_their_names_apart_and_after_a_restart(make_window, qtbot, tmp_path):
    folders = [tmp_path / "site-a", tmp_path / "site-b"]
    for seed, folder in zip((21, 22), folders):
        write_protocol(folder / "protocol.pdf", seed=seed, prose_pages=0)
    window = make_window()
    window.start_up.finish_now()
    assert drop_files(window, [folder / "protocol.pdf" for folder in folders])
    wait_for_queue(qtbot, window, 180_000)

    before = _rows(window)
    names = [shown for shown, *_ in before.values()]
    assert len(set(names)) == 2, names
    assert all(name.startswith("protocol.pdf — ") and NUMBER.search(name) for name in names), names
    tooltips = " ".join(tip for _, tip, *_ in before.values())
    assert all(html.escape(str(folder)) in tooltips for folder in folders)
    assert all(pages for *_, pages, _ in before.values()), before
    window.show_document(window.queue.model.entries[1].sha256)
    assert window.windowTitle() == f"{window.queue.model.entries[1].display_name} — SoE Desktop"

    window.shutdown()
    window.close()
    window.store.close()
    again = make_window()
    after = _rows(again)
    assert after == before
    assert not any(re.search(r"[0-9a-f]{64}", shown) for shown, *_ in after.values())


def test_a_document_queued_again_after_a_crash_keeps_its_name(make_window, qtbot, small_protocol, tmp_path):
    source = tmp_path / "inbox" / "study.pdf"
    source.parent.mkdir()
    shutil.copy(small_protocol[0], source)
    window = make_window()
    window.start_up.finish_now()
    assert drop_files(window, [source])
    wait_for_queue(qtbot, window, 180_000)
    (entry,) = window.queue.model.entries
    window.store.set_status(entry.sha256, "labelling")  # as a crash mid-way leaves it
    window.shutdown()
    window.close()
    window.store.close()

    again = make_window()
    (requeued,) = again.queue.model.entries
    assert requeued.name == "study.pdf" and requeued.folder == str(source.parent)
    assert requeued.path != str(source)  # it is read from the library's copy
    wait_for_queue(qtbot, again, 180_000)
    assert requeued.status in ("needs review", "done") and NUMBER.search(requeued.display_name)
