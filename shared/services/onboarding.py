"""Host onboarding: Google sign-in, calendar connection, sessions, disconnect.

Minimal scopes; the refresh token goes to Secret Manager and nowhere else; a refused calendar
permission leaves the host signed in but not connected, with the missing permission named.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from shared.domain import ids
from shared.domain.booking_page import BookingPage, CalendarView, default_schedule
from shared.domain.calendars import CALENDAR_LIST_SCOPE
from shared.domain.errors import SignInFailed
from shared.domain.host import Connection, ConnectionState, Host, HostProfileUpdate
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.domain.policy import CURRENT_POLICY
from shared.domain.schedule import DEFAULT_SCHEDULE_NAME
from shared.domain.text import as_one_line
from shared.i18n import translations
from shared.logging import log_exception
from shared.services.audit import Entry, audit
from shared.services.booking_sync import resync_failed
from shared.services.busy_refresh import refresh_after_connect
from shared.services.channels import start_watching, stop_watching
from shared.services.closure import close_future_bookings, stop_taking_bookings
from shared.services.connection import change_connection
from shared.services.contention import retried
from shared.services.errors import AlreadyStored
from shared.services.hosts import UpdateProfile, update_profile
from shared.services.ports import GoogleAccounts, Ports, SecretStore, UnitOfWork
from shared.services.records import GoogleIdentity, OAuthState, SessionRecord
from shared.services.teams import tell_teams_later
from shared.services.tokens import same_secret

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
    session_token: str | None  # None: nothing changed (the host refused the calendar list; their session stays)
    return_to: str
    host: Host | None


def host_id_for(google_sub: str) -> str:
    """Stable, opaque host id: the Google account id identifies the host, but never appears in ids or logs."""
    return ids.host_id(google_sub)


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


Purpose = Literal["sign_in", "calendars"]
# What each purpose asks for beyond sign-in's scopes. Sign-in never asks for the calendar list: it is asked
# for only when the host opens the calendars setting (incremental authorization), and refusing it keeps
# the primary calendar in use.
PURPOSE_SCOPES: dict[str, tuple[str, ...]] = {"sign_in": (), "calendars": (CALENDAR_LIST_SCOPE,)}


@dataclass(frozen=True)
class StartSignIn:
    """What the browser asked: sign in (or grant the calendar list, `purpose`), then come back to `return_to`."""

    return_to: str | None
    login_hint: str | None
    purpose: Purpose = "sign_in"


def start_sign_in(command: StartSignIn, deps: Ports) -> tuple[str, str]:
    """Remember a single-use state (with nonce and PKCE verifier); return Google's authorize URL and the
    state, which the browser also keeps in a cookie."""
    path, purpose = safe_return_path(command.return_to), command.purpose
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    expires_at = deps.now() + STATE_TTL
    record = OAuthState(nonce=nonce, code_verifier=verifier, return_to=path, expires_at=expires_at, purpose=purpose)
    uow = deps.uow()
    with uow:
        uow.sign_in.add_state(state, record)
        uow.commit()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = deps.google.authorize_url(
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        login_hint=command.login_hint,
        extra_scopes=PURPOSE_SCOPES[purpose],
    )
    return url, state


@dataclass(frozen=True)
class Callback:
    """What Google's redirect brings back, plus the two cookies the browser sends with it."""

    code: str | None
    state: str | None
    google_error: str | None
    state_cookie: str | None  # set at start: the state must come back to the browser that asked for it
    previous_session: str | None
    language: Language = DEFAULT_LANGUAGE  # the browser's (its page language): a new host's first words in it


def complete_sign_in(callback: Callback, ports: Ports) -> SignedIn:
    uow, now = ports.uow(), ports.now()
    state, code = callback.state, callback.code
    # Login CSRF: a callback URL made in someone else's browser must not sign this browser in.
    same_browser = bool(state and callback.state_cookie and same_secret(state, callback.state_cookie))
    record = _take_state(state, now, uow) if state and same_browser else None
    if record is None:
        raise SignInFailed("invalid-state", "This sign-in link is invalid, expired or was already used.")
    if callback.google_error and record.purpose == "calendars":
        # Refusing the calendar list changes nothing: the host stays signed in and connected, primary only.
        return SignedIn(None, _with_query(record.return_to, "calendars=refused"), None)
    if callback.google_error or not code:
        raise SignInFailed("consent-refused", "Google sign-in was cancelled or refused.")
    identity = ports.google.complete_sign_in(code=code, code_verifier=record.code_verifier, nonce=record.nonce)
    host, created = _connect(identity, now, uow, ports.secrets, ports.google, callback.language)
    ports.calendar_access.forget(host.id)  # credentials cached from an older grant may lack scopes granted now
    if created and host.calendar_usable:
        host = _adopt_calendar_zone(host, ports)
    if host.calendar_usable:
        start_watching(host.id, ports)
        refresh_after_connect(host, now, ports)
        resync_failed(host.id, now, uow, ports.tasks)
    token = start_session(host.id, now, uow)
    if callback.previous_session:
        _end_session(callback.previous_session, uow)  # rotate: a fixated pre-login cookie never becomes a session
    return_to = record.return_to
    if record.purpose == "calendars" and CALENDAR_LIST_SCOPE not in identity.granted_scopes:
        return_to = _with_query(return_to, "calendars=refused")  # unticked on Google's screen: say so
    return SignedIn(token, return_to, host)


def _with_query(path: str, parameter: str) -> str:
    """`path` with one more query parameter, before its fragment (`/#calendars` → `/?calendars=refused#calendars`)."""
    path, hash_mark, fragment = path.partition("#")
    return f"{path}{'&' if '?' in path else '?'}{parameter}{hash_mark}{fragment}"


def _take_state(state: str, now: datetime, uow: UnitOfWork) -> OAuthState | None:
    """Single use: of two callbacks racing with one state, one commit wins the delete."""

    def take() -> OAuthState | None:
        with uow:
            record = uow.sign_in.take_state(state)
            uow.commit()
        return record if record is not None and record.expires_at > now else None

    return retried(take)


def _adopt_calendar_zone(host: Host, ports: Ports) -> Host:
    """A new host starts in the time zone their Google Calendar is set to (their hours too), not in UTC.
    Best effort: if Google cannot say now, the dashboard's setup offers the browser's zone instead."""
    try:
        zone = ports.calendar_list.time_zone(host.id)
        if not zone or zone == host.time_zone:
            return host
        return update_profile(UpdateProfile(host, HostProfileUpdate.model_validate({"time_zone": zone})), ports)
    except Exception as error:  # the sign-in stands either way
        log_exception("calendar_zone_unknown", error, host_id=host.id)
        return host


def _connect(
    identity: GoogleIdentity,
    now: datetime,
    uow: UnitOfWork,
    secret_store: SecretStore,
    google: GoogleAccounts,
    language: Language,
) -> tuple[Host, bool]:
    """The host as stored after this sign-in, and whether it is their first (the host was created)."""
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
    created = _add_host(host_id, identity, connection, scopes, uow, language)
    if not created:
        _update_host(host_id, identity.email, scopes, uow)
        change_connection(host_id, connection, uow)  # the booking page follows in the same commit
    audit(uow, Entry("calendar_connect", host_id, "connected" if not missing else "scope_refused", now))
    host = uow.hosts.get(host_id)
    assert host is not None  # nosec B101  # narrows the type; the host was written just above (never run with -O)
    return host, created


def _add_host(
    host_id: str,
    identity: GoogleIdentity,
    connection: Connection,
    scopes: tuple[str, ...],
    uow: UnitOfWork,
    language: Language,
) -> bool:
    """A first sign-in: the host and their booking page (which claims a random slug) at once. False if known.
    The default schedule is named in the language of the sign-up ("Jam kerja"); the host may rename it."""
    for _ in range(3):  # a random slug taken by someone else: draw another
        host = Host(
            id=host_id,
            google_sub=identity.sub,
            email=identity.email,
            display_name=as_one_line(identity.name)[:100] or identity.email.partition("@")[0],
            slug=f"host-{secrets.token_hex(4)}",
            connection=connection,
            granted_scopes=scopes,
            policy_notified=CURRENT_POLICY.version,  # signed up under it: nothing to be told about
            onboarded=False,  # the dashboard leads them through its setup first
        )
        page = BookingPage(
            host_id=host_id,
            display_name=host.display_name,
            schedule=default_schedule(host.time_zone),
            default_schedule_name=translations(language, "messages").gettext(DEFAULT_SCHEDULE_NAME),
            calendar=CalendarView(connected=connection.is_connected),
        )
        with uow:
            if uow.hosts.get(host_id) is not None:
                return False  # signed up meanwhile, in another tab
            uow.hosts.add(host)
            uow.pages.add(host.slug, page)
            try:
                uow.commit()
            except AlreadyStored:
                continue
        return True
    raise AlreadyStored("no free slug found for a new host")


def _update_host(host_id: str, email: str, scopes: tuple[str, ...], uow: UnitOfWork) -> None:
    def update() -> None:
        with uow:
            host = uow.hosts.get(host_id)
            if host is not None:
                uow.hosts.save(host.model_copy(update={"email": email, "granted_scopes": scopes}))
                uow.commit()

    retried(update)


def start_session(host_id: str, now: datetime, uow: UnitOfWork) -> str:
    token = secrets.token_urlsafe(32)
    with uow:
        uow.sign_in.add_session(token, SessionRecord(host_id=host_id, created_at=now, expires_at=now + SESSION_TTL))
        uow.commit()
    return token


def sign_out(session_token: str, deps: Ports) -> None:
    """The host signs out: their session ends here, whatever the browser keeps."""
    _end_session(session_token, deps.uow())


def _end_session(token: str, uow: UnitOfWork) -> None:
    with uow:
        uow.sign_in.end_session(token)
        uow.commit()


def host_for_session(token: str | None, deps: Ports) -> Host | None:
    """The host a session cookie signs in, while the session lasts."""
    uow = deps.uow()
    record = uow.sign_in.session(token) if token else None
    if record is None or record.expires_at <= deps.now():
        return None
    return uow.hosts.get(record.host_id)


@dataclass(frozen=True)
class Disconnect:
    """What the host asked: stop using their Google Calendar (and cancel what is still to come)."""

    host_id: str


def disconnect(command: Disconnect, ports: Ports) -> Host | None:
    """Mark disconnected, cancel the bookings still to come (each invitee told once by our mail, each event
    deleted while the token still stands), stop channels, revoke at Google, purge the busy mirror, destroy
    the secret.

    Marked first, so no refresh still running writes busy times after the purge and no booking slips in;
    every step is idempotent, so a disconnect that failed halfway is simply asked again.
    """
    host_id, uow, now = command.host_id, ports.uow(), ports.now()
    before = uow.hosts.get(host_id)
    stop_taking_bookings(host_id, "host_disconnected", now, uow)
    if before is not None and before.connection.is_connected and (after := uow.hosts.get(host_id)) is not None:
        tell_teams_later(after, ports)  # their teams' admins hear of it once
    close_future_bookings(host_id, "host_disconnected", now, ports)
    stop_watching(host_id, ports)
    token = ports.secrets.refresh_token(host_id)
    if token:
        ports.google.revoke(token)
    ports.calendar_access.forget(host_id)
    with uow:
        uow.months.clear_busy(host_id)
        uow.commit()
    ports.secrets.destroy_refresh_token(host_id)
    audit(uow, Entry("calendar_disconnect", host_id, "done", now))
    return uow.hosts.get(host_id)
