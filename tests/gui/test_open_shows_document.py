"""File ▸ Open (or a drop) of one file shows that document once it is stored, with no click, even
while another one is open; its queue row shows its name. A drop of several leaves the open one."""

from __future__ import annotations

from gui_test_helpers import drop_files, wait_for_queue
from PySide6.QtWidgets import QFileDialog

from soe_desktop.core.synthetic import write_protocol
from soe_desktop.gui.views.queue_panel import NAME_MIN_WIDTH, QueuePanel


def _ready(window, qtbot, path):
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window, 180_000)
    return window.queue.model.entries[-1]


def test_file_open_shows_the_opened_document_without_a_click(make_window, qtbot, tmp_path, monkeypatch):
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    write_protocol(first, seed=31, prose_pages=0)
    truth = write_protocol(second, seed=32, prose_pages=0, image_only_soe=False)
    window = make_window()
    window.start_up.finish_now()
    shown = _ready(window, qtbot, first)
    assert window.open_sha == shown.sha256

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(second)], "PDF files (*.pdf)"))
    window.open_files()
    assert window.open_sha == "" and "second.pdf (processing…)" in window.windowTitle()  # its pages at once
    assert window.page_view.page_count == truth.page_count
    wait_for_queue(qtbot, window, 180_000)
    opened = window.queue.model.entries[-1]
    assert opened.name == "second.pdf" and window.open_sha == opened.sha256
    assert window.windowTitle() == f"{opened.display_name} — SoE Desktop"
    assert window.session.candidates and window.queue_panel.selected_key() == opened.key


def test_a_drop_of_several_files_leaves_the_open_document_on_screen(make_window, qtbot, tmp_path):
    paths = [tmp_path / f"p{seed}.pdf" for seed in (41, 42, 43)]
    for seed, path in zip((41, 42, 43), paths):
        write_protocol(path, seed=seed, prose_pages=0)
    window = make_window()
    window.start_up.finish_now()
    shown = _ready(window, qtbot, paths[0])
    assert drop_files(window, paths[1:])
    wait_for_queue(qtbot, window, 180_000)
    assert window.open_sha == shown.sha256


def test_the_name_column_keeps_room_when_the_queue_is_at_its_narrowest(make_window, qtbot):
    window = make_window()
    window.queue.add_known("/library/ab.pdf", "ab" * 32, "needs review",
                           document={"filename": "protocol.pdf", "original_path": "/trials/site-a/protocol.pdf",
                                     "protocol_number": "MS200095-0022"})
    panel = QueuePanel(window.queue)  # alone, so nothing else in the window holds it wider
    qtbot.addWidget(panel)
    panel.show()
    panel.resize(panel.minimumSizeHint().width(), 300)
    qtbot.waitUntil(lambda: panel.width() == panel.minimumSizeHint().width())
    assert panel.table.horizontalHeader().sectionSize(0) >= NAME_MIN_WIDTH - 10  # less the frame
    assert window.queue.model.data(window.queue.model.index(0, 0)) == "protocol.pdf — MS200095-0022"
