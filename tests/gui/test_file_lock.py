"""The page view never keeps the user's dropped PDF open once processing ends: it reads the
store's copy instead (an open file is locked on Windows: the user could not move or delete it).

Where the OS shows a process's open files (/proc on Linux) the tests also check that no file
descriptor points at the user's file any more.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from soe_desktop.gui.views.page_view import OverlayBox, PdfPageView

from gui_test_helpers import drop_files, wait_for_queue

PROC_FDS = Path("/proc/self/fd")


def held_open(path: Path) -> bool:
    """Whether this process has `path` open (False where the OS does not tell)."""
    if not PROC_FDS.is_dir():
        return False
    target = str(Path(path).resolve())
    for fd in os.listdir(PROC_FDS):
        try:
            if os.readlink(PROC_FDS / fd) == target:
                return True
        except OSError:  # closed meanwhile
            continue
    return False


def test_after_processing_the_view_reads_the_stored_copy_and_lets_the_dropped_file_go(
        make_window, small_protocol, tmp_path, qtbot):
    dropped = tmp_path / "dropped.pdf"
    shutil.copyfile(small_protocol[0], dropped)
    window = make_window()
    assert drop_files(window, [dropped])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: bool(window.open_sha))
    stored = Path(window.store.document(window.open_sha)["stored_path"])
    assert stored.exists() and stored.resolve() != dropped.resolve()
    assert Path(window.page_view.source_path).resolve() == stored.resolve()
    assert not held_open(dropped)

    dropped.unlink()  # the user deletes their file: the view still shows every page
    view, last = window.page_view, window.page_view.page_count
    view.go_to_page(last)
    qtbot.waitUntil(lambda: last in view._pixmaps)
    assert not view._pixmaps[last].pixmap().isNull()
    assert set(view.overlay_items()) == {c.id for c in window.session.candidates}


def test_a_cancelled_preview_lets_the_file_go(make_window, tmp_path, qtbot):
    from soe_desktop.core.synthetic import write_protocol

    long_pdf = tmp_path / "long.pdf"
    write_protocol(long_pdf, seed=5, prose_pages=80)
    window = make_window()
    (key,) = window.add_paths([str(long_pdf)])
    assert Path(window.page_view.source_path) == long_pdf  # the preview while it is processed
    qtbot.waitUntil(lambda: window.queue.model.entry(key).status in ("reading", "detecting"), timeout=30_000)
    window.queue.cancel(key)
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: window.page_view.source_path == "")
    assert window.page_view.page_count == 0 and window.thumbnails.count() == 0
    assert not held_open(long_pdf)


def test_reopen_moves_to_a_copy_without_laying_out_again_and_clear_lets_go(qtbot, small_protocol, tmp_path):
    original, copy = tmp_path / "original.pdf", tmp_path / "copy.pdf"
    shutil.copyfile(small_protocol[0], original)
    shutil.copyfile(small_protocol[0], copy)
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.show()
    assert view.load(str(original)) and held_open(original) == PROC_FDS.is_dir()
    view.set_overlays([OverlayBox("box", 1, (10, 10, 200, 100), "g", "soe", 0.9)])
    first_rect = view.page_rect(1)

    assert view.reopen(str(copy))
    assert view.source_path == str(copy) and not held_open(original)
    assert view.page_rect(1) == first_rect and set(view.overlay_items()) == {"box"}
    assert not view.pdf.render(0, first_rect.size().toSize()).isNull()

    view.clear()  # QPdfDocument.close() alone keeps a file it opened by name open
    assert view.source_path == "" and not held_open(copy)


def test_reopen_refuses_a_file_that_is_not_the_same_document(qtbot, small_protocol, tmp_path):
    from soe_desktop.core.synthetic import write_protocol

    other = tmp_path / "other.pdf"
    write_protocol(other, seed=11, prose_pages=12)
    view = PdfPageView()
    qtbot.addWidget(view)
    assert view.load(str(small_protocol[0]))
    assert not view.reopen(str(tmp_path / "missing.pdf"))
    assert view.source_path == str(small_protocol[0])  # a file that cannot be opened changes nothing
    assert not view.reopen(str(other))  # other page count: the caller lays it out anew
