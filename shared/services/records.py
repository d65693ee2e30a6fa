"""Records that cross the ports besides the domain's own models: small pydantic values."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.booking import BookingStatus
from shared.domain.booking_form import Location


class OAuthState(BaseModel):
    nonce: str
    code_verifier: str
    return_to: str
    expires_at: datetime
    purpose: Literal["sign_in", "calendars"] = "sign_in"  # calendars: the consent also asks for the calendar list


class SessionRecord(BaseModel):
    host_id: str
    created_at: datetime
    expires_at: datetime


class Channel(BaseModel):
    """A Google Calendar watch channel: a change signal for one of a host's conflict calendars."""

    id: str
    host_id: str
    resource_id: str
    expires_at: datetime
    calendar_id: str = "primary"


class IdempotencyRecord(BaseModel):
    """The first answer to an Idempotency-Key: which request it was (hash) and which booking it made."""

    key_hash: str
    request_hash: str
    booking_id: str
    expires_at: datetime


class GoogleIdentity(BaseModel):
    """What a completed Google sign-in tells us; the refresh token leaves this object only for Secret Manager."""

    model_config = ConfigDict(frozen=True)

    sub: str
    email: str
    name: str
    granted_scopes: frozenset[str]
    refresh_token: str | None

    def __repr__(self) -> str:  # never print the token, even in a debugger or a failed assertion
        return f"GoogleIdentity(sub={self.sub!r}, scopes={sorted(self.granted_scopes)})"

    __str__ = __repr__


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    data: bytes


class OutgoingMail(BaseModel):
    """One message to one person. `message_id` is derived from what it announces, so a resend after a lost
    answer carries the same id (mail clients and relays drop the duplicate)."""

    model_config = ConfigDict(frozen=True)

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    attachments: tuple[Attachment, ...] = ()


class OurEvent(BaseModel):
    """One of Kaleno's own booking events as Google has it now: only what reconciliation needs."""

    booking_id: str
    cancelled: bool
    start: datetime | None
    end: datetime | None
    event_id: str = ""  # Google's id (a reassigned booking's earlier holders had events of other ids)
    declined: bool = False  # the invitee declined the invitation
    meeting_url: str | None = None  # the Meet's link once Google has created it


class SessionEvent(BaseModel):
    """What a group session's one Google event shows: its time and its guests, and nothing personal beyond
    the guests' names and addresses (every guest can open the event)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    session_id: str
    title: str
    start: datetime
    end: datetime
    guests: tuple[tuple[str, str], ...]  # (email, name) of each booking holding a seat, in seat order
    guests_see_each_other: bool
    location: Location | None = None
    calendar_id: str = "primary"  # the calendar its first seat's booking was made for (shared/domain/calendars.py)


class Erasure(BaseModel):
    """The receipt of a host's erasure: which steps are done and when. Names no one (its id is random)."""

    id: str
    state: Literal["running", "done"] = "running"
    requested_at: datetime
    steps: dict[str, datetime] = Field(default_factory=dict)  # step -> when it was completed
    finished_at: datetime | None = None


class ClosedBooking(BaseModel):
    """What is left of a booking whose host closed their account: its id (the document's) and how long its
    manage link still says so (410, not a bare 404). Names no one; purged at `expires_at`."""

    booking_id: str
    closed_at: datetime
    expires_at: datetime


class PastConsent(BaseModel):
    """A choice the visitor made before their current one: under which policy version, and when."""

    analytics: bool
    policy_version: str
    decided_at: datetime


class ConsentRecord(BaseModel):
    """A visitor's cookie choices, under an anonymous id kept in their browser: essential cookies always,
    analytics only once accepted. Re-asked when the policy version changes or the record expires."""

    id: str
    analytics: bool
    policy_version: str
    decided_at: datetime
    expires_at: datetime
    earlier: list[PastConsent] = Field(default_factory=list)  # oldest first: every version they answered


class HostListing(BaseModel):
    """Which of a host's bookings to list: still to come (ending at or after `now`, soonest first) or
    past (ended before `now`, latest first), optionally of one status or event type, a page at a time."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    upcoming: bool = True
    status: BookingStatus | None = None
    event_type_id: str | None = None
    after_booking_id: str | None = None  # the cursor: the last booking of the previous page
    limit: int = 200
    ends_from: datetime | None = None  # only bookings ending in [ends_from, ends_before)
    ends_before: datetime | None = None

    def end_range(self) -> tuple[datetime | None, datetime | None]:
        """[lower, upper) on a booking's end: upcoming or past, narrowed by the asked range."""
        if self.upcoming:
            return max(self.now, self.ends_from or self.now), self.ends_before
        return self.ends_from, min(self.now, self.ends_before or self.now)


class WebhookResponse(BaseModel):
    """What a webhook receiver answered: its status, and how long it asked us to wait (429/503)."""

    model_config = ConfigDict(frozen=True)

    status: int
    retry_after: float | None = None
