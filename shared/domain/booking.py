"""Bookings: a confirmed meeting between a host and an invitee, and what may happen to it."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.claims import claim_ids
from shared.domain.errors import BookingCancelled, DomainError, SlotTaken
from shared.domain.intervals import Interval
from shared.domain.time_zones import ZoneName

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("not a valid email address")
    return value.lower()


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_check_email)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"  # by the invitee or by the host through Kaleno
    CANCELLED_BY_HOST = "cancelled_by_host"  # the host deleted the event in Google Calendar
    NEEDS_ATTENTION = "needs_attention"  # the host moved the event in Google Calendar


class SyncState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"


class Invitee(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: PersonName
    email: Email
    time_zone: ZoneName


class BookingRequest(BaseModel):
    """POST /bookings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1, max_length=60)
    event_type: str = Field(min_length=1, max_length=60)
    start: AwareDatetime
    invitee: Invitee
    notes: str | None = Field(None, max_length=2000)


class CancelRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str | None = Field(None, max_length=500)


class RescheduleRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: AwareDatetime


class Booking(BaseModel):
    model_config = ConfigDict(frozen=True)

    EVENT_ID_PREFIX: ClassVar[str] = "kal"

    id: str
    host_id: str
    event_type_id: str
    event_title: str
    start: datetime
    end: datetime
    occupied_start: datetime
    occupied_end: datetime
    invitee: Invitee
    manage_token_hash: str  # the manage token itself is never stored
    notes: str | None = None
    status: BookingStatus = BookingStatus.CONFIRMED
    version: int = 1
    sync_state: SyncState = SyncState.PENDING
    synced_version: int = 0
    sync_error: str | None = None
    cancel_reason: str | None = None
    # For event types with a daily limit: the booking's numbered place on its host-local day (a claim id).
    day_claim: str | None = None

    @property
    def holds_time(self) -> bool:
        return self.status in (BookingStatus.CONFIRMED, BookingStatus.NEEDS_ATTENTION)

    def claims(self) -> list[str]:
        """Every claim document this booking must hold: its time granules and its place in the day."""
        if not self.holds_time:
            return []
        granules = claim_ids(self.host_id, Interval(self.occupied_start, self.occupied_end))
        return granules + ([self.day_claim] if self.day_claim else [])

    @property
    def google_event_id(self) -> str:
        """Deterministic, so a retried insert answers 409 instead of creating a twin (base32hex: 0-9a-v)."""
        return f"{self.EVENT_ID_PREFIX}{self.id}"

    def ensure_changeable(self) -> None:
        if self.status is not BookingStatus.CONFIRMED and self.status is not BookingStatus.NEEDS_ATTENTION:
            raise BookingCancelled("this booking was cancelled and can no longer be changed")


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request."""


class ClaimConflict(SlotTaken):
    """A claim existed when the booking committed: another booking won the race for that time or place."""
