"""Who is calling: host sessions (cookie + same-origin check for writes), Google OIDC for tasks/scheduler."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Request, Response

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.address_proof import GRANT_PREFIX, AddressGrant
from shared.domain.booking import Booking
from shared.domain.errors import BookingNotFound
from shared.domain.host import Host
from shared.services.booking import authorized_booking, issued_manage_token
from shared.services.onboarding import host_for_session
from shared.web import browser_storage
from shared.web.oidc import bearer_token, verify_oidc
from shared.web.principals import InviteeGrant, QueueCallers, TaskCaller
from shared.web.problems import Problem

# The cookies Kaleno sets, each from its entry in the one list the cookie policy is generated from.
SESSION_COOKIE = browser_storage.SESSION.name
CONSENT_COOKIE = browser_storage.CONSENT.name  # essential: remembers the visitor's cookie choices, nothing else
OAUTH_STATE_COOKIE = browser_storage.OAUTH_STATE.name
OAUTH_STATE_PATH = browser_storage.OAUTH_STATE.path
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_host(request: Request, function: str = "") -> Host:
    """The signed-in host; cookie-authenticated writes must also come from our own origin (CSRF)."""
    host = host_for_session(request.cookies.get(SESSION_COOKIE), adapters())
    if host is None:
        raise Problem(401, "unauthenticated", "Sign-in required", "Sign in with Google at /oauth/start.")
    if request.method not in _SAFE_METHODS:
        require_same_origin(request)
    return host


def require_same_origin(request: Request) -> None:
    """SameSite=Lax already keeps the cookie off cross-site POSTs; the Origin check closes what it leaves."""
    expected = _origin(get_settings().base_url)
    sent = request.headers.get("Origin") or _origin(request.headers.get("Referer", ""))
    if sent != expected:
        raise Problem(
            403,
            "cross-origin-request",
            "Cross-origin request refused",
            "Changes must come from Kaleno's own pages.",
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def google_caller(callers: QueueCallers) -> Callable[[Request, str], TaskCaller]:
    """An authenticator for Cloud Tasks / Cloud Scheduler calls: a Google OIDC token for this function's URL."""

    def authenticate(request: Request, function: str) -> TaskCaller:
        settings = get_settings()
        emails = [str(getattr(settings, name)) for name in callers.service_account_settings]
        return verify_oidc(request, audience=settings.target_url(function), allowed_emails=emails)

    return authenticate


def set_session_cookie(response: Response, token: str) -> None:
    _set_cookie(response, browser_storage.SESSION, token)


def set_oauth_state_cookie(response: Response, state: str) -> None:
    """The sign-in's state, kept by the browser that started it (login CSRF); sent only to /oauth."""
    _set_cookie(response, browser_storage.OAUTH_STATE, state)


def set_consent_cookie(response: Response, consent_id: str) -> None:
    _set_cookie(response, browser_storage.CONSENT, consent_id)


def _set_cookie(response: Response, cookie: browser_storage.Stored, value: str) -> None:
    """Every cookie the server sets is essential, HttpOnly, SameSite=Lax and Secure (except on loopback), for
    the lifetime and path its entry in the list states."""
    settings = get_settings()
    lifetime = cookie.lifetime(settings)
    if cookie.set_by != "server" or cookie.needs_consent or lifetime is None:
        raise ValueError(f"{cookie.name} is not an essential cookie the server sets")
    response.set_cookie(
        cookie.name,
        value,
        max_age=int(lifetime.total_seconds()),
        path=cookie.path,
        httponly=True,
        samesite="Lax",
        secure=not settings.is_loopback,
    )


def clear_cookie(response: Response, name: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="Lax", secure=not get_settings().is_loopback)


def manage_token(request: Request, function: str = "") -> str:
    """A manage token we issued (else 401); which booking it opens is checked by the service, and a token
    for another booking answers as a missing booking does (404)."""
    token = bearer_token(
        request,
        "Manage token required",
        "Send the manage token you received when booking as 'Authorization: Bearer <token>'.",
    )
    if not issued_manage_token(token, adapters()):
        raise Problem(
            401,
            "invalid-token",
            "Invalid token",
            "This is not a manage token Kaleno issued.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token


def invitee_grant(request: Request, function: str = "") -> InviteeGrant:
    """The manage token (else 401) and the booking it names."""
    return InviteeGrant.of(manage_token(request, function))


def rights_subject(request: Request, function: str = "") -> Host | Booking | AddressGrant:
    """Whose rights: a proven address (`Authorization: Bearer <grant>` from a mailed link: every booking made
    with it), the invitee of the one booking a manage token names (`Authorization: Bearer`), or else the
    signed-in host."""
    if request.headers.get("Authorization", "").partition(" ")[2].startswith(GRANT_PREFIX):
        return address_grant(request)
    if request.headers.get("Authorization"):
        try:
            return authorized_booking(None, manage_token(request), adapters().uow())
        except BookingNotFound as error:  # the token names its booking: one that opens nothing is invalid
            raise Problem(
                401,
                "invalid-token",
                "Invalid token",
                "This manage token does not open any booking.",
                headers={"WWW-Authenticate": "Bearer"},
            ) from error
    return session_host(request)


def address_grant(request: Request) -> AddressGrant:
    """The grant an opened proof-of-address link gave (401 if forged, 410 once expired)."""
    from shared.services.address_proofs import OpenGrant, granted  # on first use, like the routes needing it

    token = bearer_token(request, "Proof of address required", "Open the link Kaleno mailed you first.")
    return granted(OpenGrant(token), adapters())


def insider(request: Request) -> Callable[[str, str], bool]:
    """For a private event type opened without a link: whether the caller is its host (session cookie) or the
    invitee of one of its bookings still holding time (manage token), who may see its times to move it."""

    def has_right(host_id: str, event_type_id: str) -> bool:
        uow = adapters().uow()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token:
            try:
                booking = authorized_booking(None, token, uow)
            except BookingNotFound:
                return False
            return booking.holds_time and (booking.host_id, booking.event_type_id) == (host_id, event_type_id)
        host = host_for_session(request.cookies.get(SESSION_COOKIE), adapters())
        return host is not None and host.id == host_id

    return has_right


def rescheduled(request: Request) -> Callable[[str, str], Booking | None]:
    """The booking a manage token names, when it is one of (host id, event type id) still holding time: the
    slots its invitee is offered to move it treat it as moved (its own day, week and month limits included)."""

    def held(host_id: str, event_type_id: str) -> Booking | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token:
            return None
        try:
            booking = authorized_booking(None, token, adapters().uow())
        except BookingNotFound:
            return None
        same_type = (booking.host_id, booking.event_type_id) == (host_id, event_type_id)
        return booking if booking.holds_time and same_type else None

    return held
