"""One booking changed by a domain decision, with its claims on time and its span moved in the same commit (and a
cancelled round-robin booking's assignment given back to its member's tally)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.domain.booking import Booking
from shared.domain.intervals import Interval
from shared.domain.offsets import epoch_seconds
from shared.domain.seats import Session
from shared.domain.tallies import TallyChange
from shared.services.contention import retried
from shared.services.ports import UnitOfWork


@dataclass(frozen=True)
class Decision:
    """What a booking should become (`decide` sees it as stored now), and more writes to stage in the same
    commit when it changes (`alongside`: a booking write's places, a spent proof of work)."""

    decide: Callable[[Booking], Booking]
    alongside: Callable[[], None] | None = None


def change_booking(
    booking_id: str, decision: Decision | Callable[[Booking], Booking], uow: UnitOfWork, attempts: int = 5
) -> Booking | None:
    """The booking as `decision` makes it (decided again if the booking changed before the commit), with its
    claims on time and its span moved in the same commit. None when there is no such booking."""
    decided = decision if isinstance(decision, Decision) else Decision(decision)

    def change() -> Booking | None:
        with uow:
            booking = uow.bookings.get(booking_id)
            if booking is None:
                return None
            after = decided.decide(booking)
            if after != booking:
                move_seat(booking, after, uow)  # first: a session's released time may be claimed again below
                uow.bookings.save(after)
                uow.months.move_span(booking, after)
                for tallied in _tally_changes(booking, after):
                    uow.months.tally(tallied)
                if decided.alongside is not None:
                    decided.alongside()
                uow.commit()
            return after

    return retried(change, attempts)


def _tally_changes(before: Booking, after: Booking) -> tuple[TallyChange, ...]:
    """A round-robin booking that stops holding time (cancelled) gives its assignment back to its member's
    tally; one handed to another member (reassigned, or rescheduled onto the next free one) moves it to theirs,
    counted on the day it was first made, so a later cancellation gives it back where it is."""
    if before.assigned_at is None or not before.holds_time:
        return ()
    made_at = epoch_seconds(before.assigned_at)
    given_back = TallyChange.given_back(before.host_id, before.event_type_id, made_at)
    if not after.holds_time:
        return (given_back,)
    if after.host_id == before.host_id:
        return ()
    return given_back, TallyChange(after.host_id, after.event_type_id, made_at)


def move_seat(before: Booking | None, after: Booking, uow: UnitOfWork) -> None:
    """A seat booking that gives up its seat (cancelled, or moved to another session) leaves its session, the
    last one closing it; one that takes a seat joins its session, or opens it when it is not live. Staged in
    the open unit: the seats themselves are the bookings' claims (`Booking.claims`)."""
    old = before.held_seat if before is not None else None
    new = after.held_seat
    if old == new:
        return
    if old is not None and (session := uow.sessions.session(old[0])) is not None:
        left = session.without(after.id)
        if left is None:
            uow.sessions.close_session(session)
        else:
            uow.sessions.save_session(left)
    if new is not None:
        take_seat(after, new, uow)


def take_seat(booking: Booking, seat: tuple[str, int], uow: UnitOfWork, live: bool | None = None) -> None:
    """Join the session if it is live (`live` None: look), else open it with this booking's span."""
    session_id, number = seat
    if live is None:
        live = uow.sessions.session(session_id) is not None
    if live:
        uow.sessions.join_session(session_id, number, booking.id)
        return
    span = Interval(booking.occupied_start, booking.occupied_end)
    uow.sessions.open_session(Session.opened(session_id, booking.host_id, span, number, booking.id))
