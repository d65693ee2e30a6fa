"""Several schedules per host over HTTP: each event type offers the hours of its own schedule, a booking is
checked against them, a schedule in use cannot be deleted, and export and erasure include schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours, unique_email

MORNINGS = {day: [["07:00", "09:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def hours_offered(api: str, slug: str, event_type: str, day: date) -> list[int]:
    params = {"from": day.isoformat(), "to": day.isoformat(), "tz": "UTC"}
    response = requests.get(f"{api}/bookings/pages/{slug}/{event_type}/slots", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(slot["start"]).hour for slot in response.json()["slots"]]


def mornings_type(browser: Browser) -> tuple[str, str]:
    """A "Mornings" schedule and an "early" event type on it; returns (schedule id, event type id)."""
    created = browser.post("/hosts/me/schedules", json={"name": "Mornings", "time_zone": "UTC", "weekly": MORNINGS})
    assert created.status_code == 201, created.text
    schedule_id = created.json()["id"]
    body = {"slug": "early", "title": "Early call", "duration_minutes": 60, "booking_window_days": 366}
    early = browser.post("/hosts/me/event-types", json={**body, "schedule_id": schedule_id})
    assert early.status_code == 201, early.text
    return schedule_id, early.json()["id"]


def test_two_event_types_on_two_schedules_offer_different_slots_and_bookings_are_checked_against_their_own(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, duration_minutes=60, slot_step_minutes=60)
    schedule_id, _ = mornings_type(browser)
    google.drain_tasks()
    day = datetime.now(UTC).date() + timedelta(days=10)
    calls_before = google.state()["calls"]

    default_hours = hours_offered(api, slug, "call", day)
    morning_hours = hours_offered(api, slug, "early", day)
    calls_after = google.state()["calls"]
    early_at_ten = post_booking(api, booking_body(slug, datetime(day.year, day.month, day.day, 10, tzinfo=UTC)))
    early_at_seven = post_booking(
        api, {**booking_body(slug, datetime(day.year, day.month, day.day, 7, tzinfo=UTC)), "event_type": "early"}
    )
    call_at_seven = post_booking(api, booking_body(slug, datetime(day.year, day.month, day.day, 7, tzinfo=UTC)))
    wrong_type_at_ten = post_booking(
        api,
        {**booking_body(slug, datetime(day.year, day.month, day.day, 10, tzinfo=UTC)), "event_type": "early"},
        key="early-at-ten",
    )
    listed = browser.get("/hosts/me/schedules")

    assert default_hours == [9, 10, 11, 12, 13, 14, 15, 16]
    assert morning_hours == [7, 8]
    assert calls_after == calls_before  # served from the mirror: no Google call for either schedule
    assert early_at_ten.status_code == 201, early_at_ten.text  # "call" follows the default schedule
    assert early_at_seven.status_code == 201, early_at_seven.text
    assert_problem(call_at_seven, 409, "slot-not-offered")  # 07:00 is in Mornings, not in the default hours
    assert_problem(wrong_type_at_ten, 409, "slot-not-offered")
    assert listed.status_code == 200, listed.text
    schedules = listed.json()["schedules"]
    assert [(s["id"], s["name"], s["is_default"]) for s in schedules] == [
        ("default", "Working hours", True),
        (schedule_id, "Mornings", False),
    ]
    assert len(schedules[0]["used_by"]) == 1
    assert len(schedules[1]["used_by"]) == 1


def test_changing_an_event_type_s_schedule_or_the_schedule_s_hours_changes_its_slots(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, duration_minutes=60, slot_step_minutes=60)
    schedule_id, _ = mornings_type(browser)
    listed = browser.get("/hosts/me/event-types").json()["event_types"]
    (call_id,) = [event_type["id"] for event_type in listed if event_type["slug"] == "call"]
    google.drain_tasks()
    day = datetime.now(UTC).date() + timedelta(days=10)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]

    moved = browser.patch(f"/hosts/me/event-types/{call_id}", json={"schedule_id": schedule_id})
    on_mornings = hours_offered(api, slug, "call", day)
    later = browser.patch(f"/hosts/me/schedules/{schedule_id}", json={"weekly": {weekday: [["06:00", "08:00"]]}})
    after_edit = hours_offered(api, slug, "call", day)
    other_days = hours_offered(api, slug, "call", day + timedelta(days=1))
    back = browser.patch(f"/hosts/me/event-types/{call_id}", json={"schedule_id": None})
    on_default = hours_offered(api, slug, "call", day)

    assert moved.status_code == 200, moved.text
    assert moved.json()["schedule_id"] == schedule_id
    assert on_mornings == [7, 8]
    assert later.status_code == 200, later.text
    assert later.json()["name"] == "Mornings"  # a patch keeps what it does not name
    assert after_edit == [6, 7]
    assert other_days == []  # the patch replaced the whole weekly rule
    assert back.status_code == 200, back.text
    assert back.json()["schedule_id"] is None
    assert on_default == [9, 10, 11, 12, 13, 14, 15, 16]


def test_a_schedule_in_use_cannot_be_deleted_until_no_event_type_uses_it(
    api: str, browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    schedule_id, early_id = mornings_type(browser)

    in_use = browser.delete(f"/hosts/me/schedules/{schedule_id}")
    default = browser.delete("/hosts/me/schedules/default")
    renamed = browser.patch(f"/hosts/me/schedules/{schedule_id}", json={"name": "Early birds"})
    browser.patch(f"/hosts/me/event-types/{early_id}", json={"schedule_id": "default"})
    deleted = browser.delete(f"/hosts/me/schedules/{schedule_id}")
    gone = browser.get(f"/hosts/me/schedules/{schedule_id}")
    again = browser.delete(f"/hosts/me/schedules/{schedule_id}")

    assert "early" in assert_problem(in_use, 409, "schedule-in-use")["detail"]
    assert_problem(default, 409, "schedule-in-use")
    assert renamed.json()["name"] == "Early birds"
    assert deleted.status_code == 204, deleted.text
    assert_problem(gone, 404, "not-found")
    assert_problem(again, 404, "not-found")


def field_errors(response: requests.Response) -> set[str]:
    return {error["field"] for error in assert_problem(response, 422, "validation-error")["errors"]}


def test_bad_schedule_fields_and_unknown_schedules_answer_field_level_422s(
    api: str, browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    listed = browser.get("/hosts/me/event-types").json()["event_types"]
    (call_id,) = [event_type["id"] for event_type in listed if event_type["slug"] == "call"]
    base = {"slug": "other", "title": "Other", "duration_minutes": 30}

    unknown = browser.post("/hosts/me/event-types", json={**base, "schedule_id": "sc00000000ff"})
    unknown_patch = browser.patch(f"/hosts/me/event-types/{call_id}", json={"schedule_id": "sc00000000ff"})
    malformed = browser.patch(f"/hosts/me/event-types/{call_id}", json={"schedule_id": "../x"})
    nameless = browser.post("/hosts/me/schedules", json={"name": "  "})
    long_name = browser.post("/hosts/me/schedules", json={"name": "x" * 61})
    bad_hours = browser.post("/hosts/me/schedules", json={"name": "Bad", "weekly": {"mon": [["10:00", "09:00"]]}})
    null_patch = browser.patch("/hosts/me/schedules/default", json={"name": None})
    bad_id = browser.get("/hosts/me/schedules/nope")

    assert field_errors(unknown) == {"schedule_id"}
    assert field_errors(unknown_patch) == {"schedule_id"}
    assert field_errors(malformed) == {"schedule_id"}
    assert field_errors(nameless) == {"name"}
    assert field_errors(long_name) == {"name"}
    assert field_errors(bad_hours) == {"weekly.mon.0"}
    assert field_errors(null_patch) == {"name"}
    assert_problem(bad_id, 404, "not-found")
    assert browser.get("/hosts/me/event-types").json()["event_types"][0].get("schedule_id") is None


def test_twenty_schedules_at_most_and_the_old_schedule_route_is_the_default_one(
    api: str, browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)

    made = [browser.post("/hosts/me/schedules", json={"name": f"Schedule {n}"}) for n in range(19)]
    over = browser.post("/hosts/me/schedules", json={"name": "One too many"})
    replaced = browser.put(
        "/hosts/me/schedules/default", json={"name": "Office hours", "time_zone": "UTC", "weekly": MORNINGS}
    )
    old_route = browser.get("/hosts/me/schedule")

    assert all(response.status_code == 201 for response in made)
    assert_problem(over, 409, "schedule-limit-reached")
    assert replaced.status_code == 200, replaced.text
    assert old_route.json()["weekly"]["mon"] == [["07:00", "09:00"]]
    assert "name" not in old_route.json()
    assert len(browser.get("/hosts/me/schedules").json()["schedules"]) == 20


def test_export_holds_every_schedule_and_erasure_removes_them(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    schedule_id, _ = mornings_type(browser)
    vacation = {"first_day": "2030-07-01", "last_day": "2030-07-14", "reason": "Hiking the Alps"}
    browser.patch(f"/hosts/me/schedules/{schedule_id}", json={"time_off": [vacation]})

    public = requests.get(f"{api}/bookings/pages/{slug}/early", timeout=10)
    export = browser.get("/privacy/export")
    started = browser.post("/privacy/erase")
    google.drain_tasks()

    assert public.status_code == 200, public.text
    assert "Mornings" not in public.text  # the host's own names and notes stay off the public page
    assert "Hiking" not in public.text
    assert export.status_code == 200, export.text
    [page] = export.json()["booking_pages"]
    assert page["schedules"][schedule_id]["name"] == "Mornings"
    assert page["schedules"][schedule_id]["time_off"] == [vacation]
    assert started.status_code == 202, started.text
    assert not [path for path, doc in all_documents(db) if "Hiking the Alps" in str(doc) or "Mornings" in str(doc)]


def test_a_new_hosts_default_schedule_is_named_in_the_language_they_signed_up_in_and_then_kept(
    browser: Browser, google: Google
) -> None:
    indonesian, english = unique_email(), unique_email()
    for address in (indonesian, english):
        google.create_account(address, time_zone="Asia/Jakarta")

    browser.session.headers["Accept-Language"] = "id-ID,id;q=0.9"
    assert browser.sign_in(indonesian).status_code == 302
    named_in_indonesian = browser.get("/hosts/me/schedules").json()["schedules"][0]
    del browser.session.headers["Accept-Language"]
    assert browser.sign_in(english).status_code == 302
    named_in_english = browser.get("/hosts/me/schedules").json()["schedules"][0]
    assert browser.sign_in(indonesian).status_code == 302  # again, from an English browser
    kept = browser.get("/hosts/me/schedules").json()["schedules"][0]

    assert (named_in_indonesian["id"], named_in_indonesian["name"]) == ("default", "Jam kerja")
    assert (named_in_english["id"], named_in_english["name"]) == ("default", "Working hours")
    assert kept["name"] == "Jam kerja"  # the stored name is the host's: a later sign-in does not rename it
