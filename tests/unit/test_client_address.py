"""Who the client is, per deployment shape, fed the X-Forwarded-For headers Google documents (see
shared/web/client_address.py for the formats and where Google states them)."""

from __future__ import annotations

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from shared.config import get_settings
from shared.web.client_address import client_name, client_of, forwarded_entries
from shared.web.rate_limit import requesting_client

GFE = "169.254.1.1"  # the peer a function sees: Google's front end, the same for every visitor
BALANCER = "34.120.5.5"  # the edge load balancer's forwarding-rule address


def test_behind_googles_load_balancer_the_client_is_the_entry_before_the_balancers_own() -> None:
    assert client_of("google-load-balancer", GFE, [f"203.0.113.9, {BALANCER}"]) == "203.0.113.9"


def test_behind_googles_load_balancer_what_the_client_wrote_before_is_ignored() -> None:
    spoofed = [f"6.6.6.6, 7.7.7.7, 203.0.113.9, {BALANCER}"]

    assert client_of("google-load-balancer", GFE, spoofed) == "203.0.113.9"


def test_behind_googles_load_balancer_a_rotating_spoofed_prefix_keeps_one_name() -> None:
    names = {client_of("google-load-balancer", GFE, [f"10.0.0.{i}, 203.0.113.9, {BALANCER}"]) for i in range(50)}

    assert names == {"203.0.113.9"}


def test_behind_googles_load_balancer_visitors_are_not_all_named_by_the_balancer() -> None:
    visitors = {client_of("google-load-balancer", GFE, [f"198.51.100.{i}, {BALANCER}"]) for i in range(5)}

    assert len(visitors) == 5
    assert BALANCER not in visitors


def test_a_header_too_short_for_the_shape_names_the_peer_not_a_client_chosen_entry() -> None:
    assert client_of("google-load-balancer", GFE, ["203.0.113.9"]) == GFE
    assert client_of("google-load-balancer", GFE, []) == GFE
    assert client_of("google-load-balancer", GFE, [" , "]) == GFE
    assert client_of("last-forwarded", "127.0.0.1", []) == "127.0.0.1"


def test_cloud_runs_own_front_end_appends_the_client_last() -> None:
    assert client_of("last-forwarded", GFE, ["203.0.113.9"]) == "203.0.113.9"
    assert client_of("last-forwarded", GFE, ["6.6.6.6, 203.0.113.9"]) == "203.0.113.9"


def test_with_nothing_in_front_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert client_of("peer", "203.0.113.9", ["6.6.6.6, 7.7.7.7"]) == "203.0.113.9"


def test_several_header_lines_are_read_as_one_list() -> None:
    lines = ["6.6.6.6", f"203.0.113.9, {BALANCER}"]

    assert forwarded_entries(lines) == ["6.6.6.6", "203.0.113.9", BALANCER]
    assert client_of("google-load-balancer", GFE, lines) == "203.0.113.9"


def test_an_ipv6_client_is_named_by_its_64_so_rotating_within_it_gains_nothing() -> None:
    first = client_of("google-load-balancer", GFE, [f"2001:db8:1:2::1, {BALANCER}"])
    rotated = client_of("google-load-balancer", GFE, [f"2001:db8:1:2:ffff:1:2:3, {BALANCER}"])
    neighbour = client_of("google-load-balancer", GFE, [f"2001:db8:1:3::1, {BALANCER}"])

    assert first == rotated == "2001:db8:1:2::/64"
    assert neighbour != first


def test_names_of_addresses_are_canonical_and_other_names_are_bounded() -> None:
    assert client_name("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_name("[2001:db8::1]") == "2001:db8::/64"
    assert client_name("load-test-client-7") == "load-test-client-7"
    assert len(client_name("x" * 5000)) == 64


@pytest.mark.parametrize(
    ("shape", "expected"),
    [("peer", GFE), ("last-forwarded", BALANCER), ("google-load-balancer", "203.0.113.9")],
)
def test_the_setting_names_the_shape_a_request_is_read_by(
    monkeypatch: pytest.MonkeyPatch, shape: str, expected: str
) -> None:
    monkeypatch.setenv("KALENO_CLIENT_ADDRESS_FROM", shape)
    get_settings.cache_clear()
    headers = [("X-Forwarded-For", f"6.6.6.6, 203.0.113.9, {BALANCER}")]
    request = Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": GFE}).get_environ())

    assert requesting_client(request) == expected
