"""Public availability over HTTP: DST-exact slots from the busy mirror, never a Google call on the read path.

Expected slots are written out by hand (UTC), independently of the slot engine.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours, unique_email


def slots(api: str, slug: str, first: str, last: str, tz: str) -> requests.Response:
    return requests.get(
        f"{api}/bookings/pages/{slug}/call/slots", params={"from": first, "to": last, "tz": tz}, timeout=10
    )


def utc_starts(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [
        datetime.fromisoformat(s["start"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ") for s in response.json()["slots"]
    ]


def test_spring_forward_in_new_york_skips_the_missing_hour(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(browser, google, "America/New_York", {"sun": [["01:00", "04:00"]]})

    response = slots(api, slug, "2027-03-14", "2027-03-14", "America/New_York")

    # 01:00 and 01:30 EST (-05), then 03:00 and 03:30 EDT (-04): 02:00-02:59 does not exist that night.
    assert utc_starts(response) == ["2027-03-14T06:00Z", "2027-03-14T06:30Z", "2027-03-14T07:00Z", "2027-03-14T07:30Z"]
    assert [s["start"] for s in response.json()["slots"]][2] == "2027-03-14T03:00:00-04:00"


def test_fall_back_in_new_york_offers_the_repeated_hour_once(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(browser, google, "America/New_York", {"sun": [["00:00", "03:00"]]})

    response = slots(api, slug, "2027-11-07", "2027-11-07", "America/New_York")

    assert utc_starts(response) == [
        "2027-11-07T04:00Z",
        "2027-11-07T04:30Z",
        "2027-11-07T05:00Z",
        "2027-11-07T05:30Z",
        "2027-11-07T07:00Z",
        "2027-11-07T07:30Z",
    ]


def test_lord_howe_half_hour_shift_and_berlin_invitee(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(browser, google, "Australia/Lord_Howe", {"sun": [["01:00", "04:00"]]})

    response = slots(api, slug, "2027-10-02", "2027-10-03", "Europe/Berlin")

    # Lord Howe goes from +10:30 to +11:00 at 02:00 on 2027-10-03: 02:00 does not exist, 02:30 does.
    assert utc_starts(response) == [
        "2027-10-02T14:30Z",
        "2027-10-02T15:00Z",
        "2027-10-02T15:30Z",
        "2027-10-02T16:00Z",
        "2027-10-02T16:30Z",
    ]
    assert response.json()["slots"][0]["start"] == "2027-10-02T16:30:00+02:00"


def test_jakarta_has_no_dst_and_tokyo_invitee_sees_their_own_dates(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(
        browser, google, "Asia/Jakarta", {"mon": [["09:00", "10:30"]]}, duration_minutes=45, slot_step_minutes=15
    )

    response = slots(api, slug, "2027-03-01", "2027-03-01", "Asia/Tokyo")

    assert utc_starts(response) == ["2027-03-01T02:00Z", "2027-03-01T02:15Z", "2027-03-01T02:30Z", "2027-03-01T02:45Z"]
    assert response.json() == {
        "time_zone": "Asia/Tokyo",
        "complete": True,
        "slots": [
            {"start": "2027-03-01T11:00:00+09:00", "end": "2027-03-01T11:45:00+09:00"},
            {"start": "2027-03-01T11:15:00+09:00", "end": "2027-03-01T12:00:00+09:00"},
            {"start": "2027-03-01T11:30:00+09:00", "end": "2027-03-01T12:15:00+09:00"},
            {"start": "2027-03-01T11:45:00+09:00", "end": "2027-03-01T12:30:00+09:00"},
        ],
    }


def test_berlin_week_across_the_spring_transition_keeps_local_hours(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(
        browser, google, "Europe/Berlin", {"sat": [["09:00", "10:00"]], "sun": [["09:00", "10:00"]]}
    )

    response = slots(api, slug, "2027-03-27", "2027-03-28", "Europe/Berlin")

    # 09:00 Berlin is 08:00Z on Saturday (+01) and 07:00Z on Sunday (+02, after the 02:00 jump).
    assert utc_starts(response) == ["2027-03-27T08:00Z", "2027-03-27T08:30Z", "2027-03-28T07:00Z", "2027-03-28T07:30Z"]


def test_google_busy_times_block_slots_and_all_day_events_block_the_local_day(
    browser: Browser, google: Google, api: str
) -> None:
    email = unique_email()
    google.create_account(email, time_zone="Europe/Berlin")
    google.add_event(
        email,
        {
            "summary": "Dentist",
            "start": {"dateTime": "2027-02-01T09:30:00+01:00"},
            "end": {"dateTime": "2027-02-01T10:15:00+01:00"},
        },
    )
    google.add_event(email, {"summary": "Holiday", "start": {"date": "2027-02-02"}, "end": {"date": "2027-02-03"}})
    google.add_event(
        email,
        {
            "summary": "Focus (free)",
            "transparency": "transparent",
            "start": {"dateTime": "2027-02-03T09:00:00+01:00"},
            "end": {"dateTime": "2027-02-03T11:00:00+01:00"},
        },
    )
    browser.sign_in(email)
    browser.put(
        "/hosts/me/schedule",
        json={"time_zone": "Europe/Berlin", "weekly": {day: [["09:00", "11:00"]] for day in ("mon", "tue", "wed")}},
    )
    browser.patch("/hosts/me", json={"slug": "berlin-host"})
    browser.post(
        "/hosts/me/event-types",
        json={"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 120},
    )
    google.drain_tasks()

    response = slots(api, "berlin-host", "2027-02-01", "2027-02-03", "Europe/Berlin")

    assert utc_starts(response) == [
        "2027-02-01T08:00Z",
        "2027-02-01T09:30Z",  # Monday: 09:30-10:15 busy
        # Tuesday: all-day event in the host's zone
        "2027-02-03T08:00Z",
        "2027-02-03T08:30Z",
        "2027-02-03T09:00Z",
        "2027-02-03T09:30Z",  # "free" event
    ]


def test_warm_mirror_read_makes_no_google_call(browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", {"mon": [["09:00", "17:00"]]})
    before = google.state()["calls"]

    response = slots(api, slug, "2027-01-04", "2027-02-03", "Europe/Berlin")

    assert len(response.json()["slots"]) == 5 * 16
    assert google.state()["calls"] == before


def test_page_shows_public_fields_only(browser: Browser, google: Google, api: str) -> None:
    slug, email = host_with_hours(browser, google, "Europe/Berlin", {"mon": [["09:00", "17:00"]]})

    page = requests.get(f"{api}/bookings/pages/{slug}/call", timeout=10)

    assert page.status_code == 200
    assert page.json()["event_type"]["duration_minutes"] == 30
    assert page.json()["host_time_zone"] == "Europe/Berlin"
    assert email not in page.text


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"from": "2027-01-01", "to": "2027-03-15", "tz": "UTC"}, 400, "invalid-range"),
        ({"from": "2027-01-05", "to": "2027-01-01", "tz": "UTC"}, 400, "invalid-range"),
        ({"from": "2027-01-01", "to": "2027-01-02", "tz": "Mars/Base"}, 422, "validation-error"),
        ({"from": "01/01/2027", "to": "2027-01-02", "tz": "UTC"}, 422, "validation-error"),
        ({"to": "2027-01-02", "tz": "UTC"}, 422, "validation-error"),
    ],
)
def test_bad_slot_queries_get_clear_problems(
    browser: Browser, google: Google, api: str, params: dict[str, str], status: int, kind: str
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", {"mon": [["09:00", "17:00"]]})

    response = requests.get(f"{api}/bookings/pages/{slug}/call/slots", params=params, timeout=10)

    assert_problem(response, status, kind)


def test_unknown_host_or_event_type_is_404_and_disconnected_host_is_a_clear_problem(
    browser: Browser, google: Google, api: str
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", {"mon": [["09:00", "17:00"]]})
    query = {"from": "2027-01-04", "to": "2027-01-04", "tz": "UTC"}

    unknown_host = requests.get(f"{api}/bookings/pages/nobody-here/call/slots", params=query, timeout=10)
    unknown_type = requests.get(f"{api}/bookings/pages/{slug}/nothing/slots", params=query, timeout=10)
    browser.post("/hosts/me/disconnect")
    disconnected = requests.get(f"{api}/bookings/pages/{slug}/call/slots", params=query, timeout=10)

    assert_problem(unknown_host, 404, "not-found")
    assert_problem(unknown_type, 404, "not-found")
    assert_problem(disconnected, 409, "host-not-connected")


def test_event_type_and_schedule_validation_name_the_field(browser: Browser, google: Google) -> None:
    email = unique_email()
    google.create_account(email)
    browser.sign_in(email)

    cases = {
        "duration_minutes": browser.post(
            "/hosts/me/event-types", json={"slug": "a", "title": "A", "duration_minutes": 33}
        ),
        "slug": browser.post("/hosts/me/event-types", json={"slug": "Bad Slug", "title": "A", "duration_minutes": 30}),
        "weekly.mon.0": browser.put(
            "/hosts/me/schedule", json={"time_zone": "UTC", "weekly": {"mon": [["17:00", "09:00"]]}}
        ),
        "weekly.tue": browser.put(
            "/hosts/me/schedule", json={"time_zone": "UTC", "weekly": {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}}
        ),
        "time_zone": browser.put("/hosts/me/schedule", json={"time_zone": "Nowhere/City", "weekly": {}}),
    }

    for field, response in cases.items():
        body = assert_problem(response, 422, "validation-error")
        fields = [error["field"] for error in body["errors"]]
        assert any(f.startswith(field) for f in fields), (field, fields)


def test_event_types_can_be_listed_changed_and_deleted(browser: Browser, google: Google) -> None:
    email = unique_email()
    google.create_account(email)
    browser.sign_in(email)
    created = browser.post("/hosts/me/event-types", json={"slug": "intro", "title": "Intro", "duration_minutes": 15})
    event_type_id = created.json()["id"]

    patched = browser.patch(f"/hosts/me/event-types/{event_type_id}", json={"buffer_after_minutes": 10})
    duplicate = browser.post("/hosts/me/event-types", json={"slug": "intro", "title": "Again", "duration_minutes": 15})
    listed = browser.get("/hosts/me/event-types").json()["event_types"]
    deleted = browser.delete(f"/hosts/me/event-types/{event_type_id}")

    assert created.json()["slot_step_minutes"] == 15
    assert patched.json()["buffer_after_minutes"] == 10
    assert_problem(duplicate, 409, "slug-taken")
    assert [et["slug"] for et in listed] == ["intro"]
    assert deleted.status_code == 204
    assert_problem(browser.get(f"/hosts/me/event-types/{event_type_id}"), 404, "not-found")


def test_date_overrides_are_stored_replaced_and_removed(browser: Browser, google: Google) -> None:
    email = unique_email()
    google.create_account(email)
    browser.sign_in(email)
    weekly = {"mon": [["09:00", "17:00"]]}

    first = browser.put(
        "/hosts/me/schedule",
        json={
            "time_zone": "UTC",
            "weekly": weekly,
            "overrides": {"2027-12-24": [], "2027-12-27": [["10:00", "12:00"]]},
        },
    )
    second = browser.put(
        "/hosts/me/schedule", json={"time_zone": "UTC", "weekly": weekly, "overrides": {"2027-12-31": []}}
    )

    assert first.status_code == 200, first.text
    assert first.json()["overrides"] == {"2027-12-24": [], "2027-12-27": [["10:00", "12:00"]]}
    assert second.status_code == 200, second.text
    assert browser.get("/hosts/me/schedule").json()["overrides"] == {"2027-12-31": []}  # the older ones are gone


def test_a_deleted_event_type_is_gone_from_the_page(browser: Browser, google: Google) -> None:
    host_with_hours(browser, google, "UTC", {"mon": [["09:00", "17:00"]]})
    extra = browser.post("/hosts/me/event-types", json={"slug": "extra", "title": "Extra", "duration_minutes": 15})

    deleted = browser.delete(f"/hosts/me/event-types/{extra.json()['id']}")

    assert deleted.status_code == 204
    assert [t["slug"] for t in browser.get("/hosts/me/event-types").json()["event_types"]] == ["call"]
