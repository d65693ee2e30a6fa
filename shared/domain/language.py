"""Which language a reader gets: Kaleno speaks English and Bahasa Indonesia, one message catalogue each
(shared/locales/<language>/LC_MESSAGES/*.po). Adding a language is adding its catalogues and its code here.

The order, first match wins: the reader's own choice (the page's switch: `?lang=`, remembered in the
`kaleno_lang` cookie), then their browser's preferences (`Accept-Language`, by quality), then the host's
default language (on a host's pages and in a host's notices), then English.
"""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["en", "id"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"


def supported(code: str | None) -> Language | None:
    """The language a code names, if we speak it: "id", "id-ID" and "ID" are Indonesian; "in" is its old code."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    primary = {"in": "id"}.get(primary, primary)
    for language in LANGUAGES:
        if language == primary:
            return language
    return None


def preferred(accept_language: str | None) -> Language | None:
    """The best language we speak among an `Accept-Language` header's, by quality then order (RFC 9110 §12.5.4);
    None when the header names none of ours (a `*` alone says nothing)."""
    ranked: list[tuple[float, int, Language]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        code, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(code)
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def negotiate(chosen: str | None = None, accept_language: str | None = None, fallback: str | None = None) -> Language:
    """The reader's language: their choice, else their browser's, else the host's default (`fallback`), else English."""
    return supported(chosen) or preferred(accept_language) or supported(fallback) or DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Marks a constant's English text for the catalogue (Babel extracts `N_("…")`); it is translated where it is
    said, with the reader's catalogue (`translations(language, "messages").gettext(constant)`)."""
    return message
