"""An invitee's booking writes authenticate before they count against the client's allowance (issue 26,
finding 5): a caller without a genuine manage token gets 401, however often it tries, and does not spend
the allowance of the address it shares with the invitee (a household, an office behind one NAT)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours

CLIENT = "203.0.113.50"
FORGED = "0" * 32 + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def limited(api: str) -> str:
    """Per-client limits on, as in production (each test client names itself in X-Forwarded-For)."""
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "true"
    get_settings.cache_clear()
    return api


def _booked(api: str, slug: str, hour: int) -> tuple[str, str]:
    """A booking made from another address than CLIENT's: (its id, its manage token)."""
    headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": "198.51.100.9"}
    created = requests.post(f"{api}/bookings", json=booking_body(slug, day_ahead(5, hour)), headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    return created.json()["id"], created.json()["manage_token"]


Operation = Callable[[str, str, dict[str, str]], requests.Response]


def _rectify(api: str, booking_id: str, headers: dict[str, str]) -> requests.Response:
    return requests.patch(f"{api}/bookings/{booking_id}", json={"name": "Ines Corrected"}, headers=headers, timeout=10)


def _cancel(api: str, booking_id: str, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{api}/bookings/{booking_id}/cancel", json={}, headers=headers, timeout=10)


def _reschedule(api: str, booking_id: str, headers: dict[str, str]) -> requests.Response:
    body = {"start": day_ahead(6, 14).isoformat()}
    return requests.post(f"{api}/bookings/{booking_id}/reschedule", json=body, headers=headers, timeout=10)


@pytest.mark.parametrize("operation", [_rectify, _cancel, _reschedule], ids=["rectify", "cancel", "reschedule"])
def test_a_caller_without_a_genuine_token_gets_401_and_spends_nothing(
    limited: str, browser: Browser, google: Google, operation: Operation
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    booking_id, token = _booked(limited, slug, 10)
    allowance = get_settings().client_limits["booking-writes"][0]

    without: list[dict[str, str]] = [{}, {"Authorization": f"Bearer {FORGED}"}]
    unauthenticated = [
        operation(limited, booking_id, {"X-Forwarded-For": CLIENT, **auth}) for auth in without * allowance
    ]
    genuine = operation(limited, booking_id, {"X-Forwarded-For": CLIENT, "Authorization": f"Bearer {token}"})

    for refused in unauthenticated:  # before: 429 from the allowance+1st on, before the token was looked at
        assert refused.status_code == 401, refused.text
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert genuine.status_code == 200, genuine.text  # the address's allowance is untouched


def test_a_genuine_caller_is_still_limited(limited: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    booking_id, token = _booked(limited, slug, 11)
    allowance = get_settings().client_limits["booking-writes"][0]
    auth = {"X-Forwarded-For": CLIENT, "Authorization": f"Bearer {token}"}

    answers = [_rectify(limited, booking_id, auth) for _ in range(allowance + 1)]

    assert [answer.status_code for answer in answers[:allowance]] == [200] * allowance
    assert_problem(answers[-1], 429, "rate-limited")
