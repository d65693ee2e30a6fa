"""The invitee serves themselves from the invite: the Google event carries their manage link, the link
opens the booking (with the page to reschedule on), and the .ics matches the booking."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import requests
from icalendar import Calendar

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.support import Browser, Google, host_with_hours


def test_the_invite_carries_a_manage_link_that_opens_the_booking(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    created = post_booking(api, booking_body(slug, day_ahead(3, 10))).json()
    google.drain_tasks()

    (event,) = our_events(google, email)
    link = re.search(r"Reschedule or cancel \(invitee\): (\S+)", event["description"])
    assert link is not None, event["description"]
    booking_id = re.search(r"[?&]booking=([^&#]+)", link.group(1))
    token = link.group(1).partition("#token=")[2]
    opened = requests.get(f"{api}/bookings/{created['id']}", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert link.group(1).startswith(f"{api}/manage?")
    assert booking_id is not None
    assert booking_id.group(1) == created["id"]
    assert token == created["manage_token"]
    assert opened.status_code == 200
    assert (opened.json()["host_slug"], opened.json()["event_type_slug"]) == (slug, "call")


def test_the_ics_file_parses_and_matches_the_booking(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    start = day_ahead(4, 11)
    created = post_booking(api, booking_body(slug, start)).json()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}

    answer = requests.get(f"{api}/bookings/{created['id']}/ics", headers=auth, timeout=10)
    requests.post(f"{api}/bookings/{created['id']}/cancel", json={}, headers=auth, timeout=10)
    after_cancel = requests.get(f"{api}/bookings/{created['id']}/ics", headers=auth, timeout=10)
    without_token = requests.get(f"{api}/bookings/{created['id']}/ics", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(minutes=30)
    assert str(event["uid"]) == f"kal{created['id']}@kaleno.app"
    assert str(event["status"]) == "CONFIRMED"
    assert created["manage_token"] in str(event["url"])
    assert event.decoded("dtstamp") <= datetime.now(UTC)
    (cancelled,) = Calendar.from_ical(after_cancel.content).walk("VEVENT")
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(str(cancelled["sequence"])) == 2  # a calendar importing it updates the same event
    assert without_token.status_code == 401
