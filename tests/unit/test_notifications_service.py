"""Kaleno's own mail against fakes: one notice per change and person, reminders checked when they run,
one alert per incident, and a relay outage that delays without losing or duplicating."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from shared.config import get_settings
from shared.domain.booking import Booking, MailState
from shared.domain.event_type import EventType
from shared.domain.host import Connection, ConnectionState
from shared.services import messages
from shared.services import notifications as mail
from shared.services.booking import Book, book
from shared.services.booking_sync import ReconcileBooking, reconcile_task
from shared.services.errors import MailDeferred
from tests.unit.fakes import FakePorts, a_host, a_page, given
from tests.unit.test_booking_service import NOW, START, a_request, host_cancels, host_moves

CALL = EventType(slug="intro", title="Intro call", duration_minutes=30, reminder_minutes_before=60)


@pytest.fixture
def ports() -> FakePorts:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": a_page(event_types={"et1": CALL}, synced_at=NOW)})
    return ports


def run_mail_tasks(ports: FakePorts, now: datetime = NOW) -> list[str]:
    """Deliver every task enqueued so far (each once), in order: a booking version's sync writes Google
    and asks for its notices, which are sent; the notices' outcomes."""
    outcomes, done = [], 0
    while done < len(ports.tasks.enqueued):
        function, payload, _ = ports.tasks.enqueued[done]
        done += 1
        if function == mail.QUEUE_FUNCTION:
            outcomes.append(deliver(ports, payload, now))
        elif function == "calendar_sync":
            sync(ports, payload, now)
    return outcomes


def run_sync_tasks(ports: FakePorts) -> None:
    for function, payload, _ in list(ports.tasks.enqueued):
        if function == "calendar_sync":
            sync(ports, payload)


def sync(ports: FakePorts, payload: dict[str, Any], now: datetime = NOW) -> str:
    booking_id, version = payload["booking_id"], payload["version"]
    return reconcile_task(ReconcileBooking(booking_id, version), ports.at(now))


def deliver(ports: FakePorts, payload: dict[str, Any], now: datetime = NOW) -> str:
    ports.time = now
    if payload["action"] == "notify_booking":
        return mail.notify(mail.NotifyBooking(payload["booking_id"], payload["version"], retries=2), ports)
    if payload["action"] == "remind":
        return mail.remind(mail.SendReminder(payload["booking_id"], payload["start"]), ports)
    return mail.alert_host(mail.AlertHost(payload["host_id"], payload["incident"]), ports)


def manage_token(ports: FakePorts, booking_id: str) -> str:
    """The booking's manage token, as its manage link carries it (in the fragment)."""
    return ports.links.manage(booking_id).partition("#token=")[2]


def booked(ports: FakePorts) -> Booking:
    return book(Book(a_request(), None), ports).booking


def test_a_booking_sends_one_confirmation_with_an_ics_and_one_host_notice(ports: FakePorts) -> None:
    booking = booked(ports)

    run_mail_tasks(ports)

    to_invitee, to_host = ports.mailer.sent
    assert (to_invitee.to, to_host.to) == ("ines@example.org", "ada@example.com")
    assert to_invitee.subject.startswith("Confirmed: Intro call with Ada, Monday, 8 March 2027, 11:00–11:30")
    token = manage_token(ports, booking.id)
    assert f"#token={token}" in to_invitee.text
    (invite,) = to_invitee.attachments
    (event,) = Calendar.from_ical(invite.data).walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert token not in to_host.text  # the manage link is the invitee's alone


def test_a_task_delivered_twice_sends_once(ports: FakePorts) -> None:
    booked(ports)
    run_sync_tasks(ports)
    payload = next(p for f, p, _ in ports.tasks.enqueued if f == mail.QUEUE_FUNCTION)

    first, again = deliver(ports, payload), deliver(ports, payload)

    assert (first, again) == ("sent", "sent")
    assert len(ports.mailer.sent) == 2


def test_a_relay_outage_delays_mail_and_loses_nothing(ports: FakePorts) -> None:
    booked(ports)
    run_sync_tasks(ports)
    ports.mailer.deferrals = 1
    payload = next(p for f, p, _ in ports.tasks.enqueued if f == mail.QUEUE_FUNCTION)

    with pytest.raises(MailDeferred):
        deliver(ports, payload)  # Cloud Tasks retries it
    deliver(ports, payload)

    assert [m.to for m in ports.mailer.sent] == ["ines@example.org", "ada@example.com"]


def test_reschedule_and_cancel_tell_both_with_the_reason(ports: FakePorts) -> None:
    booking = booked(ports)
    moved = host_moves(ports, booking, START + timedelta(hours=2))
    host_cancels(ports, moved, "Double-booked on my side")

    run_mail_tasks(ports)

    subjects = [m.subject.split(":")[0] for m in ports.mailer.sent]
    assert subjects == ["Cancelled", "Cancelled"]  # earlier versions were superseded before they ran
    assert all("Reason: Double-booked on my side" in m.text for m in ports.mailer.sent)


def test_a_reminder_is_sent_once_at_its_lead_time_and_not_for_a_cancelled_booking(ports: FakePorts) -> None:
    booking = booked(ports)
    run_mail_tasks(ports)
    (reminder_task,) = [p for f, p, _ in ports.tasks.enqueued if p.get("action") == "remind"]
    due = START - timedelta(minutes=60)

    early = deliver(ports, reminder_task, now=due - timedelta(hours=1))
    on_time = deliver(ports, reminder_task, now=due)
    again = deliver(ports, reminder_task, now=due + timedelta(minutes=1))
    host_cancels(ports, booking, None)
    after_cancel = deliver(ports, reminder_task, now=due)

    assert (early, on_time, again, after_cancel) == ("not_yet", "sent", "not_needed", "not_needed")
    assert [m.subject.split(":")[0] for m in ports.mailer.sent].count("Reminder") == 1


def test_a_reminder_far_ahead_hops_within_the_task_queues_reach(ports: FakePorts) -> None:
    far_off = booked(ports).model_copy(update={"start": NOW + timedelta(days=60), "end": NOW + timedelta(days=61)})
    ports.tasks.enqueued.clear()

    mail.remind_later(far_off, NOW, ports.tasks)

    ((_, payload, name),) = ports.tasks.enqueued
    assert name is not None
    assert name.endswith(str(int((NOW + mail.MAX_TASK_DELAY).timestamp())))
    assert payload["start"] == int(far_off.start.timestamp())


def test_losing_calendar_access_alerts_the_host_once_per_incident(ports: FakePorts) -> None:
    since = NOW - timedelta(minutes=1)
    revoked = Connection(state=ConnectionState.DISCONNECTED, reason="google_access_revoked", since=since)
    lost = a_host().with_connection(revoked)
    given(ports.db, hosts=[lost.model_copy(update={"id": "h2", "slug": "lost"})])
    host = ports.uow().hosts.get("h2")
    assert host is not None

    assert mail.alert_host_later(host, ports.tasks)
    assert not mail.alert_host_later(host, ports.tasks)  # the same incident's task exists
    (payload,) = [p for f, p, _ in ports.tasks.enqueued if p["action"] == "alert_host"]
    outcomes = [deliver(ports, payload), deliver(ports, payload)]

    assert outcomes == ["sent", "already_sent"]
    (alert,) = ports.mailer.sent
    assert alert.subject == "Action needed: reconnect your calendar to Kaleno"
    assert f"Reconnect: {get_settings().base_url.rstrip('/')}/oauth/start" in alert.text


def test_mail_is_built_with_every_value_escaped(ports: FakePorts) -> None:
    request = a_request(notes="<script>alert(1)</script>")
    book(Book(request, None), ports)

    run_mail_tasks(ports)

    host_notice = ports.mailer.sent[1]
    assert "<script>" not in host_notice.html
    assert "&lt;script&gt;" in host_notice.html


def test_a_refused_confirmation_is_failed_and_alerts_the_host_once(ports: FakePorts) -> None:
    booking = booked(ports)
    ports.mailer.refusals = 1  # the relay refuses the invitee's confirmation for good

    outcomes = run_mail_tasks(ports)
    alert_task = next(p for f, p, _ in ports.tasks.enqueued if p.get("action") == "alert_host")
    again = deliver(ports, alert_task)

    stored = ports.uow().bookings.get(booking.id)
    assert stored is not None
    assert stored.confirmation_mail is MailState.FAILED
    assert outcomes[:2] == ["sent", "sent"]  # the notice task (a refusal is not retried), then the alert
    assert again == "already_sent"
    to_host, alert = ports.mailer.sent
    assert (to_host.to, alert.to) == ("ada@example.com", "ada@example.com")
    assert alert.subject == "Action needed: Ines did not get the confirmation for Intro call"
    assert "ines@example.org" in alert.text  # the host needs the address to reach them


def test_the_confirmation_state_follows_each_change(ports: FakePorts) -> None:
    booking = booked(ports)
    run_mail_tasks(ports)
    sent = ports.uow().bookings.get(booking.id)
    assert sent is not None

    moved = host_moves(ports, sent, START + timedelta(hours=2))

    assert sent.confirmation_mail is MailState.SENT
    assert moved.confirmation_mail is MailState.PENDING
    run_mail_tasks(ports)
    after = ports.uow().bookings.get(booking.id)
    assert after is not None
    assert after.confirmation_mail is MailState.SENT


def test_without_a_relay_the_confirmation_is_not_sent(ports: FakePorts) -> None:
    booking = booked(ports)
    run_sync_tasks(ports)
    payload = next(p for f, p, _ in ports.tasks.enqueued if f == mail.QUEUE_FUNCTION)

    no_relay = replace(ports, mailer=None, time=NOW)  # type: ignore[arg-type]

    outcome = mail.notify(mail.NotifyBooking(booking.id, 1), no_relay)

    stored = ports.uow().bookings.get(booking.id)
    assert stored is not None
    assert (outcome, payload["booking_id"]) == ("mail_not_configured", booking.id)
    assert stored.confirmation_mail is MailState.NOT_SENT


def test_the_buttons_link_the_manage_page_at_its_step_and_no_link_is_shown_as_text(ports: FakePorts) -> None:
    booked(ports)

    run_mail_tasks(ports)

    to_invitee = ports.mailer.sent[0]
    booking_id = to_invitee.message_id.split(".")[0].removeprefix("<")
    page = f"{get_settings().base_url.rstrip('/')}/manage?booking={booking_id}"
    fragment = f"#token={manage_token(ports, booking_id)}"
    assert f'href="{page}&amp;action=reschedule{fragment}"' in to_invitee.html
    assert f'href="{page}&amp;action=cancel{fragment}"' in to_invitee.html
    assert ">http" not in to_invitee.html  # links are buttons, never raw URLs as text
    assert f"Reschedule: {page}&action=reschedule{fragment}" in to_invitee.text  # the plain-text twin spells them out
    assert "<style" not in to_invitee.html  # inlined: mail clients drop style blocks


def test_the_manage_link_takes_its_action_before_the_token_fragment() -> None:
    link = "https://kaleno.example/manage?booking=b1#token=b1.mac"

    assert messages.with_action(link, "cancel") == "https://kaleno.example/manage?booking=b1&action=cancel#token=b1.mac"
