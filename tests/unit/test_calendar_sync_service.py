"""The calendar-sync use cases against small dict-backed fakes of their ports (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.booking import Booking, BookingStatus, Invitee, SyncState
from shared.domain.booking_page import BookingPage, default_schedule
from shared.domain.host import Connection, ConnectionState, Host, HostSync
from shared.services.calendar_sync import check_our_events, reconcile_booking
from shared.services.ports import CalendarAccessRevoked, OurEvent

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


def a_host(state: ConnectionState = ConnectionState.CONNECTED) -> Host:
    return Host(
        id="h1",
        google_sub="1",
        email="h@example.com",
        display_name="H",
        slug="h",
        connection=Connection(state=state),
        sync=HostSync(events_checked_at=NOW - timedelta(hours=1)),
    )


@dataclass
class FakeStore:
    bookings: dict[str, Booking] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)
    syncs: list[tuple[str, SyncState, int | None, str | None]] = field(default_factory=list)
    audits: list[str] = field(default_factory=list)

    def get_booking(self, booking_id: str) -> Booking | None:
        return self.bookings.get(booking_id)

    def get_host(self, host_id: str) -> Host | None:
        return self.hosts.get(host_id)

    def booking_page(self, slug: str) -> BookingPage:
        return BookingPage(host_id="h1", display_name="H", schedule=default_schedule("Europe/Berlin"))

    def record_sync(
        self, booking_id: str, state: SyncState, version: int | None, error: str | None, now: datetime
    ) -> None:
        self.syncs.append((booking_id, state, version, error))

    def change_booking(self, booking_id: str, change: Any, now: datetime) -> Booking:
        self.bookings[booking_id] = change(self.bookings[booking_id])
        return self.bookings[booking_id]

    def set_connection(self, host_id: str, connection: Connection, *, only_if: Any = None) -> bool:
        host = self.hosts[host_id]
        if only_if is not None and host.connection.state is not only_if:
            return False
        self.hosts[host_id] = host.model_copy(update={"connection": connection})
        return True

    def update_host(self, host_id: str, fields: dict[str, Any]) -> None:
        pass

    def audit(self, action: str, subject_id: str, outcome: str, at: datetime) -> None:
        self.audits.append(action)


@dataclass
class FakeCalendar:
    existing: set[str] = field(default_factory=set)  # event ids Google has
    calls: list[str] = field(default_factory=list)
    changed: list[OurEvent] = field(default_factory=list)
    revoked: bool = False

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.revoked:
            raise CalendarAccessRevoked("h1")

    def insert_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> bool:
        self._call("insert")
        if booking.google_event_id in self.existing:
            return False
        self.existing.add(booking.google_event_id)
        return True

    def patch_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> bool:
        self._call("patch")
        return booking.google_event_id in self.existing

    def delete_booking_event(self, host_id: str, booking: Booking) -> None:
        self._call("delete")
        self.existing.discard(booking.google_event_id)

    def our_events_changed_since(self, host_id: str, since: datetime | None) -> list[OurEvent]:
        self._call("list")
        return self.changed


@dataclass
class FakeSecrets:
    destroyed: list[str] = field(default_factory=list)

    def destroy_refresh_token(self, host_id: str) -> None:
        self.destroyed.append(host_id)


def reconcile(store: FakeStore, calendar: FakeCalendar, version: int = 1) -> str:
    return reconcile_booking("b1", version, NOW, store, calendar, FakeSecrets())


def test_first_delivery_inserts_and_records_the_synced_version() -> None:
    store, calendar = FakeStore({"b1": a_booking()}, {"h1": a_host()}), FakeCalendar()

    outcome = reconcile(store, calendar)

    assert outcome == "synced"
    assert calendar.calls == ["insert"]
    assert store.syncs == [("b1", SyncState.SYNCED, 1, None)]


def test_a_redelivered_task_after_sync_makes_no_google_call() -> None:
    store, calendar = FakeStore({"b1": a_booking(synced_version=1)}, {"h1": a_host()}), FakeCalendar()

    outcome = reconcile(store, calendar)

    assert outcome == "already_synced"
    assert calendar.calls == []


def test_an_insert_that_already_landed_is_matched_with_a_patch() -> None:
    store = FakeStore({"b1": a_booking()}, {"h1": a_host()})
    calendar = FakeCalendar(existing={"kalb1"})

    outcome = reconcile(store, calendar)

    assert outcome == "synced"
    assert calendar.calls == ["insert", "patch"]


def test_a_task_for_an_older_version_leaves_the_work_to_the_newer_one() -> None:
    store, calendar = FakeStore({"b1": a_booking(version=3)}, {"h1": a_host()}), FakeCalendar()

    assert reconcile(store, calendar, version=2) == "superseded"
    assert calendar.calls == []


def test_a_cancelled_booking_deletes_its_event() -> None:
    store = FakeStore({"b1": a_booking(status=BookingStatus.CANCELLED, version=2, synced_version=1)}, {"h1": a_host()})
    calendar = FakeCalendar(existing={"kalb1"})

    assert reconcile(store, calendar, version=2) == "synced"
    assert calendar.existing == set()


def test_a_disconnected_host_fails_the_sync_without_calling_google() -> None:
    store = FakeStore({"b1": a_booking()}, {"h1": a_host(ConnectionState.DISCONNECTED)})
    calendar = FakeCalendar()

    assert reconcile(store, calendar) == "host_not_connected"
    assert calendar.calls == []
    assert store.syncs == [("b1", SyncState.FAILED, None, "host_not_connected")]


def test_revoked_access_disconnects_the_host_once() -> None:
    store, calendar = FakeStore({"b1": a_booking()}, {"h1": a_host()}), FakeCalendar(revoked=True)

    first = reconcile(store, calendar)
    second = reconcile(store, calendar)

    assert (first, second) == ("host_not_connected", "host_not_connected")
    assert store.hosts["h1"].connection.state is ConnectionState.DISCONNECTED
    assert store.audits == ["calendar_access_revoked"]
    assert calendar.calls == ["insert"]


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
    store = FakeStore({"b1": a_booking(synced_version=1)}, {"h1": a_host()})
    calendar = FakeCalendar(changed=[event])

    check_our_events(store.hosts["h1"], NOW, store, calendar)

    assert store.bookings["b1"].status is expected
    assert store.bookings["b1"].synced_version == store.bookings["b1"].version
    assert calendar.calls == ["list"]


def test_an_event_that_differs_while_our_own_change_is_pending_is_not_a_host_edit() -> None:
    store = FakeStore({"b1": a_booking(version=2, synced_version=1)}, {"h1": a_host()})
    calendar = FakeCalendar(
        changed=[
            OurEvent(
                booking_id="b1", cancelled=False, start=START - timedelta(hours=1), end=START - timedelta(minutes=30)
            )
        ]
    )

    assert check_our_events(store.hosts["h1"], NOW, store, calendar) == 0
    assert store.bookings["b1"].status is BookingStatus.CONFIRMED
