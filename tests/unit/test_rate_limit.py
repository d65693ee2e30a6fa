"""The per-instance request limiter: a sliding window per client (who the client is: test_client_address.py)."""

from __future__ import annotations

from shared.web.rate_limit import SlidingWindow


def test_a_client_gets_its_allowance_per_window_and_then_a_wait_until_the_oldest_request_ages_out() -> None:
    window = SlidingWindow(limit=3, seconds=60)

    allowed = [window.retry_after("bot", now) for now in (0.0, 1.0, 2.0)]
    refused = window.retry_after("bot", 30.0)
    other = window.retry_after("visitor", 30.0)
    later = window.retry_after("bot", 60.5)

    assert allowed == [0.0, 0.0, 0.0]
    assert refused == 30.0  # the first request (t=0) leaves the window at t=60
    assert other == 0.0  # every client has its own allowance
    assert later == 0.0
