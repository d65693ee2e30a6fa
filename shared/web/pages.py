"""Every HTML page Kaleno serves, rendered on the server from one layout (templates/page.html).

The web client's pages (`client_page`): the dashboard, a host's page, the booking page, the invitee's
booking and the rights page, each a template that declares only its title, description, modules and body;
served by the bookings function (`GET /bookings/html/...`, which the edge maps the public addresses to:
infra/edge.tf) and by the local stack at the same public addresses (devstack/app.py).

The privacy policy and the cookie policy, rendered from what the code does: the retention periods the purge
uses, the processors this deployment sends data to, the complaint contact, the policy version, and the one
list of cookies and storage keys (shared/web/browser_storage.py). Served at `/privacy-policy` and
`/cookie-policy` (the functions: `GET /privacy/policy`, `GET /privacy/cookie-policy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Literal

from flask import Request, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.config import Settings
from shared.domain.links import KEPT_AFTER_END
from shared.domain.policy import POLICY_HISTORY, policy_version
from shared.domain.team import INVITATION_TTL
from shared.domain.webhooks import DELIVERY_RETENTION
from shared.services.booking import IDEMPOTENCY_TTL
from shared.services.onboarding import SESSION_TTL, STATE_TTL
from shared.services.retention import MONTH_GRACE
from shared.web.browser_storage import BROWSER_STORAGE, spoken
from shared.web.problems import Problem

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The web client's pages, by template name (templates/<name>.html); "blank" is the benchmark's empty page.
ClientPage = Literal["dashboard", "book", "host", "manage", "privacy-rights", "blank"]
# The host dashboard's sections (web/js/dashboard.js), each its own address, /dashboard/{section}, so a reload
# or a deep link opens it; "dashboard" is a reserved host slug, so these never shadow a host's page.
DASHBOARD_SECTIONS = frozenset(
    {"setup", "event-types", "availability", "bookings", "teams", "calendars", "integrations", "profile", "privacy"}
)


def _headers(frame_ancestors: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"connect-src 'self'; frame-ancestors {frame_ancestors}; base-uri 'none'; form-action 'self'; "
            "object-src 'none'"
        ),
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    }


# Every page's headers, and the web client's files' (devstack/app.py; the edge's bucket: infra/edge.tf): nothing
# from another origin, with or without consent; revalidated by ETag, so a deploy shows at once. No other site may
# frame a page (clickjacking the dashboard, the manage page, the rights page or a policy page)...
PAGE_HEADERS = _headers("'none'")
# ...except a host's and a booking page (a team's too: same pages), which any site may embed (web/js/embed.js):
# they hold nothing of the visitor's until the visitor types it, and every write they make is the visitor's own.
FRAMABLE_PAGE_HEADERS = _headers("*")
FRAMABLE_PAGES: frozenset[ClientPage] = frozenset({"book", "host"})


@dataclass(frozen=True)
class Retention:
    """One row of "how long": what is kept, and for how long (in words made from the period the code uses)."""

    what: str
    kept: str


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,  # a tag on its own line leaves no blank line behind
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def client_page(page: ClientPage, request: Request) -> Response:
    """A page of the web client. It names nobody and changes only with a deploy, so it is revalidated by its
    ETag (`no-cache`): a new deploy shows at once, an unchanged page costs a 304."""
    framable = page in FRAMABLE_PAGES
    # `?embed=1` (the address embed.js frames): the page without the site's header, footer and cookie banner;
    # `&hide_host=1`: without the host card too (laid out so from the start: nothing moves when the script runs).
    embedded = framable and request.args.get("embed") == "1"
    html = _rendered(page, embedded, hide_host=embedded and request.args.get("hide_host") == "1")
    response = Response(html, mimetype="text/html", headers=FRAMABLE_PAGE_HEADERS if framable else PAGE_HEADERS)
    response.set_etag(sha256(html.encode()).hexdigest()[:32])
    response.make_conditional(request)  # a 304 when the browser's copy is current
    return response


def dashboard_page(section: str, request: Request) -> Response:
    """The dashboard at `/dashboard/{section}`; a section that does not exist is not found (404 problem+json)."""
    if section not in DASHBOARD_SECTIONS:
        raise Problem(404, "not-found", "Not found", "No such page.")
    return client_page("dashboard", request)


@lru_cache(maxsize=16)
def _rendered(page: ClientPage, embedded: bool = False, hide_host: bool = False) -> str:
    return _templates().get_template(f"{page}.html").render(embed=embedded, hide_host=hide_host)


def retention_periods(settings: Settings) -> list[Retention]:
    """Every period the retention purge and the TTLs apply, from the same settings and constants."""
    return [
        Retention(
            "A booking with the invitee's name, email, time zone, phone, notes and answers",
            f"{_days(settings.booking_retention_days)} after the meeting ended, then deleted",
        ),
        Retention("A host's account, event types and hours", "until the host deletes the account"),
        Retention("The Google access a host gave", "until the host disconnects the calendar or deletes the account"),
        Retention(
            "A host's busy times (never event titles or guests)",
            f"until the month they fall in is over, plus {spoken(MONTH_GRACE)}",
        ),
        Retention("A sign-in session", spoken(SESSION_TTL)),
        Retention("An unfinished sign-in", spoken(STATE_TTL)),
        Retention("A booking request's Idempotency-Key (to answer a retry once)", spoken(IDEMPOTENCY_TTL)),
        Retention("A single-use booking link", f"{spoken(KEPT_AFTER_END)} after it was used, expired or withdrawn"),
        Retention(
            "A team: its name and address, members and roles, event types and the addresses invited to it",
            f"until an owner deletes the team (an invitation: {spoken(INVITATION_TTL)}, then deleted)",
        ),
        Retention("The log of a host's webhook deliveries", spoken(DELIVERY_RETENTION)),
        Retention("Your cookie choice", _days(settings.consent_days)),
        Retention(
            "Keyed hashes of a client's IP address and of an invitee's email, counting booking changes against "
            "abuse limits (never the address or email itself)",
            f"until their counting window ends: {_seconds(settings.client_limits['booking-writes'][1])} for an "
            f"IP address, {_seconds(settings.invitee_write_limit[1])} for an email",
        ),
        Retention(
            "The ledger of uses of Google data and of privacy requests (no names or emails)",
            _days(settings.audit_retention_days),
        ),
        Retention("The receipt of an account deletion (names no one)", _days(settings.erasure_receipt_retention_days)),
    ]


def _days(days: int) -> str:
    return spoken(timedelta(days=days))


def _seconds(seconds: float) -> str:
    return spoken(timedelta(seconds=seconds))


def privacy_policy(settings: Settings) -> Response:
    return _page(
        "privacy-policy.html",
        settings,
        retention=retention_periods(settings),
        mail_relay=settings.smtp_host,
        contact=settings.privacy_contact_email,
        authority=settings.supervisory_authority,
        history=[entry for entry in reversed(POLICY_HISTORY) if entry.version <= settings.privacy_policy_version],
    )


def cookie_policy(settings: Settings) -> Response:
    entries = [
        {"entry": entry, "name": entry.shown_name or entry.name, "lifetime": spoken(entry.lifetime(settings))}
        for entry in BROWSER_STORAGE
    ]
    return _page("cookie-policy.html", settings, entries=entries)


def _page(template: str, settings: Settings, **context: object) -> Response:
    policy = policy_version(settings.privacy_policy_version)
    html = _templates().get_template(template).render(policy=policy, **context)
    return Response(html, mimetype="text/html", headers=PAGE_HEADERS)
