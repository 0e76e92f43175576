import threading

import pytest

from soe_desktop.core.jobs import CancelToken, Cancelled, Progress, check


def test_cancel_token_is_seen_from_another_thread():
    token = CancelToken()
    thread = threading.Thread(target=token.cancel)
    thread.start()
    thread.join()
    assert token.cancelled
    with pytest.raises(Cancelled):
        check(token)


def test_check_accepts_no_token():
    check(None)
    check(CancelToken())


def test_progress_fraction_handles_unknown_total():
    assert Progress("reading", 3, 4).fraction == 0.75
    assert Progress("reading", 3, 0).fraction == 0.0
