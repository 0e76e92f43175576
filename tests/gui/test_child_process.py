"""The one child-process runner: a spawned, niced child that keeps its state between requests
(the student's use) or answers one request and ends (training's), with progress, notes,
cancellation, failures and a dead child reported as clear errors."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from soe_desktop.core.jobs import Cancelled, CancelToken, Progress
from soe_desktop.gui.child_process import CHILD_NICENESS, ChildDied, ChildFailed, ChildProcess, run_in_child


class Service:
    """Test service: the payload names what to do; the count shows that state survives requests."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, payload, progress, cancel: CancelToken, note):
        self.calls += 1
        kind, value = payload
        if kind == "echo":
            progress(Progress("working", 1, 1))
            note(f"call {self.calls}")
            return value, self.calls
        if kind == "about":
            return {"niceness": os.nice(0), "qt_loaded": "PySide6" in sys.modules}
        if kind == "wait_for_cancel":  # a batch loop: checks its token every 10 ms
            for _ in range(1000):
                cancel.raise_if_cancelled()
                time.sleep(0.01)
            return "not cancelled"
        if kind == "record_cancel":  # like the trainer: a cancelled run is a result, not an error
            while not cancel.cancelled:
                time.sleep(0.01)
            return "recorded as cancelled"
        if kind == "busy":  # ignores its token (a model load): only terminate() stops it
            time.sleep(value)
            return "slept"
        if kind == "fail":
            raise ValueError(value)
        if kind == "die":
            os._exit(value)
        raise AssertionError(kind)


@pytest.fixture
def child():
    notes: list[str] = []
    runner = ChildProcess(Service, "test", on_note=notes.append)
    runner.notes = notes
    yield runner
    runner.close()


def test_a_long_lived_child_keeps_its_state_relays_progress_and_notes(child):
    reports = []
    assert child.call(("echo", "a"), reports.append) == ("a", 1)
    assert child.call(("echo", "b")) == ("b", 2), "the child did not keep its state between requests"
    assert [r.stage for r in reports] == ["working"] and child.notes == ["call 1", "call 2"]
    about = child.call(("about", None))
    assert about["niceness"] == os.nice(0) + CHILD_NICENESS
    assert not about["qt_loaded"], "the child imported Qt: it was forked, or the runner imports Qt"


def test_a_cancel_returns_at_once_and_the_stale_reply_is_dropped(child):
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()
    with pytest.raises(Cancelled):
        child.call(("wait_for_cancel", None), cancel=cancel)
    assert child.call(("echo", "next")) == ("next", 2), "the cancelled request's reply reached the next caller"


def test_a_failure_is_one_line_and_the_child_serves_on(child):
    with pytest.raises(ChildFailed, match=r"^ValueError: not a model folder$"):
        child.call(("fail", "not a model folder"))
    assert child.is_running() and child.call(("echo", "still here"))[0] == "still here"


def test_a_child_that_dies_is_reported_with_its_exit_code(child):
    with pytest.raises(ChildDied, match=r"the test process ended unexpectedly \(exit code 3\)"):
        child.call(("die", 3))


def test_close_terminates_a_busy_child_and_nothing_restarts_it(child):
    outcome = []

    def wait_for_it() -> None:
        try:
            outcome.append(child.wait(child.send(("busy", 60))))
        except Cancelled as error:
            outcome.append(error)

    waiting = threading.Thread(target=wait_for_it, daemon=True)
    waiting.start()
    time.sleep(0.5)
    process = child.process
    started = time.perf_counter()
    child.close(join_s=0.5)
    assert not process.is_alive() and time.perf_counter() - started < 5
    waiting.join(5)
    assert not waiting.is_alive(), "the waiting thread was left hanging after close()"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    with pytest.raises(Cancelled):
        child.call(("echo", "again"))
    with pytest.raises(Cancelled):
        child.wait(1)  # a caller that begins to wait after close() is not left hanging either
    assert not child.is_running()


def test_one_shot_waits_for_the_childs_own_answer_to_a_cancel_and_the_child_ends():
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()
    assert run_in_child(Service, ("record_cancel", None), "test", cancel=cancel) == "recorded as cancelled"
    assert run_in_child(Service, ("echo", "once"), "test") == ("once", 1), "a one-shot child reused state"
