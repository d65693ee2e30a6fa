"""Weekly and monthly limits over HTTP: racing bookings at different times never exceed them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours

ROUNDS = 3
RACERS = 16


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def race(api: str, slug: str, starts: list[datetime]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        return list(pool.map(lambda start: post_booking(api, booking_body(slug, start)), starts))


def slots(api: str, slug: str, first: date, last: date, manage_token: str | None = None) -> list[str]:
    params = {"from": first.isoformat(), "to": last.isoformat(), "tz": "UTC"}
    headers = {"Authorization": f"Bearer {manage_token}"} if manage_token else {}
    response = requests.get(f"{api}/bookings/pages/{slug}/call/slots", params=params, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


def cancel(api: str, booked: dict[str, Any]) -> requests.Response:
    headers = {"Authorization": f"Bearer {booked['manage_token']}"}
    return requests.post(f"{api}/bookings/{booked['id']}/cancel", json={}, headers=headers, timeout=10)


def assert_limit_held(
    responses: list[requests.Response], limit: int, refusal: str = "period-limit-reached"
) -> list[dict[str, Any]]:
    """Exactly `limit` bookings won; every other answer is a 409 of the `refusal` type."""
    winners = [response.json() for response in responses if response.status_code == 201]
    losers = [response for response in responses if response.status_code != 201]
    assert len(winners) == limit, [response.text for response in responses]
    for response in losers:
        assert_problem(response, 409, refusal)
    return winners


def test_a_weekly_limit_holds_under_a_16_way_race_of_different_times(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, weekly_limit=3)
    today = datetime.now(UTC).date()
    first_monday = today + timedelta(days=14 - today.weekday())

    for week in range(ROUNDS):
        monday = first_monday + timedelta(weeks=week)
        starts = [at(monday + timedelta(days=i % 7), 9 + i // 7) for i in range(RACERS)]  # Mon..Sun, one week

        winners = assert_limit_held(race(api, slug, starts), 3)
        full = slots(api, slug, monday, monday + timedelta(days=6))
        next_week = slots(api, slug, monday + timedelta(days=7), monday + timedelta(days=7))
        cancelled = cancel(api, winners[0])
        taken = {datetime.fromisoformat(w["start"]) for w in winners}
        again = post_booking(api, booking_body(slug, next(s for s in starts if s not in taken)))
        over = post_booking(api, booking_body(slug, at(monday + timedelta(days=6), 16)))

        assert full == []
        assert next_week  # the limit is per week
        assert cancelled.status_code == 200
        assert again.status_code == 201, again.text  # the cancelled booking's place is free again
        assert_problem(over, 409, "period-limit-reached")  # full again


def test_a_monthly_limit_holds_under_a_16_way_race_of_different_times(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, monthly_limit=4)
    today = datetime.now(UTC).date()
    month = (today.replace(day=1) + timedelta(days=40)).replace(day=1)  # a month that starts ahead

    for _ in range(ROUNDS):
        starts = [at(month + timedelta(days=2 * i), 10) for i in range(14)] + [at(month, 14), at(month, 15)]
        last_day = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)

        winners = assert_limit_held(race(api, slug, starts), 4)
        full = slots(api, slug, month, last_day)
        cancelled = cancel(api, winners[0])
        freed = slots(api, slug, month, month + timedelta(days=6))

        assert full == []
        assert cancelled.status_code == 200
        assert freed  # a place is free again, so the month offers times again
        month = last_day + timedelta(days=1)


def test_a_booking_in_a_full_week_is_offered_its_own_week_to_move_within(
    api: str, browser: Browser, google: Google
) -> None:
    """Moving inside its own week changes no count: the reschedule picker (slots with the manage token) offers
    that week as the reschedule accepts it, while everyone else still sees the week full."""
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, weekly_limit=1)
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=14 - today.weekday())
    sunday = monday + timedelta(days=6)
    booked = post_booking(api, booking_body(slug, at(monday, 10)))
    assert booked.status_code == 201, booked.text
    mine = booked.json()

    to_anyone = slots(api, slug, monday, sunday)
    to_its_invitee = slots(api, slug, monday, sunday, mine["manage_token"])
    wrong_token = slots(api, slug, monday, sunday, f"{mine['id']}.forged")
    headers = {"Authorization": f"Bearer {mine['manage_token']}"}
    moved = requests.post(
        f"{api}/bookings/{mine['id']}/reschedule", json={"start": to_its_invitee[-1]}, headers=headers, timeout=10
    )

    assert to_anyone == []  # the week is at its limit for new bookings
    assert wrong_token == []
    offered = {datetime.fromisoformat(start) for start in to_its_invitee}
    assert at(monday, 11) in offered
    assert at(monday, 10) not in offered  # its own time is no new time
    assert datetime.fromisoformat(to_its_invitee[-1]).date() == sunday  # the whole week, its last day included
    assert moved.status_code == 200, moved.text
    assert slots(api, slug, monday, sunday) == []  # still one booking that week
