"""Every HTML page Kaleno serves, rendered on the server from one layout (templates/page.html).

The web client's pages (`client_page`): the dashboard, a host's page, the booking page, the invitee's
booking and the rights page, each a template that declares only its title, description, modules and body;
served by the bookings function (`GET /bookings/html/...`, which the edge maps the public addresses to:
infra/edge.tf) and by the local stack at the same public addresses (devstack/app.py).

The privacy policy and the cookie policy, rendered from what the code does: the retention periods the purge
uses, the processors this deployment sends data to, the complaint contact, the policy version, and the one
list of cookies and storage keys (shared/web/browser_storage.py). Served at `/privacy-policy` and
`/cookie-policy` (the functions: `GET /privacy/policy`, `GET /privacy/cookie-policy`), in English or Indonesian
(`page_language`: `?lang=`, the `kaleno_lang` cookie, `Accept-Language`), every sentence from the `messages`
catalogue (the templates' `{% trans %}` blocks, the retention rows and the durations `spoken` says).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from babel.dates import format_date
from flask import Request, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from shared.config import Settings
from shared.domain.language import DEFAULT_LANGUAGE, LANGUAGES, Language
from shared.domain.links import KEPT_AFTER_END
from shared.domain.policy import POLICY_HISTORY, policy_version
from shared.domain.team import INVITATION_TTL
from shared.domain.webhooks import DELIVERY_RETENTION
from shared.i18n import BABEL_LOCALES, Domain, client_catalogue, page_translations, translations
from shared.services.booking import IDEMPOTENCY_TTL
from shared.services.onboarding import SESSION_TTL, STATE_TTL
from shared.services.retention import MONTH_GRACE
from shared.web.browser_storage import BROWSER_STORAGE, spoken
from shared.web.languages import page_language
from shared.web.problems import Problem

if TYPE_CHECKING:  # a preview is only passed through here
    from shared.web.previews import LinkPreview

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The web client's pages, by template name (templates/<name>.html); "blank" is the benchmark's empty page.
ClientPage = Literal["dashboard", "book", "host", "manage", "privacy-rights", "blank"]
# The host dashboard's sections (web/js/dashboard.js), each its own address, /dashboard/{section}, so a reload
# or a deep link opens it; "dashboard" is a reserved host slug, so these never shadow a host's page.
# The language switch in every page's footer (page.html): each language named in itself.
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "id": "Bahasa Indonesia"}
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


@lru_cache(maxsize=2 * len(LANGUAGES))
def _templates(language: Language = DEFAULT_LANGUAGE, *domains: Domain) -> Environment:
    """The templates with their words in `language` (Jinja's i18n extension): the client pages' from the `web`
    catalogue, the policy pages' from `messages` then `web` (the frame every page shares). One Environment per
    language and domains, so a language's compiled templates are never shared with another's."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,  # a tag on its own line leaves no blank line behind
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]  # added by the i18n extension
        page_translations(language, *(domains or ("web",))), newstyle=True
    )
    environment.globals["languages"] = LANGUAGE_NAMES
    return environment


def client_page(page: ClientPage, request: Request, preview: LinkPreview | None = None) -> Response:
    """A page of the web client, in the visitor's language (on a host's or booking page, the `preview` says it:
    it fell back to the host's default). It changes only with a deploy (and a host's or booking page with what
    the host published: its `preview`), so it is revalidated by its ETag (`no-cache`): a new deploy or a renamed
    host shows at once, an unchanged page costs a 304. It varies with the headers that choose its language, so
    no cache hands one visitor's language to another."""
    language = preview.language if preview else page_language(request)
    framable = page in FRAMABLE_PAGES
    # `?embed=1` (the address embed.js frames): the page without the site's header, footer and cookie banner;
    # `&hide_host=1`: without the host card too (laid out so from the start: nothing moves when the script runs).
    embedded = framable and request.args.get("embed") == "1"
    hide_host = embedded and request.args.get("hide_host") == "1"
    html = _rendered(page, language, preview, Framing(embedded, hide_host))
    response = Response(html, mimetype="text/html", headers=FRAMABLE_PAGE_HEADERS if framable else PAGE_HEADERS)
    response.vary.update(("Accept-Language", "Cookie"))
    response.set_etag(sha256(html.encode()).hexdigest()[:32])
    response.make_conditional(request)  # a 304 when the browser's copy is current
    return response


def dashboard_page(section: str, request: Request) -> Response:
    """The dashboard at `/dashboard/{section}`; a section that does not exist is not found (404 problem+json)."""
    if section not in DASHBOARD_SECTIONS:
        raise Problem(404, "not-found", "Not found", "No such page.")
    return client_page("dashboard", request)


@dataclass(frozen=True)
class Framing:
    """How a framable page is shown: framed by another site (`?embed=1`), and then with or without the host card."""

    embedded: bool = False
    hide_host: bool = False


@lru_cache(maxsize=512)  # by content: a preview is the key, so a changed page is a new entry, never a stale one
def _rendered(
    page: ClientPage, language: Language, preview: LinkPreview | None = None, framing: Framing = Framing()
) -> str:
    template = _templates(language).get_template(f"{page}.html")
    return template.render(
        language=language,
        words=_words(page, language),
        preview=preview,
        embed=framing.embedded,
        hide_host=framing.hide_host,
    )


def _words(page: ClientPage, language: Language) -> Markup | None:
    """The words the page's modules say, for web/js/i18n.js: a JSON data block's content (none in English,
    whose message ids are the words). `<` is escaped so no text can close the script element."""
    if language == DEFAULT_LANGUAGE:
        return None
    words = client_catalogue(language, "web")
    if page == "dashboard":
        words = {**words, **client_catalogue(language, "dashboard")}
    data = json.dumps(words, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    # JSON whose every "<" is escaped: nothing in it can end the script element.
    return Markup(data)  # noqa: S704  # nosec B704


def retention_periods(settings: Settings, language: Language = DEFAULT_LANGUAGE) -> list[Retention]:
    """Every period the retention purge and the TTLs apply, from the same settings and constants, in `language`."""
    _ = translations(language, "messages").gettext

    def said(period: timedelta | None) -> str:
        return spoken(period, language)

    def days(count: int) -> str:
        return said(timedelta(days=count))

    def seconds(count: float) -> str:
        return said(timedelta(seconds=count))

    client_window, invitee_window = settings.client_limits["booking-writes"][1], settings.invitee_write_limit[1]
    return [
        Retention(
            _("A booking with the invitee's name, email, time zone, phone, notes and answers"),
            _("{period} after the meeting ended, then deleted").format(period=days(settings.booking_retention_days)),
        ),
        Retention(_("A host's account, event types and hours"), _("until the host deletes the account")),
        Retention(
            _("A host's picture (Kaleno's own 256-pixel copy, without the uploaded file's metadata)"),
            _("until the host replaces or removes it, or deletes the account"),
        ),
        Retention(
            _("The Google access a host gave"), _("until the host disconnects the calendar or deletes the account")
        ),
        Retention(
            _("A host's busy times (never event titles or guests)"),
            _("until the month they fall in is over, plus {period}").format(period=said(MONTH_GRACE)),
        ),
        Retention(_("A sign-in session"), said(SESSION_TTL)),
        Retention(_("An unfinished sign-in"), said(STATE_TTL)),
        Retention(_("A booking request's Idempotency-Key (to answer a retry once)"), said(IDEMPOTENCY_TTL)),
        Retention(
            _("A single-use booking link"),
            _("{period} after it was used, expired or withdrawn").format(period=said(KEPT_AFTER_END)),
        ),
        Retention(
            _("A team: its name and address, members and roles, event types and the addresses invited to it"),
            _("until an owner deletes the team (an invitation: {period}, then deleted)").format(
                period=said(INVITATION_TTL)
            ),
        ),
        Retention(_("The log of a host's webhook deliveries"), said(DELIVERY_RETENTION)),
        Retention(_("Your cookie choice"), days(settings.consent_days)),
        Retention(
            _(
                "Keyed hashes of a client's IP address and of an invitee's email, counting booking changes against "
                "abuse limits (never the address or email itself)"
            ),
            _("until their counting window ends: {client} for an IP address, {invitee} for an email").format(
                client=seconds(client_window), invitee=seconds(invitee_window)
            ),
        ),
        Retention(
            _("The ledger of uses of Google data and of privacy requests (no names or emails)"),
            days(settings.audit_retention_days),
        ),
        Retention(
            _("The receipt of an account deletion (names no one)"), days(settings.erasure_receipt_retention_days)
        ),
    ]


def privacy_policy(settings: Settings, request: Request | None = None) -> Response:
    language = page_language(request) if request else DEFAULT_LANGUAGE
    _ = translations(language, "messages").gettext
    history = [
        replace(entry, changes=_(entry.changes) if entry.changes else "")
        for entry in reversed(POLICY_HISTORY)
        if entry.version <= settings.privacy_policy_version
    ]
    return _page(
        "privacy-policy.html",
        settings,
        language,
        retention=retention_periods(settings, language),
        mail_relay=settings.smtp_host,
        contact=settings.privacy_contact_email,
        authority=settings.supervisory_authority,
        history=history,
    )


def cookie_policy(settings: Settings, request: Request | None = None) -> Response:
    language = page_language(request) if request else DEFAULT_LANGUAGE
    _ = translations(language, "messages").gettext
    entries = [
        {
            "entry": entry,
            "name": _(entry.shown_name) if entry.shown_name else entry.name,
            "purpose": _(entry.purpose),
            "lifetime": spoken(entry.lifetime(settings), language),
        }
        for entry in BROWSER_STORAGE
    ]
    return _page("cookie-policy.html", settings, language, entries=entries)


def _page(template: str, settings: Settings, language: Language, **context: object) -> Response:
    """A policy page in `language`: it varies with the visitor's choice and browser, so caches keep one per
    language (`Vary`)."""
    policy = policy_version(settings.privacy_policy_version)
    published = format_date(policy.published, "d MMMM y", locale=BABEL_LOCALES[language])
    html = (
        _templates(language, "messages", "web")
        .get_template(template)
        .render(policy=policy, published=published, language=language, **context)
    )
    headers = {**PAGE_HEADERS, "Content-Language": language, "Vary": "Accept-Language, Cookie"}
    return Response(html, mimetype="text/html", headers=headers)
