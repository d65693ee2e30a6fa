"""The per-instance request limiter: a sliding window per client, and who the client is."""

from __future__ import annotations

from flask import Request
from werkzeug.test import EnvironBuilder

from shared.web.rate_limit import SlidingWindow, client_of


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


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [("X-Forwarded-For", forwarded)] if forwarded else []
    return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


def test_the_client_is_the_entry_the_trusted_proxy_appended_not_what_the_client_claims() -> None:
    behind_the_balancer = request_from("35.191.0.1", "6.6.6.6, 203.0.113.9")

    assert client_of(behind_the_balancer, trusted_proxy_hops=1) == "203.0.113.9"
    assert client_of(behind_the_balancer, trusted_proxy_hops=0) == "35.191.0.1"
    assert client_of(request_from("127.0.0.1"), trusted_proxy_hops=1) == "127.0.0.1"
