"""Host onboarding: Google sign-in, calendar connection, sessions, disconnect.

Minimal scopes; the refresh token goes to Secret Manager and nowhere else; a refused calendar
permission leaves the host signed in but not connected, with the missing permission named.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from shared.domain.booking_page import BookingPage, CalendarView, default_schedule
from shared.domain.host import Connection, ConnectionState, Host, SignInFailed
from shared.services import calendar_sync
from shared.services.ports import (
    Calendar,
    GoogleAccounts,
    GoogleIdentity,
    OAuthState,
    SecretStore,
    SessionRecord,
    Store,
    TaskQueue,
)

CALENDAR_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/calendar.events.owned",
        "https://www.googleapis.com/auth/calendar.freebusy",
    }
)
STATE_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(days=14)  # the server-side record and the cookie expire together


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    return_to: str
    host: Host


def host_id_for(google_sub: str) -> str:
    """Stable, opaque host id: the Google account id identifies the host, but never appears in ids or logs."""
    return "h" + hashlib.sha256(f"google-sub:{google_sub}".encode()).hexdigest()[:24]


def safe_return_path(return_to: str | None) -> str:
    """Only a path on our own origin: no scheme, no host, no protocol-relative `//evil`, no backslashes."""
    if not return_to:
        return "/"
    parts = urlsplit(return_to)
    if (
        parts.scheme
        or parts.netloc
        or not return_to.startswith("/")
        or return_to.startswith("//")
        or "\\" in return_to
        or any(ord(char) < 32 for char in return_to)
    ):
        raise SignInFailed("unsafe-return-to", "return_to must be a path on this site, such as /dashboard.")
    return return_to


def start_sign_in(
    return_to: str | None, login_hint: str | None, now: datetime, store: Store, google: GoogleAccounts
) -> tuple[str, str]:
    """Remember a single-use state (with nonce and PKCE verifier); return Google's authorize URL and the
    state, which the browser also keeps in a cookie."""
    path = safe_return_path(return_to)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    store.save_oauth_state(
        state, OAuthState(nonce=nonce, code_verifier=verifier, return_to=path, expires_at=now + STATE_TTL)
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return google.authorize_url(state=state, nonce=nonce, code_challenge=challenge, login_hint=login_hint), state


@dataclass(frozen=True)
class Callback:
    """What Google's redirect brings back, plus the two cookies the browser sends with it."""

    code: str | None
    state: str | None
    google_error: str | None
    state_cookie: str | None  # set at start: the state must come back to the browser that asked for it
    previous_session: str | None


def complete_sign_in(
    callback: Callback,
    now: datetime,
    store: Store,
    secret_store: SecretStore,
    google: GoogleAccounts,
    calendar: Calendar,
    tasks: TaskQueue,
    channel_key: str,
    webhook_url: str,
) -> SignedIn:
    state, code = callback.state, callback.code
    # Login CSRF: a callback URL made in someone else's browser must not sign this browser in.
    same_browser = bool(state and callback.state_cookie and hmac.compare_digest(state, callback.state_cookie))
    record = store.consume_oauth_state(state, now) if state and same_browser else None
    if record is None:
        raise SignInFailed("invalid-state", "This sign-in link is invalid, expired or was already used.")
    if callback.google_error or not code:
        raise SignInFailed("consent-refused", "Google sign-in was cancelled or refused.")
    identity = google.complete_sign_in(code=code, code_verifier=record.code_verifier, nonce=record.nonce)
    host = _connect(identity, now, store, secret_store, google)
    if host.connection.is_connected:
        calendar_sync.start_watching(host.id, now, store, calendar, channel_key, webhook_url)
        calendar_sync.refresh_after_connect(host, now, store, calendar)
        calendar_sync.resync_failed(host.id, now, store, tasks)
    if callback.previous_session:
        store.delete_session(callback.previous_session)  # rotate: a fixated pre-login cookie never becomes a session
    return SignedIn(start_session(host.id, now, store), record.return_to, host)


def _connect(
    identity: GoogleIdentity, now: datetime, store: Store, secret_store: SecretStore, google: GoogleAccounts
) -> Host:
    host_id = host_id_for(identity.sub)
    missing = tuple(sorted(CALENDAR_SCOPES - identity.granted_scopes))
    if missing and identity.refresh_token:
        google.revoke(identity.refresh_token)  # a token without calendar access is of no use to us: drop it
    if not missing and identity.refresh_token:
        secret_store.store_refresh_token(host_id, identity.refresh_token)
        connection = Connection(state=ConnectionState.CONNECTED, since=now)
    else:
        connection = Connection(
            state=ConnectionState.NOT_CONNECTED,
            since=now,
            missing_scopes=missing,
            reason="scope_refused" if missing else "no_offline_access",
        )
    scopes = tuple(sorted(identity.granted_scopes))
    existing = store.get_host(host_id)
    if existing is None:
        host = Host(
            id=host_id,
            google_sub=identity.sub,
            email=identity.email,
            display_name=identity.name,
            slug=f"host-{secrets.token_hex(4)}",
            connection=connection,
            granted_scopes=scopes,
        )
        page = BookingPage(
            host_id=host_id,
            display_name=host.display_name,
            schedule=default_schedule(host.time_zone),
            calendar=CalendarView(connected=connection.is_connected),
        )
        store.create_host(host, page, now)
    else:
        host = existing.model_copy(update={"email": identity.email, "connection": connection, "granted_scopes": scopes})
        store.update_host(host_id, {"email": identity.email, "granted_scopes": list(scopes), "updated_at": now})
        store.set_connection(host_id, connection)  # the booking page follows in the same transaction
    store.audit("calendar_connect", host_id, "connected" if not missing else "scope_refused", now)
    return host


def start_session(host_id: str, now: datetime, store: Store) -> str:
    token = secrets.token_urlsafe(32)
    store.save_session(token, SessionRecord(host_id=host_id, created_at=now, expires_at=now + SESSION_TTL))
    return token


def host_for_session(token: str | None, now: datetime, store: Store) -> Host | None:
    record = store.get_session(token) if token else None
    if record is None or record.expires_at <= now:
        return None
    return store.get_host(record.host_id)


def disconnect(
    host_id: str,
    now: datetime,
    store: Store,
    secret_store: SecretStore,
    google: GoogleAccounts,
    calendar: Calendar,
) -> None:
    """Mark disconnected, stop channels, revoke at Google, purge the busy mirror, destroy the secret.

    Marked first, so no refresh still running writes busy times after the purge; every step is
    idempotent, so a disconnect that failed halfway is simply asked again.
    """
    store.set_connection(host_id, Connection(state=ConnectionState.DISCONNECTED, reason="host_disconnected", since=now))
    calendar_sync.stop_watching(host_id, store, calendar)
    token = secret_store.refresh_token(host_id)
    if token:
        google.revoke(token)
    calendar.forget(host_id)
    store.delete_busy(host_id)
    secret_store.destroy_refresh_token(host_id)
    store.audit("calendar_disconnect", host_id, "done", now)
