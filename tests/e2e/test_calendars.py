"""Conflict calendars and a write calendar over HTTP through the sandbox: the calendar list asked for only
when the setting is opened, busy times of every chosen calendar, bookings in the chosen write calendar."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_calendar_sync import event, eventually, manage_view, starts_on
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours, query_of

CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"


def open_calendars_setting(browser: Browser, email: str) -> requests.Response:
    """The dashboard's "Choose calendars" button: an OAuth start with the calendars purpose, Google's consent
    (auto-consent in the sandbox, minus what the account refuses), and our callback."""
    start = browser.get(
        "/oauth/start",
        params={"purpose": "calendars", "return_to": "/", "login_hint": email},
        allow_redirects=False,
    )
    assert start.status_code == 302, start.text
    scopes = query_of(start.headers["Location"])["scope"].split()
    assert CALENDAR_LIST in scopes
    assert query_of(start.headers["Location"])["include_granted_scopes"] == "true"
    return browser.session.get(browser.consent(start.headers["Location"]), allow_redirects=False)


def our_events_in(google: Google, email: str, calendar_id: str | None = None) -> list[dict[str, Any]]:
    return [e for e in google.events(email, calendar_id=calendar_id) if e["id"].startswith("kal")]


def choose(browser: Browser, conflict: list[str], write: str) -> requests.Response:
    return browser.put("/hosts/me/calendars", json={"conflict": conflict, "write": write})


def test_sign_in_never_asks_for_the_calendar_list_and_opening_the_setting_does(
    browser: Browser, google: Google
) -> None:
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    shared = google.add_calendar(email, "Team (shared)", access_role="reader")
    sign_in = browser.start_sign_in(login_hint=email)

    before = browser.get("/hosts/me/calendars")
    opened = open_calendars_setting(browser, email)
    after = browser.get("/hosts/me/calendars")

    assert CALENDAR_LIST not in query_of(sign_in.headers["Location"])["scope"]
    problem = assert_problem(before, 403, "calendar-list-not-granted")
    assert problem["missing_scopes"] == [CALENDAR_LIST]
    assert problem["consent_url"].startswith("/oauth/start?purpose=calendars")
    assert opened.status_code == 302
    assert urlsplit(opened.headers["Location"]).path == "/"
    assert after.status_code == 200, after.text
    listed = after.json()
    assert [(c["id"], c["summary"], c["primary"], c["owned"]) for c in listed["calendars"]] == [
        (email, email, True, True),
        (work, "Work", False, True),
        (shared, "Team (shared)", False, False),
    ]
    assert (listed["conflict"], listed["write"], listed["max_conflict"]) == ([email], email, 10)
    assert browser.get("/hosts/me").json()["connection"]["state"] == "connected"
    assert google.state()["foreign_events_read"] == 0


def test_an_event_on_a_secondary_conflict_calendar_removes_the_slot(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    side = google.add_calendar(email, "Side project")
    open_calendars_setting(browser, email)
    day = day_ahead(5, 0)
    google.add_event(email, event(day.replace(hour=14), 60), calendar_id=side)  # not chosen: never blocks
    before = starts_on(api, slug, day)

    chosen = choose(browser, [email, work], email)
    channels = {c["calendar"] for c in google.channels()}
    google.add_event(email, event(day.replace(hour=10), 60), calendar_id=work)
    after = eventually(lambda: s if (s := starts_on(api, slug, day)) != before else [])

    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["conflict"] == [email, work]
    assert channels == {email.lower(), work}  # one channel per conflict calendar, none for the others
    assert set(before) - set(after) == {day.replace(hour=10).isoformat(), day.replace(hour=10, minute=30).isoformat()}
    assert day.replace(hour=14).isoformat() in after
    assert post_booking(api, booking_body(slug, day.replace(hour=10))).status_code == 409
    google.drain_tasks()
    assert google.state()["foreign_events_read"] == 0


def test_a_booking_lands_in_the_write_calendar_and_stays_there_when_the_write_calendar_changes(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    open_calendars_setting(browser, email)
    assert choose(browser, [email, work], work).status_code == 200
    first = post_booking(api, booking_body(slug, day_ahead(6, 9))).json()
    doomed = post_booking(api, booking_body(slug, day_ahead(6, 11))).json()
    google.drain_tasks()
    in_work = {e["id"] for e in our_events_in(google, email, work)}

    assert choose(browser, [email, work], email).status_code == 200  # new bookings go to the primary now
    new_start = day_ahead(7, 13)
    moved = requests.post(
        f"{api}/bookings/{first['id']}/reschedule",
        json={"start": new_start.isoformat()},
        headers={"Authorization": f"Bearer {first['manage_token']}"},
        timeout=10,
    )
    later = post_booking(api, booking_body(slug, day_ahead(8, 9))).json()
    google.delete_event(email, f"kal{doomed['id']}", calendar_id=work)  # the host deletes one in Google
    google.drain_tasks()

    assert in_work == {f"kal{first['id']}", f"kal{doomed['id']}"}
    assert moved.status_code == 200, moved.text
    [kept] = our_events_in(google, email, work)
    assert kept["id"] == f"kal{first['id']}"
    assert kept["start"]["dateTime"].startswith(new_start.strftime("%Y-%m-%dT%H:%M"))
    assert [e["id"] for e in our_events_in(google, email)] == [f"kal{later['id']}"]
    assert eventually(lambda: manage_view(api, doomed)["status"] == "cancelled_by_host")

    cancelled = requests.post(
        f"{api}/bookings/{first['id']}/cancel",
        json={},
        headers={"Authorization": f"Bearer {first['manage_token']}"},
        timeout=10,
    )
    google.drain_tasks()

    assert cancelled.status_code == 200, cancelled.text
    assert our_events_in(google, email, work) == []
    assert google.state()["foreign_events_read"] == 0


def test_refusing_the_calendar_list_keeps_the_primary_calendar_and_the_host_connected(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    google.update_account(email, deny_scopes=[CALENDAR_LIST])  # unticked on Google's consent screen

    unticked = open_calendars_setting(browser, email)
    google.fault("oauth.authorize", status=403)  # the host cancels the consent screen altogether
    start = browser.get("/oauth/start", params={"purpose": "calendars", "return_to": "/"}, allow_redirects=False)
    cancelled = browser.session.get(browser.consent(start.headers["Location"]), allow_redirects=False)
    me = browser.get("/hosts/me")
    listing = browser.get("/hosts/me/calendars")
    booked = post_booking(api, booking_body(slug, day_ahead(4, 10)))
    google.drain_tasks()

    assert unticked.status_code == 302
    assert unticked.headers["Location"].endswith("/?calendars=refused")
    assert cancelled.status_code == 302
    assert cancelled.headers["Location"].endswith("/?calendars=refused")
    assert me.status_code == 200, me.text
    assert me.json()["connection"]["state"] == "connected"
    assert CALENDAR_LIST not in me.json()["granted_scopes"]
    assert_problem(listing, 403, "calendar-list-not-granted")
    assert booked.status_code == 201, booked.text
    assert [e["id"] for e in our_events_in(google, email)] == [f"kal{booked.json()['id']}"]
    assert google.state()["active_channels"] == 1


def test_unknown_unowned_and_too_many_calendars_are_refused_field_by_field(browser: Browser, google: Google) -> None:
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    shared = google.add_calendar(email, "Team (shared)", access_role="reader")
    open_calendars_setting(browser, email)

    unknown = choose(browser, [email, "c_nobody@group.calendar.google.com"], "c_else@group.calendar.google.com")
    unowned = choose(browser, [email, shared], shared)
    too_many = choose(browser, [email] * 11, email)
    fine = choose(browser, [shared], email)

    body = assert_problem(unknown, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["conflict.1", "write"]
    body = assert_problem(unowned, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["write"]
    body = assert_problem(too_many, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["conflict"]
    assert fine.status_code == 200, fine.text
    assert (fine.json()["conflict"], fine.json()["write"]) == ([shared], email)


def test_export_holds_the_choice_and_disconnect_stops_every_calendars_channel(browser: Browser, google: Google) -> None:
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    open_calendars_setting(browser, email)
    assert choose(browser, [email, work], work).status_code == 200
    channels_while_chosen = google.state()["active_channels"]
    assert choose(browser, [work], work).status_code == 200
    channels_after_narrowing = {c["calendar"] for c in google.channels()}

    export = browser.get("/privacy/export")
    disconnected = browser.post("/hosts/me/disconnect")

    assert channels_while_chosen == 2
    assert channels_after_narrowing == {work}
    assert export.status_code == 200, export.text
    assert {c["calendar_id"] for c in export.json()["watch_channels"]} == {work}
    [host] = export.json()["profile"]
    assert host["calendars"]["conflict"] == [work]
    assert host["calendars"]["write"] == work
    assert disconnected.status_code == 200, disconnected.text
    assert google.state()["active_channels"] == 0


def test_racing_saves_of_the_choice_leave_the_channels_and_the_mirror_of_the_last_one_saved(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work, side = google.add_calendar(email, "Work"), google.add_calendar(email, "Side project")
    open_calendars_setting(browser, email)
    day = day_ahead(5, 0)
    google.add_event(email, event(day.replace(hour=10), 60), calendar_id=work)
    google.add_event(email, event(day.replace(hour=14), 60), calendar_id=side)
    choices = [([email, work], email), ([email, side], side)] * 4

    with ThreadPoolExecutor(max_workers=len(choices)) as pool:
        answers = list(pool.map(lambda choice: choose(browser, *choice), choices))
    google.drain_tasks()
    final = browser.get("/hosts/me/calendars").json()
    offered = starts_on(api, slug, day)

    assert [answer.status_code for answer in answers] == [200] * len(choices)
    assert (final["conflict"], final["write"]) in [(c, w) for c, w in choices]
    other = side if final["conflict"] == [email, work] else work
    chosen = final["conflict"][1]
    assert {c["calendar"] for c in google.channels()} == {email.lower(), chosen}
    blocked = day.replace(hour=10 if chosen == work else 14)
    assert blocked.isoformat() not in offered
    assert day.replace(hour=10 if other == work else 14).isoformat() in offered


def test_google_failing_to_list_calendars_answers_503_with_retry_after_and_stores_nothing(
    browser: Browser, google: Google
) -> None:
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    open_calendars_setting(browser, email)
    google.fault("calendar.calendarList.list", status=503, count=2)

    listing = browser.get("/hosts/me/calendars")
    saving = choose(browser, [email, work], work)
    after = browser.get("/hosts/me/calendars")

    assert_problem(listing, 503, "temporarily-unavailable")
    assert listing.headers["Retry-After"]
    assert_problem(saving, 503, "temporarily-unavailable")
    assert after.status_code == 200, after.text
    assert (after.json()["conflict"], after.json()["write"]) == ([email], email)


def test_a_group_session_is_one_event_in_the_write_calendar_until_its_last_seat_goes(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=3)
    work = google.add_calendar(email, "Work")
    open_calendars_setting(browser, email)
    assert choose(browser, [email, work], work).status_code == 200
    start = day_ahead(6, 10)
    seats = [post_booking(api, booking_body(slug, start, who=f"Seat{i} Person")).json() for i in range(2)]
    google.drain_tasks()
    [session] = our_events_in(google, email, work)
    attendees = {attendee["email"] for attendee in session.get("attendees", [])}

    for seat in seats:
        headers = {"Authorization": f"Bearer {seat['manage_token']}"}
        assert requests.post(f"{api}/bookings/{seat['id']}/cancel", json={}, headers=headers, timeout=10).ok
    google.drain_tasks()

    assert len(attendees) == 2
    assert our_events_in(google, email) == []  # nothing in the primary calendar
    assert our_events_in(google, email, work) == []
    assert google.state()["foreign_events_read"] == 0
