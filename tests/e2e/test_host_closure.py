"""A host closing keeps faith with their invitees (issue 25, finding 4), over HTTP through the sandbox: deleting
the account (after a disconnect, or while connected) and disconnecting cancel every booking still to come, mail
each invitee exactly one cancellation whose .ics (METHOD:CANCEL) carries the UID of every file they had, delete
the Google events while a token still stands, and leave manage links that say the host closed their account.
Also: every .ics of a booking — mailed, downloaded, cancelled — carries one UID."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from typing import Any

import requests
from icalendar import Calendar

from sandbox.client import Mail
from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


def book(api: str, slug: str, start: datetime, who: str = "Ines Invitee") -> dict[str, Any]:
    body = booking_body(slug, start, who=who)
    response = post_booking(api, body)
    assert response.status_code == 201, response.text
    return {**response.json(), "email": body["invitee"]["email"]}


def auth(booked: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {booked['manage_token']}"}


def booked_three(api: str, browser: Browser, google: Google) -> tuple[str, list[dict[str, Any]]]:
    """A connected host (UTC, every day 09–17) with three bookings still to come, each confirmed by mail and in
    Google; returns the host's email and the bookings."""
    slug, host_email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    bookings = [book(api, slug, day_ahead(days, 10), who) for days, who in ((2, "Ana A"), (3, "Ben B"), (4, "Cy C"))]
    google.drain_tasks()
    assert len(our_events(google, host_email)) == 3
    return host_email, bookings


def calendar_file(google: Google, mail: Mail) -> Calendar:
    """The one .ics attached to a message, read from the message as the relay got it."""
    message = email.message_from_bytes(google.raw_mail(mail["id"]))
    (part,) = [p for p in message.walk() if str(p.get_filename() or "").endswith(".ics")]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def uid_and_sequence(calendar: Calendar) -> tuple[str, int]:
    (event,) = calendar.walk("VEVENT")
    return str(event["uid"]), int(str(event["sequence"]))


def cancellations(google: Google, to: str) -> list[Mail]:
    return [m for m in google.mail(to=to) if str(m["subject"]).startswith("Cancelled")]


def assert_told_once(google: Google, booked: dict[str, Any], because: str) -> None:
    """Exactly one cancellation, saying why, whose .ics cancels the entry the confirmation's .ics made."""
    (confirmation,) = [m for m in google.mail(to=booked["email"]) if str(m["subject"]).startswith("Confirmed")]
    (cancellation,) = cancellations(google, booked["email"])
    assert because in str(cancellation["text"])
    cancel = calendar_file(google, cancellation)
    assert str(cancel["method"]) == "CANCEL"
    (event,) = cancel.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    uid, sequence = uid_and_sequence(cancel)
    original_uid, original_sequence = uid_and_sequence(calendar_file(google, confirmation))
    assert uid == original_uid
    assert sequence > original_sequence


def erase_account(api: str, browser: Browser, google: Google) -> dict[str, Any]:
    started = browser.post("/privacy/erase")
    assert started.status_code == 202, started.text
    google.drain_tasks(timeout=40)
    receipt: dict[str, Any] = requests.get(f"{api}/privacy/erase/{started.json()['erasure_id']}", timeout=10).json()
    assert receipt["state"] == "done"
    return receipt


def assert_link_says_the_host_closed(api: str, booked: dict[str, Any]) -> None:
    response = requests.get(f"{api}/bookings/{booked['id']}", headers=auth(booked), timeout=10)
    body = assert_problem(response, 410, "host-account-closed")
    assert "closed their Kaleno account" in body["detail"]


def test_deleting_the_account_after_a_disconnect_tells_every_invitee_once_and_their_links_say_why(
    api: str, browser: Browser, google: Google
) -> None:
    host_email, bookings = booked_three(api, browser, google)

    disconnected = browser.post("/hosts/me/disconnect")
    google.drain_tasks()
    erase_account(api, browser, google)

    assert disconnected.status_code == 200, disconnected.text
    for booked in bookings:
        assert_told_once(google, booked, "can no longer take bookings")
        assert_link_says_the_host_closed(api, booked)
    assert our_events(google, host_email) == []  # deleted at the disconnect, while its token still stood


def test_deleting_a_connected_account_deletes_the_events_before_revoking_and_mails_each_invitee_once(
    api: str, browser: Browser, google: Google
) -> None:
    host_email, bookings = booked_three(api, browser, google)

    erase_account(api, browser, google)

    state = google.state()
    # Gone from Google: deleted while the grant stood (a delete after the revoke is refused by Google).
    assert our_events(google, host_email) == []
    assert state["calls"]["calendar.events.delete"] >= 3
    assert state["tokens"]["revoked"] >= 1
    for booked in bookings:
        assert_told_once(google, booked, "closed their Kaleno account")
        assert_link_says_the_host_closed(api, booked)


def test_an_erasure_retried_after_failing_halfway_sends_no_second_mail(
    api: str, browser: Browser, google: Google
) -> None:
    host_email, bookings = booked_three(api, browser, google)
    host_id = browser.get("/hosts/me").json()["id"]
    # The first booking's invitee is told, then deleting its event fails: the task is retried from there.
    google.fault("calendar.events.delete", status=503, count=1)

    receipt = erase_account(api, browser, google)
    settings = get_settings()
    url = f"{settings.function_url('privacy')}/tasks/erase"
    token = google.oidc_token(settings.target_url("privacy"), settings.tasks_service_account)
    again = requests.post(  # Cloud Tasks delivers at least once: the same task, delivered again
        url,
        json={"erasure_id": receipt["erasure_id"], "host_id": host_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )

    assert again.status_code == 200, again.text
    assert our_events(google, host_email) == []
    for booked in bookings:
        assert_told_once(google, booked, "closed their Kaleno account")


def test_disconnecting_cancels_each_booking_still_to_come_and_mails_each_invitee_once(
    api: str, browser: Browser, google: Google
) -> None:
    host_email, bookings = booked_three(api, browser, google)
    before = browser.get("/hosts/me/closing-impact").json()

    first = browser.post("/hosts/me/disconnect")
    again = browser.post("/hosts/me/disconnect")  # asked twice: nothing more happens
    google.drain_tasks()

    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text
    assert before == {"future_bookings": 3}
    assert browser.get("/hosts/me/closing-impact").json() == {"future_bookings": 0}
    assert our_events(google, host_email) == []
    for booked in bookings:
        assert_told_once(google, booked, "can no longer take bookings")
        shown = requests.get(f"{api}/bookings/{booked['id']}", headers=auth(booked), timeout=10).json()
        assert shown["status"] == "cancelled"  # kept (the account is not erased), and no longer held
    host_subjects = [str(m["subject"]) for m in google.mail(to=host_email)]
    assert not [s for s in host_subjects if s.startswith("Cancelled")]  # the host chose it: no notice per booking


def test_every_ics_of_a_booking_carries_one_uid_mailed_downloaded_and_cancelled(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    booked = book(api, slug, day_ahead(3, 10))
    google.drain_tasks()

    def downloaded() -> tuple[str, int]:
        response = requests.get(f"{api}/bookings/{booked['id']}/ics", headers=auth(booked), timeout=10)
        assert response.status_code == 200, response.text
        return uid_and_sequence(Calendar.from_ical(response.content))

    (confirmation,) = google.mail(to=booked["email"])
    confirmed = uid_and_sequence(calendar_file(google, confirmation))
    confirmed_download = downloaded()
    moved = requests.post(
        f"{api}/bookings/{booked['id']}/reschedule",
        json={"start": (day_ahead(3, 10) + timedelta(hours=2)).isoformat()},
        headers=auth(booked),
        timeout=10,
    )
    google.drain_tasks()
    (new_time,) = [m for m in google.mail(to=booked["email"]) if str(m["subject"]).startswith("New time")]
    rescheduled = uid_and_sequence(calendar_file(google, new_time))
    rescheduled_download = downloaded()
    erase_account(api, browser, google)
    (cancellation,) = cancellations(google, booked["email"])
    cancelled = uid_and_sequence(calendar_file(google, cancellation))

    assert moved.status_code == 200, moved.text
    assert confirmed == confirmed_download
    assert rescheduled == rescheduled_download
    assert confirmed[0] == rescheduled[0] == cancelled[0]
    assert confirmed[1] < rescheduled[1] < cancelled[1]


def test_a_group_seat_keeps_its_own_uid_in_every_file_and_its_cancellation(
    api: str, browser: Browser, google: Google
) -> None:
    slug, host_email = host_with_hours(browser, google, "UTC", EVERY_DAY, seats=3)
    start = day_ahead(3, 10)
    seats = [book(api, slug, start, who) for who in ("Ana A", "Ben B")]
    google.drain_tasks()

    disconnected = browser.post("/hosts/me/disconnect")
    google.drain_tasks()

    assert disconnected.status_code == 200, disconnected.text
    uids = set()
    for seat in seats:
        (confirmation,) = [m for m in google.mail(to=seat["email"]) if str(m["subject"]).startswith("Confirmed")]
        response = requests.get(f"{api}/bookings/{seat['id']}/ics", headers=auth(seat), timeout=10)
        mailed, downloaded = calendar_file(google, confirmation), Calendar.from_ical(response.content)
        assert uid_and_sequence(mailed)[0] == uid_and_sequence(downloaded)[0]
        assert_told_once(google, seat, "can no longer take bookings")
        uids.add(uid_and_sequence(mailed)[0])
    assert len(uids) == 2  # one entry per invitee, though the seats share one Google event
    assert our_events(google, host_email) == []
