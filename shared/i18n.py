"""Kaleno's words in the reader's language: gettext message catalogues, one `.po` file per language and domain
(shared/locales/<language>/LC_MESSAGES/<domain>.po), read with Babel. The English text is the message id, and
the English catalogue holds the words we show (usually the id itself), so every language is a catalogue.

Three domains, so each catalogue carries only what its reader loads:
- `messages`: what the server says in Python and in its own templates: mail, .ics text, field messages, the
  privacy and cookie policies;
- `web`: the public pages (booking, host, manage, rights), their templates and the modules they load;
- `dashboard`: the host's dashboard modules.

`SOURCES` says where each domain's messages are found; tests/unit/test_catalogues.py extracts them with Babel
and fails on any message missing, untranslated or fuzzy in any language, or left in a catalogue unused.
Adding a language: copy a catalogue per domain to shared/locales/<code>/, translate it, add the code to
shared/domain/language.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from shared.domain.language import N_, Language

__all__ = ["N_", "catalogue", "client_catalogue", "page_translations", "translations"]

ROOT = Path(__file__).resolve().parents[1]
LOCALES = Path(__file__).resolve().parent / "locales"
Domain = Literal["messages", "web", "dashboard"]
DOMAINS: tuple[Domain, ...] = ("messages", "web", "dashboard")
# Gettext's own names, and `t`/`tn` in the web client (web/js/i18n.js): t("Text {name}", {name}),
# tn("One booking", "{count} bookings", count).
KEYWORDS: Mapping[str, object] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "t": None,
    "tn": (1, 2),
}
_JINJA = "jinja2.ext:babel_extract"
_CLIENT_TEMPLATES = ("document", "page", "book", "host", "manage", "privacy-rights", "dashboard", "blank")
# Where each domain's messages are, as Babel's method map (first matching pattern wins; paths from the root).
SOURCES: Mapping[Domain, list[tuple[str, str]]] = {
    "messages": [
        ("shared/**.py", "python"),
        ("functions/**.py", "python"),
        ("shared/templates/**.html", _JINJA),
        ("shared/templates/**.txt", _JINJA),
        ("shared/web/templates/privacy-policy.html", _JINJA),
        ("shared/web/templates/cookie-policy.html", _JINJA),
    ],
    "web": [
        *((f"shared/web/templates/{name}.html", _JINJA) for name in _CLIENT_TEMPLATES),
        ("web/js/dashboard.js", "ignore"),
        ("web/js/dash-*.js", "ignore"),
        ("web/js/*.js", "javascript"),
    ],
    "dashboard": [("web/js/dashboard.js", "javascript"), ("web/js/dash-*.js", "javascript")],
}


# The Babel locale each language's dates, times and numbers are formatted in (British English: "Monday,
# 7 December 2026, 09:30"; Indonesian: "Senin, 7 Desember 2026, 09.30").
BABEL_LOCALES: Mapping[Language, str] = {"en": "en_GB", "id": "id_ID"}


def catalogue_path(language: str, domain: Domain) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalogue(language: Language, domain: Domain) -> Catalog:
    """A language's catalogue of one domain, as Babel reads it."""
    with catalogue_path(language, domain).open("rb") as source:
        return read_po(source, locale=language, domain=domain)


@cache
def translations(language: Language, domain: Domain) -> Translations:
    """The gettext translations of a language and domain (compiled in memory: no .mo files to keep in step)."""
    return _compiled(language, domain)


@cache
def page_translations(language: Language, domain: Domain, *more: Domain) -> Translations:
    """A page's words from several domains, the first one's first: the policy pages say their own (`messages`)
    in the frame every page shares (`web`: page.html's header and footer)."""
    words = _compiled(language, domain)
    for other in more:
        words.add_fallback(translations(language, other))
    return words


def _compiled(language: Language, domain: Domain) -> Translations:
    compiled = BytesIO()
    write_mo(compiled, catalogue(language, domain), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def client_catalogue(language: Language, domain: Domain) -> dict[str, str | list[str]]:
    """A domain's words for the web client (web/js/i18n.js): message id → text, or the plural forms' texts
    (picked by `Intl.PluralRules` in the browser), keyed by the singular id."""
    words: dict[str, str | list[str]] = {}
    for message in catalogue(language, domain):
        if not message.id or not message.string:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        value = message.string
        words[str(key)] = [str(form) for form in value] if isinstance(value, tuple | list) else str(value)
    return words
