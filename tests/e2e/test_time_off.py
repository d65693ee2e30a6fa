"""Time off over HTTP: a week of vacation offers nothing, the days around it do, and only the host sees why."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours

BERLIN = ZoneInfo("Europe/Berlin")
REASON = "Sailing around Crete"


def offered_days(api: str, slug: str, first: date, last: date) -> set[date]:
    response = requests.get(
        f"{api}/bookings/pages/{slug}/call/slots",
        params={"from": first.isoformat(), "to": last.isoformat(), "tz": "Europe/Berlin"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert REASON not in response.text
    return {datetime.fromisoformat(slot["start"]).astimezone(BERLIN).date() for slot in response.json()["slots"]}


def test_a_week_of_vacation_offers_nothing_and_only_the_host_sees_its_reason(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    first = datetime.now(BERLIN).date() + timedelta(days=14)
    last = first + timedelta(days=6)
    vacation = {"first_day": first.isoformat(), "last_day": last.isoformat(), "reason": REASON}

    saved = browser.put(
        "/hosts/me/schedule", json={"time_zone": "Europe/Berlin", "weekly": EVERY_DAY, "time_off": [vacation]}
    )
    days = offered_days(api, slug, first - timedelta(days=1), last + timedelta(days=1))
    inside = datetime.combine(first + timedelta(days=2), datetime.min.time().replace(hour=10), BERLIN)
    refused = post_booking(api, booking_body(slug, inside))
    read_back = browser.get("/hosts/me/schedule")
    page = requests.get(f"{api}/bookings/pages/{slug}/call", timeout=10)
    export = browser.get("/privacy/export")

    assert saved.status_code == 200, saved.text
    assert saved.json()["time_off"] == [vacation]
    assert days == {first - timedelta(days=1), last + timedelta(days=1)}
    assert_problem(refused, 409, "slot-not-offered")
    assert read_back.json()["time_off"] == [vacation]
    assert page.status_code == 200, page.text
    assert REASON not in page.text
    assert "time_off" not in page.text
    assert export.status_code == 200, export.text
    [exported_page] = export.json()["booking_pages"]
    assert exported_page["schedule"]["time_off"] == [vacation]


def test_a_time_off_ending_before_it_starts_is_refused_naming_the_field(browser: Browser, google: Google) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)

    response = browser.put(
        "/hosts/me/schedule",
        json={"time_zone": "UTC", "time_off": [{"first_day": "2027-08-10", "last_day": "2027-08-01"}]},
    )

    body = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in body["errors"]] == ["time_off.0.last_day"]
    assert [(error["code"], error["message"]) for error in body["errors"]] == [
        ("last-day-before-first", "The last day cannot be before the first day")
    ]
