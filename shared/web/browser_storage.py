"""Every cookie and browser-storage key Kaleno uses: the one list the server sets its cookies from, the
cookie policy (`/cookie-policy`) is generated from, and the web client's keys are checked against
(tests/e2e/test_policy_pages.py: what a browser actually holds, and what web/js sets)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from babel.units import format_unit

from shared.config import Settings
from shared.domain.language import DEFAULT_LANGUAGE, N_, Language
from shared.i18n import BABEL_LOCALES, translations
from shared.services.onboarding import SESSION_TTL, STATE_TTL

ANALYTICS_LIFETIME = timedelta(days=182)  # web/js/analytics.js HALF_YEAR: the browser sets this cookie
PREFERENCE_LIFETIME = timedelta(days=365)  # web/js/i18n.js A_YEAR: a choice the visitor made on a page


@dataclass(frozen=True)
class Stored:
    name: str  # a key ending in ":" is a prefix: one key per page (`kaleno-link:/{host}/{type}`)
    kind: Literal["cookie", "sessionStorage", "localStorage"]
    purpose: str  # in English, marked for the catalogue: the cookie policy says it in the reader's language
    needs_consent: bool
    lifetime_of: Callable[[Settings], timedelta | None]  # None: until the tab is closed
    set_by: Literal["server", "browser"]
    path: str = "/"
    shown_name: str = ""  # how the policy names a prefix key (marked for the catalogue too)

    def lifetime(self, settings: Settings) -> timedelta | None:
        return self.lifetime_of(settings)

    def matches(self, key: str) -> bool:
        return key.startswith(self.name) if self.name.endswith(":") else key == self.name


SESSION = Stored(
    "kaleno_session",
    "cookie",
    N_("Keeps a host signed in to their dashboard (HttpOnly: no script can read it). Signing out ends it."),
    needs_consent=False,
    lifetime_of=lambda _: SESSION_TTL,
    set_by="server",
)
OAUTH_STATE = Stored(
    "kaleno_oauth_state",
    "cookie",
    N_("Ties a Google sign-in to the browser that started it, so nobody can sign you in to their account."),
    needs_consent=False,
    lifetime_of=lambda _: STATE_TTL,
    set_by="server",
    path="/oauth",
)
CONSENT = Stored(
    "kaleno_consent",
    "cookie",
    N_(
        "Remembers your cookie choice: an id Kaleno issued, under which your choice and the policy version "
        "you answered are kept."
    ),
    needs_consent=False,
    lifetime_of=lambda settings: timedelta(days=settings.consent_days),
    set_by="server",
)
ANALYTICS = Stored(
    "kaleno_analytics",
    "cookie",
    N_(
        "A random id counting visits with Kaleno's own analytics (first-party; nothing goes to another site). "
        "Rejecting or withdrawing removes it."
    ),
    needs_consent=True,
    lifetime_of=lambda _: ANALYTICS_LIFETIME,
    set_by="browser",
)
SINGLE_USE_LINK = Stored(
    "kaleno-link:",
    "sessionStorage",
    N_(
        "Keeps a single-use booking link for a reload of that booking page, so the link's token never sits "
        "in the address bar."
    ),
    needs_consent=False,
    lifetime_of=lambda _: None,
    set_by="browser",
    shown_name=N_("kaleno-link:<booking page address>"),
)
LANGUAGE = Stored(
    "kaleno_lang",
    "cookie",
    N_("Remembers the language you chose with the page's language switch (English or Bahasa Indonesia)."),
    needs_consent=False,
    lifetime_of=lambda _: PREFERENCE_LIFETIME,
    set_by="browser",
)
CLOCK = Stored(
    "kaleno_clock",
    "cookie",
    N_("Remembers whether you chose a 12- or a 24-hour clock for the times on a booking page."),
    needs_consent=False,
    lifetime_of=lambda _: PREFERENCE_LIFETIME,
    set_by="browser",
)
BROWSER_STORAGE: tuple[Stored, ...] = (
    SESSION,
    OAUTH_STATE,
    CONSENT,
    ANALYTICS,
    SINGLE_USE_LINK,
    LANGUAGE,
    CLOCK,
)


def listed(kind: str, key: str) -> Stored | None:
    """The entry a cookie or storage key found in a browser belongs to; None: it is not in the policy."""
    return next((entry for entry in BROWSER_STORAGE if entry.kind == kind and entry.matches(key)), None)


def spoken(lifetime: timedelta | None, language: Language = DEFAULT_LANGUAGE) -> str:
    """ "14 days", "10 minutes", "24 hours" ("14 hari", "10 menit", "24 jam"): exact, in Babel's words for the
    unit in `language`; None is a browser session (until the tab is closed)."""
    if lifetime is None:
        return translations(language, "messages").gettext("until the tab is closed")
    seconds, locale = int(lifetime.total_seconds()), BABEL_LOCALES[language]
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size and seconds % size == 0:  # "24 hours" rather than "1 day"
            return str(format_unit(seconds // size, f"duration-{unit}", length="long", locale=locale))
    return str(format_unit(seconds, "duration-second", length="long", locale=locale))
