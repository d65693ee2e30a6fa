"""What the services need from the outside world, as small Protocols the adapters implement.

Records that cross a port (OAuth state, session, channel, token grant) are small pydantic models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from shared.domain.booking import Booking, SyncState
from shared.domain.booking_page import BookingPage
from shared.domain.host import Connection, ConnectionState, Host
from shared.domain.intervals import Interval


class OAuthState(BaseModel):
    nonce: str
    code_verifier: str
    return_to: str
    expires_at: datetime


class SessionRecord(BaseModel):
    host_id: str
    created_at: datetime
    expires_at: datetime


class Channel(BaseModel):
    """A Google Calendar watch channel: a change signal for one host's primary calendar."""

    id: str
    host_id: str
    resource_id: str
    expires_at: datetime


class IdempotencyRecord(BaseModel):
    """The first answer to an Idempotency-Key: which request it was (hash) and which booking it made."""

    key_hash: str
    request_hash: str
    booking_id: str
    expires_at: datetime


class BookedSpan(BaseModel):
    """A confirmed booking as availability sees it: the time it occupies (buffers included)."""

    booking_id: str
    event_type_id: str
    start: datetime  # the meeting's start (daily limits count these)
    occupied_start: datetime
    occupied_end: datetime
    day_claim: str | None = None


class AvailabilitySnapshot(BaseModel):
    page: BookingPage
    busy: list[Interval]
    booked: list[BookedSpan]


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


class OurEvent(BaseModel):
    """One of Kaleno's own booking events as Google has it now: only what reconciliation needs."""

    booking_id: str
    cancelled: bool
    start: datetime | None
    end: datetime | None


class CalendarAccessRevoked(Exception):
    """Google refused the host's refresh token (revoked, expired or the app's access was removed)."""


class GoogleUnavailable(Exception):
    """Google answered 429/5xx or a rate-limit 403: retry later (Cloud Tasks backs off)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"Google answered {status}")
        self.status = status
        self.retry_after = retry_after


class GoogleRejected(Exception):
    """Google refused the request for good (a 4xx that no retry will change)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"Google refused the request: {status} {reason}")
        self.status = status
        self.reason = reason


class Store(Protocol):
    def save_oauth_state(self, state: str, record: OAuthState) -> None: ...
    def consume_oauth_state(self, state: str, now: datetime) -> OAuthState | None: ...
    def save_session(self, token: str, record: SessionRecord) -> None: ...
    def get_session(self, token: str) -> SessionRecord | None: ...
    def delete_session(self, token: str) -> None: ...
    def get_host(self, host_id: str) -> Host | None: ...
    def create_host(self, host: Host, page: BookingPage, now: datetime) -> bool: ...
    def update_host(self, host_id: str, fields: dict[str, Any]) -> None: ...
    def change_slug(self, host_id: str, old: str, new: str) -> None: ...
    def booking_page(self, slug: str) -> BookingPage | None: ...
    def update_booking_page(self, slug: str, change: Callable[[BookingPage], BookingPage]) -> BookingPage: ...
    def availability_snapshot(self, slug: str, start: datetime, end: datetime) -> AvailabilitySnapshot | None: ...
    def create_booking(self, booking: Booking, idempotency: IdempotencyRecord | None, now: datetime) -> None: ...
    def get_booking(self, booking_id: str) -> Booking | None: ...
    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None: ...
    def change_booking(self, booking_id: str, change: Callable[[Booking], Booking], now: datetime) -> Booking: ...
    def record_sync(
        self, booking_id: str, state: SyncState, synced_version: int | None, error: str | None, now: datetime
    ) -> None: ...
    def host_bookings(self, host_id: str, since: datetime, limit: int = 200) -> list[Booking]: ...
    def connected_hosts(self) -> list[Host]: ...
    def delete_expired(self, collection: str, now: datetime, page: int = 400) -> int: ...
    def pending_bookings(self, updated_before: datetime) -> list[Booking]: ...
    def set_connection(
        self, host_id: str, connection: Connection, *, only_if: ConnectionState | None = None
    ) -> bool: ...
    def save_channel(self, channel: Channel) -> None: ...
    def get_channel(self, channel_id: str) -> Channel | None: ...
    def channels_of(self, host_id: str) -> list[Channel]: ...
    def delete_channel(self, channel_id: str) -> None: ...
    def replace_busy(self, host: Host, window: Interval, busy: Iterable[Interval], synced_at: datetime) -> bool: ...
    def delete_busy(self, host_id: str) -> int: ...
    def audit(self, action: str, subject_id: str, outcome: str, at: datetime) -> None: ...


class SecretStore(Protocol):
    def store_refresh_token(self, host_id: str, token: str) -> None: ...
    def refresh_token(self, host_id: str) -> str | None: ...
    def destroy_refresh_token(self, host_id: str) -> None: ...
    def app_secret(self, name: str) -> str: ...


class GoogleAccounts(Protocol):
    def authorize_url(self, *, state: str, nonce: str, code_challenge: str, login_hint: str | None) -> str: ...
    def complete_sign_in(self, *, code: str, code_verifier: str, nonce: str) -> GoogleIdentity: ...
    def revoke(self, token: str) -> None: ...


class Calendar(Protocol):
    def watch(self, host_id: str, channel_id: str, token: str, address: str) -> Channel: ...
    def stop_channel(self, host_id: str, channel: Channel) -> None: ...
    def busy(self, host_id: str, window: Interval) -> list[Interval]: ...
    def insert_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> bool: ...
    def patch_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> bool: ...
    def delete_booking_event(self, host_id: str, booking: Booking) -> None: ...
    def our_events_changed_since(self, host_id: str, since: datetime | None) -> list[OurEvent]: ...
    def forget(self, host_id: str) -> None: ...


class TaskQueue(Protocol):
    def enqueue(
        self, function: str, payload: dict[str, Any], *, name: str | None = None, delay_seconds: float = 0
    ) -> bool: ...
