"""A host closing, against dict-backed fakes: each booking still to come cancelled and its invitee mailed once
(a METHOD:CANCEL of the booking's UID), resumable after a relay outage, nothing more the second time, a
tombstone its manage link answers 410 from, purged after its period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from shared.domain.booking import Booking, BookingStatus, Invitee, SyncState
from shared.domain.errors import BookingNotFound, HostAccountClosed
from shared.services.booking import authorized_booking
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.services.closure import close_future_bookings, future_bookings, leave_tombstones
from shared.services.errors import CalendarAccessRevoked, MailDeferred
from shared.services.ics import ORGANIZER, booking_uid
from shared.services.notifications import NotifyBooking, notify
from shared.services.onboarding import Disconnect, disconnect
from shared.services.privacy import Erase, RunHostErasure, erase, run_host_erasure
from shared.services.records import Erasure, OutgoingMail
from shared.services.retention import RetentionPeriods, purge_expired
from tests.unit import fakes
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)
KEPT = timedelta(days=90)


def a_booking(booking_id: str, start: datetime = START, **fields: object) -> Booking:
    invitee = Invitee(name=f"Ines {booking_id}", email=f"{booking_id}@example.org", time_zone="UTC")
    return fakes.a_booking(start, **{"id": booking_id, "invitee": invitee, **fields})


def ports_with(*bookings: Booking) -> FakePorts:
    """A connected host whose bookings are in Google already."""
    ports = FakePorts()
    given(ports.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=bookings)
    ports.secrets.store_refresh_token("h1", "refresh-token")
    for booking in bookings:
        reconcile_booking(ReconcileBooking(booking.id, booking.version), ports.at(NOW))
    return ports


def stored(ports: FakePorts, booking_id: str) -> Booking:
    booking = ports.uow().bookings.get(booking_id)
    assert booking is not None
    return booking


def cancel_file(mail: OutgoingMail) -> Calendar:
    (attachment,) = mail.attachments
    assert attachment.content_type == "text/calendar; method=CANCEL"
    return Calendar.from_ical(attachment.data)


def test_a_disconnect_cancels_each_booking_to_come_mails_its_invitee_once_and_deletes_it_before_revoking() -> None:
    ports = ports_with(a_booking("b1"), a_booking("b2", START + timedelta(hours=2)))

    disconnect(Disconnect("h1"), ports.at(NOW))
    disconnect(Disconnect("h1"), ports.at(NOW))  # asked again: nothing more

    assert [mail.to for mail in ports.mailer.sent] == ["b1@example.org", "b2@example.org"]
    assert "can no longer take bookings" in ports.mailer.sent[0].text
    (event,) = cancel_file(ports.mailer.sent[0]).walk("VEVENT")
    assert str(event["uid"]) == booking_uid(stored(ports, "b1"))
    assert int(str(event["sequence"])) == stored(ports, "b1").version == 2
    assert str(event["organizer"]) == ORGANIZER  # as in every file before it: calendars match both
    assert ports.calendar.events == {}  # deleted while the token stood
    assert ports.google.revoked == ["refresh-token"]
    for booking_id in ("b1", "b2"):
        booking = stored(ports, booking_id)
        assert (booking.status, booking.closure, booking.sync_state) == (
            BookingStatus.CANCELLED,
            "host_disconnected",
            SyncState.SYNCED,
        )
    assert future_bookings("h1", ports.at(NOW)) == []


def test_the_ordinary_notice_task_stays_silent_for_a_closed_booking() -> None:
    ports = ports_with(a_booking("b1"))
    disconnect(Disconnect("h1"), ports.at(NOW))
    ports.time = NOW

    outcome = notify(NotifyBooking("b1", 2), ports)

    assert outcome == "closure"
    assert len(ports.mailer.sent) == 1


def test_a_relay_outage_halfway_resumes_without_a_second_mail() -> None:
    ports = ports_with(a_booking("b1"), a_booking("b2", START + timedelta(hours=2)))
    original_send = ports.mailer.send
    sent_before_outage: list[str] = []

    def send_once_then_defer(mail: OutgoingMail) -> None:
        if sent_before_outage:
            raise MailDeferred("relay answered 451")
        original_send(mail)
        sent_before_outage.append(mail.to)

    ports.mailer.send = send_once_then_defer  # type: ignore[method-assign]
    with pytest.raises(MailDeferred):
        close_future_bookings("h1", "account_closed", NOW, ports)
    ports.mailer.send = original_send  # type: ignore[method-assign]
    close_future_bookings("h1", "account_closed", NOW, ports)

    assert [mail.to for mail in ports.mailer.sent] == ["b1@example.org", "b2@example.org"]
    assert ports.calendar.events == {}


def test_a_grant_already_gone_still_tells_the_invitee_and_leaves_the_sync_for_a_reconnect() -> None:
    ports = ports_with(a_booking("b1"))
    ports.calendar.failure = CalendarAccessRevoked("h1")

    close_future_bookings("h1", "account_closed", NOW, ports)

    assert [mail.to for mail in ports.mailer.sent] == ["b1@example.org"]
    assert "closed their Kaleno account" in ports.mailer.sent[0].text
    booking = stored(ports, "b1")
    assert (booking.sync_state, booking.sync_error) == (SyncState.FAILED, "host_not_connected")


def test_an_erasure_after_a_disconnect_mails_nobody_twice_and_leaves_only_tombstones() -> None:
    ports = ports_with(a_booking("b1"))
    token = "b1.mac"  # its MAC is checked at the edge (shared/web/auth.py); the service matches the id
    disconnect(Disconnect("h1"), ports.at(NOW))
    ports.time = NOW
    erasure = erase(Erase(a_host()), ports)
    assert isinstance(erasure, Erasure)

    run_host_erasure(RunHostErasure(erasure.id, "h1", KEPT), ports)
    run_host_erasure(RunHostErasure(erasure.id, "h1", KEPT), ports)  # the task delivered again

    assert len(ports.mailer.sent) == 1
    closed = ports.uow().audit.closed_booking("b1")
    assert closed is not None
    assert closed.expires_at == START + timedelta(minutes=30) + KEPT
    with pytest.raises(HostAccountClosed, match="closed their Kaleno account"):
        authorized_booking("b1", token, ports.uow())
    with pytest.raises(BookingNotFound) as other:
        authorized_booking("b1", "b9.mac", ports.uow())  # a token naming another booking learns nothing
    assert not isinstance(other.value, HostAccountClosed)


def test_tombstones_go_once_past_their_period() -> None:
    ports = ports_with(a_booking("b1"))
    leave_tombstones("h1", NOW, KEPT, ports.uow())
    periods = RetentionPeriods(
        bookings=timedelta(days=365), audit_entries=timedelta(days=730), erasure_receipts=timedelta(days=1095)
    )

    before = purge_expired(periods, ports.at(START + KEPT))
    after = purge_expired(periods, ports.at(START + KEPT + timedelta(days=1)))

    assert (before["closed_bookings_deleted"], after["closed_bookings_deleted"]) == (0, 1)
    assert ports.uow().audit.closed_booking("b1") is None
