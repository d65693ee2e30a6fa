"""Group sessions: an event type with `seats` > 1 lets several invitees book the same start.

A session is one host, one event type and one start. Its time belongs to the session, not to any one
booking: the booking that opens it creates the session record and the time's granule claims (must not
exist, so a session never overlaps another booking); every booking, the opener included, holds one of its
numbered seats (`{session}:seat{k}`, must not exist), so racing invitees cannot exceed the seats. A booking
joining a live session only requires the session record to exist; the one leaving last releases the
session's record and time, on condition that nobody joined since it looked. (Session and seat names:
`session_id`, `seat_claim` in shared/domain/claims.py.)
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.domain.claims import claim_ids
from shared.domain.intervals import Interval

SESSION_EVENT_PREFIX = "kals"  # "kal" + "s": never a booking's event id ("kal" + a uuid in hex)


def session_event_id(session: str) -> str:
    """The session's one Google event: deterministic (a retried insert answers 409), base32hex (0-9a-v)."""
    return SESSION_EVENT_PREFIX + hashlib.sha256(session.encode()).hexdigest()[:32]


class Session(BaseModel):
    """A live group session: who holds which seat, and the time its granule claims cover."""

    model_config = ConfigDict(frozen=True)

    id: str
    host_id: str
    occupied_start: datetime
    occupied_end: datetime
    seats: dict[int, str]  # seat number -> booking id

    @classmethod
    def opened(cls, session: str, host_id: str, occupied: Interval, seat: int, booking_id: str) -> Session:
        return cls(
            id=session,
            host_id=host_id,
            occupied_start=occupied.start,
            occupied_end=occupied.end,
            seats={seat: booking_id},
        )

    @property
    def expires_at(self) -> datetime:
        """When its record may be purged: its time is past."""
        return self.occupied_end

    def granule_claims(self) -> list[str]:
        """The claims on the session's time (buffers included), created when it opens, released when it closes."""
        return claim_ids(self.host_id, Interval(self.occupied_start, self.occupied_end))

    def without(self, booking_id: str) -> Session | None:
        """The session after `booking_id` left its seat; None when nobody is left (the session closes)."""
        seats = {seat: held for seat, held in self.seats.items() if held != booking_id}
        return self.model_copy(update={"seats": seats}) if seats else None


def free_seat(held: set[int], capacity: int, choose: random.Random | None = None) -> int | None:
    """A free seat number, picked at random among the free ones so that racers who all saw the same seats
    spread over them instead of all trying the lowest; None when every seat is held."""
    free = [seat for seat in range(1, capacity + 1) if seat not in held]
    if not free:
        return None
    pick = choose.choice if choose is not None else random.choice  # nosec B311  # spreading racers, no secret
    return pick(free)
