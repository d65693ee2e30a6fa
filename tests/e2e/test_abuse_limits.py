"""Abuse limits over HTTP: a flooding client gets 429s while others book as usual; an invitee cannot hoard
a host's week, even racing; booking writes are counted in Firestore, so the allowance holds across instances
(each request standing for one on a fresh instance, whose in-memory limiter knows nothing)."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import requests

from bench.proof import post_solving
from shared.config import get_settings
from shared.web import rate_limit
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


@pytest.fixture
def limited(api: str) -> str:
    """Per-client limits on, as in production (each test client names itself in X-Forwarded-For)."""
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "true"
    get_settings.cache_clear()
    return api


@pytest.fixture
def fresh_instances(limited: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every request as if it reached a fresh instance: the in-memory limiter (the cheap first line) admits
    everything, so only what is counted in Firestore stands between a client and more than its allowance."""
    monkeypatch.setattr(rate_limit.SlidingWindow, "retry_after", lambda self, client, now: 0.0)
    return limited


def room_in_window(seconds: float, needed: float = 15.0) -> None:
    """Wait, if need be, until the current fixed window of `seconds` has `needed` seconds left: a burst that
    straddled two windows could rightly spend both allowances."""
    into = time.time() % seconds
    if seconds - into < needed:
        time.sleep(seconds - into + 0.5)


def post_as(api: str, client: str, body: dict[str, Any]) -> requests.Response:
    return send_as(f"{api}/bookings", client, body, {"Idempotency-Key": uuid.uuid4().hex})


def send_as(url: str, client: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> requests.Response:
    """A booking write from `client`, which solves the bot gate's challenge when asked (as a bot would: the
    gate costs it CPU, and these limits must hold all the same)."""
    return post_solving(url, body, {**(headers or {}), "X-Forwarded-For": client})


def test_a_flooding_client_gets_429s_and_an_ordinary_visitor_books_as_usual(
    limited: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    allowance = get_settings().client_limits["booking-writes"][0]
    starts = [day_ahead(3, 9) + timedelta(minutes=30 * i) for i in range(allowance + 5)]
    bot = [post_as(limited, "203.0.113.7", booking_body(slug, start)) for start in starts]

    visitor = post_as(limited, "198.51.100.23", booking_body(slug, day_ahead(4, 10)))

    statuses = [r.status_code for r in bot]
    booked = statuses.count(201)
    # Every request counts in the instance's own limiter, a challenged one too: a client that must prove
    # itself (past its third write) spends two of its requests per booking there.
    assert 3 <= booked <= allowance, statuses
    assert statuses == [201] * booked + [429] * (len(bot) - booked), statuses
    for refused in bot[booked:]:
        assert_problem(refused, 429, "rate-limited")
        assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert visitor.status_code == 201, visitor.text


def test_racing_bookings_of_one_client_on_every_instance_get_exactly_its_allowance(
    fresh_instances: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    allowance, seconds = get_settings().client_limits["booking-writes"]
    bodies = [booking_body(slug, day_ahead(3 + i // 15, 9) + timedelta(minutes=30 * (i % 15))) for i in range(30)]
    room_in_window(seconds)

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda body: post_as(fresh_instances, "203.0.113.7", body), bodies))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == allowance, statuses
    assert set(statuses) == {201, 429}, [answer.text for answer in answers if answer.status_code not in (201, 429)]
    for refused in (answer for answer in answers if answer.status_code == 429):
        assert_problem(refused, 429, "rate-limited")
        assert 0 < int(refused.headers["Retry-After"]) <= seconds
    places = [(doc.id, doc.to_dict()) for doc in db.collection("write_places").stream()]
    assert len(places) == 2 * allowance  # one client place and one invitee place per booking
    assert all(set(fields) == {"expires_at"} for _, fields in places)
    assert not [place for place, _ in places if "203.0.113.7" in place or "example.org" in place]


def test_rotating_addresses_with_tagged_emails_get_the_invitees_allowance_and_visitors_book_as_usual(
    fresh_instances: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, invitee_open_limit=50)
    allowance, seconds = get_settings().invitee_write_limit
    room_in_window(seconds)
    attempts = []
    for i in range(int(allowance) + 4):
        body = booking_body(slug, day_ahead(4, 9) + timedelta(minutes=30 * i))
        body["invitee"]["email"] = f"Hoarder+{i}@Example.org"
        attempts.append(post_as(fresh_instances, f"198.18.0.{i + 1}", body))

    visitors = [
        post_as(fresh_instances, f"192.0.2.{i + 1}", booking_body(slug, day_ahead(5, 9) + timedelta(minutes=30 * i)))
        for i in range(5)
    ]

    assert [r.status_code for r in attempts] == [201] * int(allowance) + [429] * 4
    assert_problem(attempts[-1], 429, "rate-limited")
    assert [r.status_code for r in visitors] == [201] * 5


def test_an_invitees_own_changes_count_against_their_allowance(
    fresh_instances: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    per_client, per_invitee = get_settings().client_limits["booking-writes"][0], get_settings().invitee_write_limit[0]
    allowed = int(min(per_client, per_invitee))  # the booking itself and its changes, whichever fills first
    room_in_window(get_settings().invitee_write_limit[1])
    booked = post_as(fresh_instances, "203.0.113.8", booking_body(slug, day_ahead(3, 9))).json()
    bearer = {"Authorization": f"Bearer {booked['manage_token']}"}
    moves = [
        send_as(
            f"{fresh_instances}/bookings/{booked['id']}/reschedule",
            "203.0.113.8",
            {"start": (day_ahead(3, 10) + timedelta(minutes=30 * i)).isoformat()},
            bearer,
        )
        for i in range(allowed)
    ]
    cancel = send_as(f"{fresh_instances}/bookings/{booked['id']}/cancel", "203.0.113.8", {}, bearer)

    assert [r.status_code for r in moves] == [200] * (allowed - 1) + [429]
    assert_problem(moves[-1], 429, "rate-limited")
    assert_problem(cancel, 429, "rate-limited")


def test_an_invitee_cannot_hold_more_upcoming_bookings_than_allowed(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, invitee_open_limit=2)
    email = f"hoarder-{uuid.uuid4().hex[:6]}@example.org"

    def book(hour: int) -> requests.Response:
        body = booking_body(slug, day_ahead(5, hour))
        body["invitee"]["email"] = email
        return requests.post(f"{api}/bookings", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)

    first, second, third = book(9), book(10), book(11)
    requests.post(
        f"{api}/bookings/{first.json()['id']}/cancel",
        json={},
        headers={"Authorization": f"Bearer {first.json()['manage_token']}"},
        timeout=10,
    )
    after_cancel = book(12)

    assert (first.status_code, second.status_code) == (201, 201)
    assert_problem(third, 429, "invitee-limit-reached")
    assert third.headers["Retry-After"]
    assert after_cancel.status_code == 201


@pytest.mark.parametrize("round_", range(3))
def test_racing_bookings_of_one_invitee_never_exceed_the_limit(
    api: str, browser: Browser, google: Google, round_: int
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, invitee_open_limit=2)
    email = f"racer-{uuid.uuid4().hex[:6]}@example.org"
    bodies = []
    for i in range(16):
        body = booking_body(slug, day_ahead(6, 9) + timedelta(minutes=30 * i))
        body["invitee"]["email"] = email
        bodies.append(body)

    with ThreadPoolExecutor(16) as pool:
        answers = list(
            pool.map(
                lambda body: requests.post(
                    f"{api}/bookings", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=60
                ),
                bodies,
            )
        )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == 2, statuses
    assert set(statuses) <= {201, 409, 429}


def test_concurrent_edits_of_one_page_answer_success_or_503_never_500(browser: Browser, google: Google) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    (existing,) = browser.get("/hosts/me/event-types").json()["event_types"]

    def patch(i: int) -> int:
        return browser.patch(f"/hosts/me/event-types/{existing['id']}", json={"title": f"Call {i}"}).status_code

    def create(i: int) -> int:
        body = {"slug": f"type-{i}", "title": f"Type {i}", "duration_minutes": 30}
        return browser.post("/hosts/me/event-types", json=body).status_code

    with ThreadPoolExecutor(20) as pool:
        patched = list(pool.map(patch, range(20)))
        created = list(pool.map(create, range(20)))

    assert set(patched) <= {200, 503}, patched
    assert set(created) <= {201, 503}, created
    stored = {t["slug"] for t in browser.get("/hosts/me/event-types").json()["event_types"]}
    assert {f"type-{i}" for i, status in enumerate(created) if status == 201} <= stored  # nothing answered 201 is lost
