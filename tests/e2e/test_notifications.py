"""Kaleno's own mail over HTTP through the sandbox's SMTP relay: one confirmation (with an .ics) and one
host notice per booking, notices for reschedules and cancellations, a relay outage that delays without
losing or duplicating, a reminder, and one alert when the host's Google access is revoked."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
import requests
from icalendar import Calendar

from shared.adapters.google_clients import tasks_client
from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours

ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email_address = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    return {"slug": slug, "email": email_address}


def subjects(google: Google, to: str) -> list[str]:
    return [str(message["subject"]) for message in google.mail(to=to)]


def ics_of(google: Google, mail_id: int) -> Calendar:
    message: Message = email.message_from_bytes(google.raw_mail(mail_id))
    (part,) = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def test_a_booking_sends_one_confirmation_with_an_ics_and_one_host_notice(
    api: str, host: dict[str, str], google: Google
) -> None:
    start = day_ahead(3, 10)
    body = booking_body(host["slug"], start, notes="Agenda attached")
    created = post_booking(api, body).json()
    google.drain_tasks()

    invitee = body["invitee"]["email"]
    (confirmation,) = google.mail(to=invitee)
    (notice,) = google.mail(to=host["email"])
    assert str(confirmation["subject"]).startswith("Confirmed: Call with ")
    assert confirmation["attachments"] == ["invite.ics"]
    assert f"/manage?booking={created['id']}&action=reschedule#token=" in str(confirmation["text"])
    assert f"/manage?booking={created['id']}&amp;action=cancel#token=" in str(confirmation["html"])  # a button
    (event,) = ics_of(google, confirmation["id"]).walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert str(notice["subject"]).startswith("New booking: Call with Ines Invitee")
    assert "Note: Agenda attached" in str(notice["text"])
    assert "#token=" not in str(notice["text"])  # the manage link is the invitee's alone
    assert google.state()["calls"].get("smtp.send") == 2


def test_reschedule_and_cancel_notify_both(api: str, host: dict[str, str], google: Google) -> None:
    body = booking_body(host["slug"], day_ahead(4, 10))
    created = post_booking(api, body).json()
    google.drain_tasks()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}

    moved = requests.post(
        f"{api}/bookings/{created['id']}/reschedule",
        json={"start": day_ahead(4, 12).isoformat()},
        headers=auth,
        timeout=10,
    )
    google.drain_tasks()
    requests.post(f"{api}/bookings/{created['id']}/cancel", json={"reason": "Travel"}, headers=auth, timeout=10)
    google.drain_tasks()

    assert moved.status_code == 200
    invitee = body["invitee"]["email"]
    assert [s.split(":")[0] for s in subjects(google, invitee)] == ["Confirmed", "New time", "Cancelled"]
    assert [s.split(":")[0] for s in subjects(google, host["email"])] == ["New booking", "Rescheduled", "Cancelled"]
    assert all("Reason: Travel" in str(m["text"]) for m in google.mail() if str(m["subject"]).startswith("Cancelled"))


def test_a_relay_outage_delays_mail_without_losing_or_duplicating_it(
    api: str, host: dict[str, str], google: Google
) -> None:
    google.fault("smtp.send", status=451, count=2)  # the relay refuses twice, then recovers
    body = booking_body(host["slug"], day_ahead(5, 10))

    post_booking(api, body)
    google.drain_tasks(timeout=40)

    assert len(google.mail(to=body["invitee"]["email"])) == 1
    assert len(google.mail(to=host["email"])) == 1
    assert google.state()["calls"]["smtp.send"] == 4  # two refused, then one each


def test_a_reminder_arrives_once_and_never_for_a_booking_cancelled_before(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", ALL_DAY, reminder_minutes_before=120)
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=40)
    soon -= timedelta(minutes=soon.minute % 30)  # on the half-hour grid, 10 to 40 minutes ahead
    kept, dropped = booking_body(slug, soon), booking_body(slug, soon + timedelta(minutes=30), who="Otto Other")

    settings = get_settings()
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"

    post_booking(api, kept)
    google.drain_tasks()  # the confirmation, then the reminder it scheduled (already due: the lead is longer)
    tasks_client(settings).pause_queue(name=queue)  # the next booking is cancelled before any of its mail goes
    gone = post_booking(api, dropped).json()
    auth = {"Authorization": f"Bearer {gone['manage_token']}"}
    requests.post(f"{api}/bookings/{gone['id']}/cancel", json={}, headers=auth, timeout=10)
    tasks_client(settings).resume_queue(name=queue)
    google.drain_tasks()

    kept_subjects = [s.split(":")[0] for s in subjects(google, kept["invitee"]["email"])]
    assert kept_subjects == ["Confirmed", "Reminder"]
    assert [s.split(":")[0] for s in subjects(google, dropped["invitee"]["email"])] == ["Cancelled"]


def test_revoking_the_grant_sends_the_host_one_alert(
    api: str, host: dict[str, str], google: Google, browser: Browser
) -> None:
    google.revoke_all(host["email"])
    for hour in (10, 11):  # two bookings: two syncs that find access gone, one incident
        post_booking(api, booking_body(host["slug"], day_ahead(6, hour)))
    google.drain_tasks()

    alerts = [m for m in google.mail(to=host["email"]) if str(m["subject"]).startswith("Action needed")]
    assert len(alerts) == 1
    assert "/oauth/start" in str(alerts[0]["text"])
    assert browser.get("/hosts/me").json()["connection"]["reason"] == "google_access_revoked"
