"""Private event types and single-use links.

A private event type is left out of the host's public listing, and its page, slots and booking answer
exactly as an unknown event type does (404) unless the visitor holds a valid single-use link for it. A
link is `<link id>.<secret>`: shown to the host once, stored only as a hash; it opens its event type until
one booking is made with it (claimed in that booking's own commit, so of ten racers one wins), until its
`expires_at`, or until the host revokes it. Cancelling that booking does not give the link back: it
promised one booking, and a link that came back could be booked again by whoever it was forwarded to.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.calendar_span import Instant
from shared.domain.errors import LinkExpired, LinkUsed

LINK_ID_PATTERN = "^lk[0-9a-f]{20}$"  # "lk" + 10 random bytes in hex
# The token as the API hands it out: the link id, a dot, 32 random bytes in URL-safe base64 (43 characters).
LINK_TOKEN_PATTERN = "^lk[0-9a-f]{20}\\.[A-Za-z0-9_-]{43}$"  # noqa: S105  # nosec B105  # a shape, not a secret
_LINK_TOKEN = re.compile(LINK_TOKEN_PATTERN)
LinkToken = Annotated[str, StringConstraints(pattern=LINK_TOKEN_PATTERN)]
# How long a link's record outlives its end (expiry, revocation, use): meanwhile its invitee is told that
# the link expired or was used (410) rather than that nothing is there (404); then the retention purge
# deletes it.
KEPT_AFTER_END = timedelta(days=30)


class Visibility(StrEnum):
    PUBLIC = "public"  # listed on the host's page, bookable by anyone with its address
    PRIVATE = "private"  # not listed; page, slots and booking only with a valid single-use link


class LinkState(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def link_token_hash(token: str) -> str:
    """What is stored of a token: a reader of the database cannot open anything with it."""
    return hashlib.sha256(f"link:{token}".encode()).hexdigest()


def link_id_of(token: str) -> str | None:
    """The link id a token names, if the token has a token's shape at all."""
    return token.partition(".")[0] if _LINK_TOKEN.fullmatch(token) else None


class LinkRequest(BaseModel):
    """POST /hosts/me/event-types/{id}/links."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    expires_at: Instant | None = Field(
        None, description="After this instant the link no longer opens the event type; none: until used or revoked."
    )


class BookingLink(BaseModel):
    """One single-use link of one event type. The token itself is never stored, only its hash."""

    model_config = ConfigDict(frozen=True)

    id: str
    host_id: str
    event_type_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    used_at: datetime | None = None
    booking_id: str | None = None  # the booking made with it

    def state(self, now: datetime) -> LinkState:
        if self.used_at is not None:
            return LinkState.USED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return LinkState.EXPIRED
        return LinkState.ACTIVE

    def ensure_usable(self, now: datetime) -> None:
        state = self.state(now)
        if state is LinkState.USED:
            raise LinkUsed("this single-use link was already used for a booking; ask the host for a new one")
        if state is not LinkState.ACTIVE:
            raise LinkExpired("this link has expired or was withdrawn by the host; ask the host for a new one")

    def used_for(self, booking_id: str, at: datetime) -> BookingLink:
        self.ensure_usable(at)
        return self.model_copy(update={"used_at": at, "booking_id": booking_id})

    def revoked(self, at: datetime) -> BookingLink:
        """Withdrawn by the host: it expires now. A used (or already withdrawn) link stays as it is."""
        if self.used_at is not None or self.revoked_at is not None:
            return self
        return self.model_copy(update={"revoked_at": at})

    @property
    def purge_at(self) -> datetime | None:
        """When the retention purge deletes the record: `KEPT_AFTER_END` after the link stopped opening
        anything; never for a link still open with no expiry (the host revokes it, or erasure takes it)."""
        end: datetime | None
        if self.used_at is not None:  # an expiry still ahead keeps its 410 answers at least until then
            end = max(self.used_at, self.expires_at) if self.expires_at else self.used_at
        else:
            end = self.revoked_at or self.expires_at
        return end + KEPT_AFTER_END if end is not None else None
