"""Records to arrange a contract test with, shaped as the services make them (booking ids are hex and
event type ids `et` + 10 hex digits: the months pack both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.domain import claims
from shared.domain.booking import Booking
from shared.domain.claims import session_id
from shared.domain.intervals import Interval
from shared.domain.seats import Session
from shared.services.ports import UnitOfWork
from tests.unit.fakes import a_booking

MONDAY_10 = datetime(2027, 3, 8, 10, tzinfo=UTC)
EVENT_TYPE = "et0123456789"


def booking(number: int, start: datetime = MONDAY_10, minutes: int = 30, **fields: Any) -> Booking:
    """Host h1's confirmed booking of `minutes` from `start` (no buffers); `fields` override."""
    end = start + timedelta(minutes=minutes)
    values: dict[str, Any] = {"id": f"{number:032x}", "event_type_id": EVENT_TYPE, "end": end, "occupied_end": end}
    return a_booking(start, **{**values, **fields})


def day_place(day: str, number: int, host_id: str = "h1") -> str:
    """The claim id of a numbered place in a host-local day ("YYYYMMDD")."""
    return claims.day_place(host_id, EVENT_TYPE, date.fromisoformat(day), number)


# --- a group session at MONDAY_10, opened by its first seat booking ------------------------------------
SESSION = session_id("h1", EVENT_TYPE, MONDAY_10)
SESSION_TIME = Interval(MONDAY_10, MONDAY_10 + timedelta(minutes=30))


def seat_booking(number: int, seat: int) -> Booking:
    return booking(100 + number, session_id=SESSION, seat=seat)


def opened(uow: UnitOfWork) -> None:
    uow.sessions.open_session(Session.opened(SESSION, "h1", SESSION_TIME, 1, seat_booking(1, 1).id))
    uow.bookings.add(seat_booking(1, 1), None)
