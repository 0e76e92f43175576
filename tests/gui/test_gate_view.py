"""The gate's comparison: the pages where the new model and the active labeler disagree are listed
with a small picture of each page, drawn on a worker; a file that is gone leaves the row without one,
and a newer comparison is not painted over by an older one's pictures."""

from __future__ import annotations

import pytest

from soe_desktop.gui.views.gate_view import PAGE_COLUMN, ComparisonView
from soe_desktop.gui.workers import WorkerPool


def _comparison(rows) -> dict:
    return {"winner": "challenger", "reason": "the new model wins", "different_pages": len(rows),
            "differences": [{"document": name, "sha256": sha, "page": page, "truth": True, "challenger": True,
                             "champion": False} for name, sha, page in rows]}


@pytest.fixture
def view(qtbot, small_protocol):
    pool = WorkerPool(max_threads=2)
    paths = {"a" * 64: str(small_protocol[0]), "b" * 64: "/nowhere/gone.pdf"}
    widget = ComparisonView(pool, paths.get)
    qtbot.addWidget(widget)
    yield widget
    pool.shutdown()


def _has_picture(view, row: int) -> bool:
    return not view.differences.item(row, PAGE_COLUMN).icon().isNull()


def test_each_listed_page_gets_its_picture_and_a_missing_file_none(view, qtbot):
    view.show_comparison("v2", _comparison([("protocol.pdf", "a" * 64, 1), ("gone.pdf", "b" * 64, 3),
                                            ("protocol.pdf", "a" * 64, 2)]))
    assert view.differences.rowCount() == 3
    qtbot.waitUntil(lambda: _has_picture(view, 0) and _has_picture(view, 2), timeout=20_000)
    assert not _has_picture(view, 1)
    assert view.differences.rowHeight(0) >= 60  # tall enough to see the page


def test_an_older_comparisons_pictures_are_not_shown_on_a_newer_one(view, qtbot):
    view.show_comparison("v2", _comparison([("protocol.pdf", "a" * 64, 1)]))
    view.show_comparison("v3", _comparison([("gone.pdf", "b" * 64, 1)]))
    qtbot.wait(1500)
    assert view.differences.rowCount() == 1 and not _has_picture(view, 0)


def test_without_a_pool_the_pages_are_listed_only(qtbot):
    widget = ComparisonView()
    qtbot.addWidget(widget)
    widget.show_comparison("v2", _comparison([("protocol.pdf", "a" * 64, 1)]))
    assert widget.differences.item(0, PAGE_COLUMN).text() == "1" and not _has_picture(widget, 0)
