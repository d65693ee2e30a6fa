"""The meeting itself, over HTTP through the sandbox: a Google Meet made with the event, booking questions
answered and shown, declines in Google, the host rescheduling, and the host's moves in Google resolved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from icalendar import Calendar

from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_calendar_sync import eventually, manage_view
from tests.support import Browser, Google, host_with_hours

QUESTIONS = [
    {"id": "company", "label": "Company", "kind": "short_text", "required": True},
    {"id": "topics", "label": "Topics", "kind": "multiple_choice", "options": ["Pricing", "API"], "required": True},
    {"id": "agree", "label": "I have read the agenda", "kind": "checkbox", "required": True},
]
ANSWERS = {"company": "Acme", "topics": ["API"], "agree": True}


@pytest.fixture
def meet_host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email = host_with_hours(
        browser, google, "UTC", EVERY_DAY, location={"kind": "google_meet"}, questions=QUESTIONS
    )
    return {"slug": slug, "email": email}


def host_bookings(browser: Browser, **params: str) -> list[dict[str, Any]]:
    listed = browser.get("/hosts/me/bookings", params=params)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["bookings"])


def test_a_meet_event_type_gets_a_meet_from_google_and_the_booking_carries_its_link(
    api: str, meet_host: dict[str, str], google: Google
) -> None:
    created = post_booking(api, booking_body(meet_host["slug"], day_ahead(3, 10), answers=ANSWERS))
    assert created.status_code == 201, created.text
    assert created.json()["location"] == {"kind": "google_meet", "value": None}
    google.drain_tasks()

    (event,) = our_events(google, meet_host["email"])
    view = manage_view(api, created.json())
    ics = requests.get(
        f"{api}/bookings/{view['id']}/ics",
        headers={"Authorization": f"Bearer {created.json()['manage_token']}"},
        timeout=10,
    )

    assert event["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    assert view["meeting_url"] == event["hangoutLink"]
    (vevent,) = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(vevent["location"]) == event["hangoutLink"]
    assert google.state()["foreign_events_read"] == 0


def test_answers_are_checked_shown_to_the_host_and_written_into_the_invite(
    api: str, meet_host: dict[str, str], google: Google, browser: Browser
) -> None:
    start = day_ahead(3, 11)
    missing = post_booking(api, booking_body(meet_host["slug"], start, answers={"company": "Acme"}))
    created = post_booking(api, booking_body(meet_host["slug"], start, answers=ANSWERS, notes="Bring numbers"))
    google.drain_tasks()

    assert missing.status_code == 422
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in missing.json()["errors"]} == {"answers.topics", "answers.agree"}
    assert created.status_code == 201, created.text
    (event,) = our_events(google, meet_host["email"])
    assert "Company: Acme\nTopics: API\nI have read the agenda: yes" in event["description"]
    (listed,) = host_bookings(browser)
    assert [(a["label"], a["value"]) for a in listed["answers"]] == [
        ("Company", "Acme"),
        ("Topics", ["API"]),
        ("I have read the agenda", True),
    ]
    assert listed["meeting_url"] == event["hangoutLink"]


def test_a_phone_call_to_the_invitee_asks_for_their_number_and_puts_it_in_the_invite(
    api: str, browser: Browser, google: Google
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, location={"kind": "phone"})
    page = requests.get(f"{api}/bookings/pages/{slug}/call", timeout=10).json()
    without = post_booking(api, booking_body(slug, day_ahead(3, 12)))
    created = post_booking(api, booking_body(slug, day_ahead(3, 12), invitee_phone="+44 20 7946 0958"))
    google.drain_tasks()

    assert (page["event_type"]["location_kind"], page["event_type"]["asks_invitee_phone"]) == ("phone", True)
    assert [error["field"] for error in without.json()["errors"]] == ["invitee_phone"]
    assert created.json()["location"] == {"kind": "phone", "value": "+44 20 7946 0958"}
    (event,) = our_events(google, email)
    assert event["location"] == "The host calls you on +44 20 7946 0958"


def test_declining_the_invite_in_google_cancels_the_booking_and_frees_the_slot(
    api: str, meet_host: dict[str, str], google: Google
) -> None:
    start = day_ahead(4, 10)
    body = booking_body(meet_host["slug"], start, answers=ANSWERS)
    created = post_booking(api, body).json()
    google.drain_tasks()

    google.patch_event(
        meet_host["email"],
        f"kal{created['id']}",
        {"attendees": [{"email": body["invitee"]["email"], "responseStatus": "declined"}]},
    )

    assert eventually(lambda: manage_view(api, created)["status"] == "cancelled")
    google.drain_tasks()
    assert our_events(google, meet_host["email"]) == []  # the host's calendar is free again
    assert post_booking(api, booking_body(meet_host["slug"], start, answers=ANSWERS)).status_code == 201


def test_the_host_reschedules_and_claims_and_the_event_follow(
    api: str, meet_host: dict[str, str], google: Google, browser: Browser
) -> None:
    old, new = day_ahead(5, 10), day_ahead(5, 14)
    created = post_booking(api, booking_body(meet_host["slug"], old, answers=ANSWERS)).json()
    google.drain_tasks()

    moved = browser.post(f"/hosts/me/bookings/{created['id']}/reschedule", json={"start": new.isoformat()})
    google.drain_tasks()

    assert moved.status_code == 200, moved.text
    (event,) = our_events(google, meet_host["email"])
    assert datetime.fromisoformat(event["start"]["dateTime"]) == new
    assert post_booking(api, booking_body(meet_host["slug"], new, answers=ANSWERS)).status_code == 409
    assert post_booking(api, booking_body(meet_host["slug"], old, answers=ANSWERS)).status_code == 201


def move_in_google(google: Google, email: str, booking_id: str, start: datetime) -> None:
    times = {"start": {"dateTime": start.isoformat()}, "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()}}
    google.patch_event(email, f"kal{booking_id}", times)


def test_a_host_move_onto_another_booking_waits_and_resolves_both_ways(
    api: str, meet_host: dict[str, str], google: Google, browser: Browser
) -> None:
    booked, other_time = day_ahead(6, 10), day_ahead(6, 13)
    mine = post_booking(api, booking_body(meet_host["slug"], booked, answers=ANSWERS)).json()
    other = post_booking(api, booking_body(meet_host["slug"], other_time, answers=ANSWERS)).json()
    google.drain_tasks()

    move_in_google(google, meet_host["email"], mine["id"], other_time)
    assert eventually(lambda: manage_view(api, mine)["status"] == "needs_attention")
    waiting = manage_view(api, mine)
    (flagged,) = host_bookings(browser, status="needs_attention")
    clash = browser.post(f"/hosts/me/bookings/{mine['id']}/resolve", json={"keep": "moved"})
    restored = browser.post(f"/hosts/me/bookings/{mine['id']}/resolve", json={"keep": "original"})
    google.drain_tasks()

    assert datetime.fromisoformat(flagged["moved_start"]) == other_time
    assert datetime.fromisoformat(waiting["start"]) == booked  # the invitee is told their time still stands
    assert "your booked time below still stands" in waiting["status_message"]
    assert clash.status_code == 409
    assert clash.json()["type"].endswith("/slot-taken")
    assert restored.status_code == 200, restored.text
    assert restored.json()["status"] == "confirmed"
    event = next(e for e in our_events(google, meet_host["email"]) if e["id"] == f"kal{mine['id']}")
    assert datetime.fromisoformat(event["start"]["dateTime"]) == booked  # put back in Google

    # Moved again onto the same clash, then the other booking is cancelled: the new time can be kept.
    move_in_google(google, meet_host["email"], mine["id"], other_time)
    assert eventually(lambda: manage_view(api, mine)["status"] == "needs_attention")
    auth = {"Authorization": f"Bearer {other['manage_token']}"}
    assert requests.post(f"{api}/bookings/{other['id']}/cancel", json={}, headers=auth, timeout=10).status_code == 200
    kept = browser.post(f"/hosts/me/bookings/{mine['id']}/resolve", json={"keep": "moved"})

    assert kept.status_code == 200, kept.text
    assert datetime.fromisoformat(kept.json()["start"]) == other_time
    assert post_booking(api, booking_body(meet_host["slug"], booked, answers=ANSWERS)).status_code == 201
    assert post_booking(api, booking_body(meet_host["slug"], other_time, answers=ANSWERS)).status_code == 409
