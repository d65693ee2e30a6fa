"""Keeping the host's Google Calendar in step with the bookings, against dict-backed fakes (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.booking import Booking, BookingStatus, Invitee, SyncState
from shared.domain.host import ConnectionState, HostSync
from shared.services.booking_sync import reconcile_booking, reconcile_task
from shared.services.busy_refresh import check_our_events
from shared.services.errors import CalendarAccessRevoked, GoogleUnavailable
from shared.services.records import OurEvent
from tests.unit.fakes import AuditEntry, FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)


def a_booking(**fields: Any) -> Booking:
    values: dict[str, Any] = {
        "id": "b1",
        "host_id": "h1",
        "event_type_id": "et1",
        "event_title": "Call",
        "start": START,
        "end": START + timedelta(minutes=30),
        "occupied_start": START,
        "occupied_end": START + timedelta(minutes=30),
        "invitee": Invitee(name="Ines", email="ines@example.org", time_zone="UTC"),
        "manage_token_hash": "0" * 64,
    }
    return Booking(**{**values, **fields})


def ports_with(booking: Booking, state: ConnectionState = ConnectionState.CONNECTED) -> FakePorts:
    ports = FakePorts()
    host = a_host(state=state).model_copy(update={"sync": HostSync(events_checked_at=NOW - timedelta(hours=1))})
    given(ports.db, hosts=[host], pages={"ada": a_page()}, bookings=[booking])
    return ports


def reconcile(ports: FakePorts, version: int = 1) -> str:
    return reconcile_booking("b1", version, NOW, ports.uow(), ports.calendar, ports.secrets)


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


def test_google_being_unavailable_is_retried_until_the_queues_last_attempt() -> None:
    ports = ports_with(a_booking())
    ports.calendar.failure = GoogleUnavailable(503, None)

    with pytest.raises(GoogleUnavailable, match="503"):
        reconcile_task("b1", 1, False, NOW, ports.uow(), ports.calendar, ports.secrets)
    outcome = reconcile_task("b1", 1, True, NOW, ports.uow(), ports.calendar, ports.secrets)

    assert outcome == "gave_up"
    booking = stored_booking(ports)
    assert (booking.sync_state, booking.sync_error) == (SyncState.FAILED, "gave_up_after_retries")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (OurEvent(booking_id="b1", cancelled=True, start=None, end=None), BookingStatus.CANCELLED_BY_HOST),
        (
            OurEvent(
                booking_id="b1",
                cancelled=False,
                start=START + timedelta(hours=2),
                end=START + timedelta(hours=2, minutes=30),
            ),
            BookingStatus.NEEDS_ATTENTION,
        ),
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

    check_our_events(host, NOW, ports.uow(), ports.calendar)

    booking = stored_booking(ports)
    assert booking.status is expected
    assert booking.synced_version == booking.version
    assert ports.calendar.calls == ["list"]


def test_a_booking_the_host_deleted_in_google_frees_its_time() -> None:
    ports = ports_with(a_booking(synced_version=1))
    ports.calendar.changed = [OurEvent(booking_id="b1", cancelled=True, start=None, end=None)]
    host = ports.uow().hosts.get("h1")
    assert host is not None

    changed = check_our_events(host, NOW, ports.uow(), ports.calendar)

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

    changed = check_our_events(host, NOW, ports.uow(), ports.calendar)

    assert changed == 0
    assert stored_booking(ports).status is BookingStatus.CONFIRMED
