"""Keeping the host's Google Calendar in step with the bookings, against dict-backed fakes (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.config import get_settings
from shared.domain.booking import DECLINED_IN_GOOGLE, Booking, BookingStatus, SyncState
from shared.domain.errors import ClaimConflict
from shared.domain.host import ConnectionState, HostSync
from shared.services import booking as booking_service
from shared.services.booking_sync import ReconcileBooking, reconcile_booking, reconcile_task
from shared.services.busy_refresh import check_our_events
from shared.services.channels import start_watching
from shared.services.errors import CalendarAccessRevoked, GoogleUnavailable
from shared.services.records import OurEvent
from tests.unit.fakes import AuditEntry, FakePorts, a_host, a_page, given
from tests.unit.fakes import a_booking as booking_of_h1

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)


def a_booking(**fields: Any) -> Booking:
    return booking_of_h1(**{"start": START, **fields})


def ports_with(booking: Booking, state: ConnectionState = ConnectionState.CONNECTED) -> FakePorts:
    ports = FakePorts(time=NOW)
    host = a_host(state=state).model_copy(update={"sync": HostSync(events_checked_at=NOW - timedelta(hours=1))})
    given(ports.db, hosts=[host], pages={"ada": a_page()}, bookings=[booking])
    return ports


def reconcile(ports: FakePorts, version: int = 1) -> str:
    return reconcile_booking(ReconcileBooking("b1", version), ports.at(NOW))


def stored_booking(ports: FakePorts) -> Booking:
    booking = ports.uow().bookings.get("b1")
    assert booking is not None
    return booking


def test_first_delivery_inserts_and_records_the_synced_version() -> None:
    ports = ports_with(a_booking())

    outcome = reconcile(ports)

    assert outcome == "synced"
    assert ports.calendar.calls == ["insert"]
    booking = stored_booking(ports)
    assert (booking.sync_state, booking.synced_version, booking.sync_error) == (SyncState.SYNCED, 1, None)


def test_a_redelivered_task_after_sync_makes_no_google_call() -> None:
    ports = ports_with(a_booking(synced_version=1))

    outcome = reconcile(ports)

    assert outcome == "already_synced"
    assert ports.calendar.calls == []


def test_an_insert_that_already_landed_is_matched_with_a_patch() -> None:
    ports = ports_with(a_booking())
    ports.calendar.events["kalb1"] = a_booking()

    outcome = reconcile(ports)

    assert outcome == "synced"
    assert ports.calendar.calls == ["insert", "patch"]


def test_a_task_for_an_older_version_leaves_the_work_to_the_newer_one() -> None:
    ports = ports_with(a_booking(version=3))

    outcome = reconcile(ports, version=2)

    assert outcome == "superseded"
    assert ports.calendar.calls == []


def test_a_cancelled_booking_deletes_its_event() -> None:
    ports = ports_with(a_booking(status=BookingStatus.CANCELLED, version=2, synced_version=1))
    ports.calendar.events["kalb1"] = a_booking()

    outcome = reconcile(ports, version=2)

    assert outcome == "synced"
    assert ports.calendar.events == {}


def test_a_disconnected_host_fails_the_sync_without_calling_google() -> None:
    ports = ports_with(a_booking(), ConnectionState.DISCONNECTED)

    outcome = reconcile(ports)

    assert outcome == "host_not_connected"
    assert ports.calendar.calls == []
    booking = stored_booking(ports)
    assert (booking.sync_state, booking.synced_version, booking.sync_error) == (
        SyncState.FAILED,
        0,
        "host_not_connected",
    )


def test_revoked_access_disconnects_the_host_once() -> None:
    ports = ports_with(a_booking())
    ports.secrets.store_refresh_token("h1", "refresh-token-1")
    ports.calendar.failure = CalendarAccessRevoked("h1")

    first = reconcile(ports)
    second = reconcile(ports)

    assert (first, second) == ("host_not_connected", "host_not_connected")
    host = ports.uow().hosts.get("h1")
    assert host is not None
    assert host.connection.state is ConnectionState.DISCONNECTED
    assert [entry.action for entry in ports.db.where("audit", AuditEntry).values()] == ["calendar_access_revoked"]
    assert ports.calendar.calls == ["insert"]
    assert ports.secrets.refresh_tokens == {}
    alerts = [payload for _, payload, _ in ports.tasks.enqueued if payload.get("action") == "alert_host"]
    assert [alert["host_id"] for alert in alerts] == ["h1"]  # the host is told once


def test_access_lost_while_the_host_signs_in_only_marks_them_disconnected() -> None:
    ports = ports_with(a_booking())
    ports.secrets.store_refresh_token("h1", "refresh-token-1")
    ports.calendar.failure = CalendarAccessRevoked("h1")

    watching = start_watching("h1", ports.at(NOW))

    host = ports.uow().hosts.get("h1")
    assert watching is False
    assert host is not None
    assert host.connection.state is ConnectionState.DISCONNECTED
    assert ports.secrets.refresh_tokens == {"h1": "refresh-token-1"}  # the sign-in's own grant is kept...
    assert ports.tasks.enqueued == []  # ...and no alert mails the host who is on the page


def test_google_being_unavailable_is_retried_until_the_queues_last_attempt() -> None:
    ports = ports_with(a_booking())
    ports.calendar.failure = GoogleUnavailable(503, None)

    with pytest.raises(GoogleUnavailable, match="503"):
        reconcile_task(ReconcileBooking("b1", 1), ports.at(NOW))
    outcome = reconcile_task(ReconcileBooking("b1", 1, retries=5, last_attempt=True), ports.at(NOW))

    assert outcome == "gave_up"
    booking = stored_booking(ports)
    assert (booking.sync_state, booking.sync_error) == (SyncState.FAILED, "gave_up_after_retries")


def test_a_task_that_arrives_before_its_bookings_commit_is_asked_again_then_ends() -> None:
    ports = ports_with(a_booking(synced_version=1))

    for early_retry in (0, 1):  # enqueued alongside the commit, the task may come first
        with pytest.raises(GoogleUnavailable):
            reconcile_task(ReconcileBooking("never", 1, retries=early_retry), ports.at(NOW))
    outcome = reconcile_task(ReconcileBooking("never", 1, retries=2), ports.at(NOW))

    assert outcome == "gone"  # the commit lost: nothing to do, nothing written
    assert ports.calendar.calls == []


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (OurEvent(booking_id="b1", cancelled=True, start=None, end=None), BookingStatus.CANCELLED_BY_HOST),
        (
            OurEvent(booking_id="b1", cancelled=False, start=START, end=START + timedelta(minutes=30)),
            BookingStatus.CONFIRMED,
        ),
    ],
)
def test_host_edits_of_our_events_change_the_booking_without_writing_back(
    event: OurEvent, expected: BookingStatus
) -> None:
    ports = ports_with(a_booking(synced_version=1))
    ports.calendar.changed = [event]
    host = ports.uow().hosts.get("h1")
    assert host is not None

    check_our_events(host, NOW, ports)

    booking = stored_booking(ports)
    assert booking.status is expected
    assert booking.synced_version == booking.version
    assert ports.calendar.calls == ["list"]


def moved_event(hours: int, booking_id: str = "b1") -> OurEvent:
    start = START + timedelta(hours=hours)
    return OurEvent(booking_id=booking_id, cancelled=False, start=start, end=start + timedelta(minutes=30))


def host_checks_events(ports: FakePorts, *events: OurEvent) -> int:
    ports.calendar.changed = list(events)
    host = ports.uow().hosts.get("h1")
    assert host is not None
    return check_our_events(host, NOW, ports)


def test_a_booking_the_host_moved_onto_free_time_follows_with_its_claims() -> None:
    ports = ports_with(a_booking(synced_version=1, day_claim="h1:day20270308:1"))

    assert host_checks_events(ports, moved_event(hours=2)) == 1

    booking = stored_booking(ports)
    assert (booking.status, booking.start) == (BookingStatus.CONFIRMED, START + timedelta(hours=2))
    assert booking.version == booking.synced_version == 2  # a new version (the ICS sequence), nothing to write
    assert ports.db.ids("claims") == set(booking.claims())
    assert all(claim.startswith("h1:20270308T12") for claim in ports.db.ids("claims"))  # the day place is given up
    assert ports.calendar.calls == ["list"]


def test_a_move_onto_another_bookings_time_waits_for_the_host_and_resolves_both_ways() -> None:
    ports = ports_with(a_booking(synced_version=1))
    other = a_booking(id="b2", start=START + timedelta(hours=2), end=START + timedelta(hours=2, minutes=30))
    given(ports.db, bookings=[other.model_copy(update={"occupied_start": other.start, "occupied_end": other.end})])
    claims_before = ports.db.ids("claims")
    ports.calendar.events["kalb1"] = stored_booking(ports)

    host_checks_events(ports, moved_event(hours=2))

    booking = stored_booking(ports)
    assert (booking.status, booking.start) == (BookingStatus.NEEDS_ATTENTION, START)  # keeps its time and claims
    assert booking.moved_start == START + timedelta(hours=2)
    assert ports.db.ids("claims") == claims_before
    with pytest.raises(ClaimConflict, match="overlaps another booking"):
        resolve_as_host(ports, booking.id, keep_moved=True)

    restored = resolve_as_host(ports, booking.id, keep_moved=False)
    assert (restored.status, restored.start, restored.moved_start) == (BookingStatus.CONFIRMED, START, None)
    assert restored.version == 2
    assert restored.sync_state is SyncState.PENDING  # the event goes back in Google
    assert reconcile(ports, version=2) == "synced"
    assert ports.calendar.events[restored.google_event_id].start == START


def test_confirming_the_moved_time_once_it_is_free_moves_the_claims() -> None:
    ports = ports_with(a_booking(synced_version=1))
    other = a_booking(id="b2", start=START + timedelta(hours=2), end=START + timedelta(hours=2, minutes=30))
    given(ports.db, bookings=[other.model_copy(update={"occupied_start": other.start, "occupied_end": other.end})])
    host_checks_events(ports, moved_event(hours=2))
    booking_service.cancel(booking_service.CancelBooking(other.id, None, booking_service.ByHost(other.host_id)), ports)

    confirmed = resolve_as_host(ports, stored_booking(ports).id, keep_moved=True)

    assert (confirmed.status, confirmed.start) == (BookingStatus.CONFIRMED, START + timedelta(hours=2))
    assert confirmed.synced_version == confirmed.version  # Google already shows that time
    assert set(confirmed.claims()) <= ports.db.ids("claims")


def test_an_invitee_declining_in_google_cancels_and_removes_the_event() -> None:
    ports = ports_with(a_booking(synced_version=1))
    declined = OurEvent(booking_id="b1", cancelled=False, start=START, end=START + timedelta(minutes=30), declined=True)
    ports.calendar.events["kalb1"] = stored_booking(ports)

    host_checks_events(ports, declined)

    booking = stored_booking(ports)
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, DECLINED_IN_GOOGLE)
    assert ports.db.ids("claims") == set()
    assert ports.tasks.names_for("calendar_sync") == ["booking-b1-v2"]  # its own sync removes the event
    outcome = reconcile_task(ReconcileBooking("b1", 2), ports.at(NOW))
    assert outcome == "synced"
    assert ports.tasks.names_for("notifications") == ["notify-b1-v2"]  # the host is told, by the sync
    assert "kalb1" not in ports.calendar.events


def test_a_meet_link_google_created_later_is_kept_without_a_new_version() -> None:
    ports = ports_with(a_booking(synced_version=1))
    url = "https://meet.google.com/abc-defg-hij"
    event = OurEvent(booking_id="b1", cancelled=False, start=START, end=START + timedelta(minutes=30), meeting_url=url)

    host_checks_events(ports, event)

    assert (stored_booking(ports).meeting_url, stored_booking(ports).version) == (url, 1)


def test_a_booking_the_host_deleted_in_google_frees_its_time() -> None:
    ports = ports_with(a_booking(synced_version=1))
    ports.calendar.changed = [OurEvent(booking_id="b1", cancelled=True, start=None, end=None)]
    host = ports.uow().hosts.get("h1")
    assert host is not None

    changed = check_our_events(host, NOW, ports)

    assert changed == 1
    assert ports.db.ids("claims") == set()
    snapshot = ports.uow().months.snapshot("ada", START - timedelta(days=1), START + timedelta(days=1))
    assert snapshot is not None
    assert snapshot.booked == []


def test_an_event_that_differs_while_our_own_change_is_pending_is_not_a_host_edit() -> None:
    ports = ports_with(a_booking(version=2, synced_version=1))
    ports.calendar.changed = [
        OurEvent(booking_id="b1", cancelled=False, start=START - timedelta(hours=1), end=START - timedelta(minutes=30))
    ]
    host = ports.uow().hosts.get("h1")
    assert host is not None

    changed = check_our_events(host, NOW, ports)

    assert changed == 0
    assert stored_booking(ports).status is BookingStatus.CONFIRMED


def test_watch_channels_ask_google_to_push_to_the_calendar_webhook_function() -> None:
    links = FakePorts().links

    assert links.calendar_webhook() == get_settings().function_url("calendar_webhook")


def resolve_as_host(ports: FakePorts, booking_id: str, keep_moved: bool) -> Booking:
    command = booking_service.ResolveBooking(booking_id, keep_moved, booking_service.ByHost("h1"))
    return booking_service.resolve(command, ports)
