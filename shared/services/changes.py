"""One booking changed by a domain decision, with its claims on time and its span moved in the same commit."""

from __future__ import annotations

from collections.abc import Callable

from shared.domain.booking import Booking
from shared.services.contention import retried
from shared.services.ports import UnitOfWork


def change_booking(
    booking_id: str, decide: Callable[[Booking], Booking], uow: UnitOfWork, attempts: int = 5
) -> Booking | None:
    """`decide` sees the booking as stored now and returns what it should become (decided again if the
    booking changed before the commit). None when there is no such booking."""

    def change() -> Booking | None:
        with uow:
            booking = uow.bookings.get(booking_id)
            if booking is None:
                return None
            after = decide(booking)
            if after != booking:
                uow.bookings.save(after)
                uow.months.move_span(booking, after)
                uow.commit()
            return after

    return retried(change, attempts)
