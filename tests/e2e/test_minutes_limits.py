"""Booked-minute limits over HTTP: racing bookings at different times never exceed a day's or a week's
minutes; a cancellation frees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_period_limits import RACERS, ROUNDS, assert_limit_held, at, cancel, race, slots
from tests.support import Browser, Google, host_with_hours


def winners_within(responses: list[requests.Response], limit: int) -> list[dict[str, Any]]:
    return assert_limit_held(responses, limit, refusal="minutes-limit-reached")


def test_a_daily_minutes_limit_holds_under_a_16_way_race_of_different_times(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, daily_minutes_limit=90)  # three 30-minute calls
    first_day = datetime.now(UTC).date() + timedelta(days=7)

    for round_ in range(ROUNDS):
        day = first_day + timedelta(days=round_)
        starts = [at(day, 9 + i // 2, 30 * (i % 2)) for i in range(RACERS)]  # every half hour, 09:00-16:30

        winners = winners_within(race(api, slug, starts), 3)
        full = slots(api, slug, day, day)
        next_day = slots(api, slug, day + timedelta(days=1), day + timedelta(days=1))
        cancelled = cancel(api, winners[0])
        freed = slots(api, slug, day, day)
        taken = {datetime.fromisoformat(w["start"]) for w in winners}
        again = post_booking(api, booking_body(slug, next(s for s in starts if s not in taken)))
        over = post_booking(api, booking_body(slug, next(s for s in reversed(starts) if s not in taken)))

        assert full == []
        assert next_day  # the limit is per day
        assert cancelled.status_code == 200
        assert freed  # the cancelled booking's minutes are free again
        assert again.status_code == 201, again.text
        assert_problem(over, 409, "minutes-limit-reached")  # full again


def test_a_weekly_minutes_limit_holds_under_a_16_way_race_and_a_longer_meeting_needs_more_minutes(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, weekly_minutes_limit=135)  # four calls, 15 left
    today = datetime.now(UTC).date()
    first_monday = today + timedelta(days=14 - today.weekday())

    for week in range(ROUNDS):
        monday = first_monday + timedelta(weeks=week)
        starts = [at(monday + timedelta(days=i % 7), 9 + i // 7) for i in range(RACERS)]  # Mon..Sun, one week

        winners = winners_within(race(api, slug, starts), 4)
        full = slots(api, slug, monday, monday + timedelta(days=6))
        next_week = slots(api, slug, monday + timedelta(days=7), monday + timedelta(days=7))
        cancelled = cancel(api, winners[0])
        freed = slots(api, slug, monday, monday + timedelta(days=6))

        assert full == []  # 15 minutes are left: not enough for a 30-minute call
        assert next_week
        assert cancelled.status_code == 200
        assert freed


def test_minutes_limits_are_validated_field_by_field(api: str, browser: Browser, google: Google) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    call_id = browser.get("/hosts/me/event-types").json()["event_types"][0]["id"]

    def errors(body: dict[str, object]) -> dict[str, str]:
        response = browser.patch(f"/hosts/me/event-types/{call_id}", json=body)
        problem = assert_problem(response, 422, "validation-error")
        return {error["field"]: error["message"] for error in problem["errors"]}

    below_duration = errors({"daily_minutes_limit": 20})
    off_grid = errors({"weekly_minutes_limit": 62})
    too_many = errors({"daily_minutes_limit": 1445, "weekly_minutes_limit": 10085})
    a_string = errors({"weekly_minutes_limit": "60"})
    browser.patch(f"/hosts/me/event-types/{call_id}", json={"daily_minutes_limit": 30})
    longer = errors({"duration_minutes": 60})  # the limit, valid alone, no longer holds one meeting
    set_and_reset = [
        browser.patch(
            f"/hosts/me/event-types/{call_id}", json={"daily_minutes_limit": 60, "weekly_minutes_limit": 300}
        ),
        browser.patch(f"/hosts/me/event-types/{call_id}", json={"daily_minutes_limit": None}),
    ]

    assert list(below_duration) == ["daily_minutes_limit"]
    assert "(30 minutes)" in below_duration["daily_minutes_limit"]
    assert list(off_grid) == ["weekly_minutes_limit"]
    assert set(too_many) == {"daily_minutes_limit", "weekly_minutes_limit"}
    assert list(a_string) == ["weekly_minutes_limit"]
    assert list(longer) == ["daily_minutes_limit"]
    assert [r.status_code for r in set_and_reset] == [200, 200]
    assert set_and_reset[0].json()["daily_minutes_limit"] == 60
    assert set_and_reset[1].json()["daily_minutes_limit"] is None
    assert set_and_reset[1].json()["weekly_minutes_limit"] == 300


def test_a_reschedule_moves_the_minutes_to_the_new_day(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, daily_minutes_limit=60)  # two 30-minute calls
    day = datetime.now(UTC).date() + timedelta(days=9)
    made = [post_booking(api, booking_body(slug, at(day, hour))).json() for hour in (10, 11)]
    full = slots(api, slug, day, day)

    headers = {"Authorization": f"Bearer {made[0]['manage_token']}"}
    moved = requests.post(
        f"{api}/bookings/{made[0]['id']}/reschedule",
        json={"start": at(day + timedelta(days=1), 10).isoformat()},
        headers=headers,
        timeout=10,
    )
    freed = slots(api, slug, day, day)
    same_day_again = post_booking(api, booking_body(slug, at(day, 14)))
    next_day = post_booking(api, booking_body(slug, at(day + timedelta(days=1), 14)))
    next_day_over = post_booking(api, booking_body(slug, at(day + timedelta(days=1), 15)))

    assert full == []
    assert moved.status_code == 200, moved.text
    assert freed  # the moved booking's minutes left its old day
    assert same_day_again.status_code == 201, same_day_again.text
    assert next_day.status_code == 201, next_day.text
    assert_problem(next_day_over, 409, "minutes-limit-reached")  # the moved booking holds minutes there
