"""GUI tests run offscreen with isolated settings, data folder and database.

QT_QPA_PLATFORM must be set before anything imports Qt, hence at module import time here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

# The offscreen platform plugin warns on every QMainWindow.show() that it cannot propagate size
# hints; that is the test platform talking, not our code, so only that exact message is ignored.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/gui" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def make_window(qtbot, isolated_app_dirs):
    """Factory for a MainWindow on an empty, isolated library; closed (workers joined) after the test."""
    from soe_desktop.gui.app import create_window

    windows = []

    def make(paths=None, open_sample=False):
        window = create_window(paths, config_dir=isolated_app_dirs / "config", open_sample=open_sample)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
        window.close()
        window.store.close()


@pytest.fixture(scope="session")
def small_protocol(tmp_path_factory):
    """A short synthetic protocol (a few pages) with its ground truth; generated once."""
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path_factory.mktemp("protocols") / "small_protocol.pdf"
    truth = write_protocol(path, seed=3)
    return path, truth


@pytest.fixture(scope="session")
def bad_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF garbage")
    return path


@pytest.fixture(scope="session")
def tiny_student():
    """One tiny completed training run (packaged MiniLM, 16 tokens, one epoch): a few seconds on a CPU."""
    from gui_test_helpers import student_candidate
    from soe_desktop.core.model import Label
    from soe_desktop.core.training.arguments import TrainingArguments
    from soe_desktop.core.training.dataset import build_training_set
    from soe_desktop.core.training.trainer import train

    candidates = [student_candidate(doc, i, soe=i % 2 == 0) for doc in range(2) for i in range(8)]
    labels = [Label(c.id, c.context.startswith("Schedule"), 0.95, "heuristic", agree=True) for c in candidates]
    args = TrainingArguments(epochs=1, batch_size=8, max_tokens=16, validation_fraction=0.5, device="cpu",
                             threads=1)
    result = train(build_training_set(candidates, labels, "teacher-all"), args)
    assert result.status == "completed", result.error
    return result
