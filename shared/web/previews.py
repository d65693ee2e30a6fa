"""Link previews: what a host's page and a booking page say about themselves in their HTML (title, description,
Open Graph and Twitter card), so a chat app or a search engine that runs no script shows the host's name, the
event and its length, and the host's picture.

Made from what the host published on the page, read as the public API reads it (the same services, so a private
event type previews as the generic page, as its API answers 404): the host's or team's name, the event's title,
length and the start of its description, and the picture's address. Never an email or anything else of the
account. The words are in the reader's language, and for a crawler (which names none) in the host's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.support import Translations
from flask import Request

from shared.domain.avatar import avatar_path
from shared.domain.errors import NotFound
from shared.domain.language import Language
from shared.i18n import translations
from shared.services import availability, team_availability
from shared.services.ports import Ports
from shared.web.languages import page_language

DESCRIPTION_CHARS = 150  # about what previews show before they cut


@dataclass(frozen=True)
class LinkPreview:
    """A page's own title and description, and its card: every value is escaped where it is written."""

    title: str  # the card's title; the page's <title> adds " · Kaleno"
    description: str
    url: str  # the page's absolute address
    image: str | None  # the host's picture, absolute; None: the card has none
    language: Language  # the language the words are in (the host's own for a crawler)


def host_preview(host_slug: str, request: Request, base_url: str, deps: Ports) -> LinkPreview | None:
    """A host's (or team's) page, /{slug}: their name and the meetings they offer; None if there is none."""
    try:
        page = availability.listed_page(availability.OpenHostPage(host_slug), deps)
    except NotFound:
        return _team_preview(host_slug, request, base_url, deps)
    language = page_language(request, page.locale)
    words = translations(language, "messages")
    minutes = [(et.title, et.duration_minutes) for et in page.listed().values()]
    return LinkPreview(
        title=page.display_name,
        description=_offer(words, page.display_name, minutes),
        url=f"{base_url}/{host_slug}",
        image=_image(base_url, page.avatar),
        language=language,
    )


def booking_preview(host_slug: str, type_slug: str, request: Request, base_url: str, deps: Ports) -> LinkPreview | None:
    """A booking page, /{slug}/{type}: the event with the host's name, its length and the start of its
    description; None for a page a visitor without a link cannot open (unknown, or private)."""
    opened = availability.OpenBookingPage(host_slug, type_slug)
    try:
        page, _, event_type = availability.booking_page(opened, deps)
        name, avatar, locale = page.display_name, page.avatar, page.locale
    except NotFound:
        try:
            found = team_availability.team_booking_page(opened, deps)
        except NotFound:
            return None
        name, avatar, locale, event_type = found.team.name, None, None, found.event_type.event_type
    language = page_language(request, locale)
    words = translations(language, "messages")
    said = _shortened(event_type.description) or words.gettext("Pick a free time in your own time zone.")
    return LinkPreview(
        title=words.gettext("{title} with {name}").format(title=event_type.title, name=name),
        description=f"{_minutes(words, event_type.duration_minutes)} · {said}",
        url=f"{base_url}/{host_slug}/{type_slug}",
        image=_image(base_url, avatar),
        language=language,
    )


def _team_preview(team_slug: str, request: Request, base_url: str, deps: Ports) -> LinkPreview | None:
    try:
        found = team_availability.listed_team_page(availability.OpenHostPage(team_slug), deps)
    except NotFound:
        return None
    language = page_language(request)
    minutes = [(et.event_type.title, et.event_type.duration_minutes) for et in found.listed().values()]
    return LinkPreview(
        title=found.team.name,
        description=_offer(translations(language, "messages"), found.team.name, minutes),
        url=f"{base_url}/{team_slug}",
        image=None,
        language=language,
    )


def _offer(words: Translations, name: str, minutes: list[tuple[str, int]]) -> str:
    """ "Book a time with Ana. Intro call (30 minutes), …", cut to the preview's length."""
    lead = words.gettext("Book a time with {name}.").format(name=name)
    listed = ", ".join(f"{title} ({_minutes(words, length)})" for title, length in minutes)
    return _shortened(f"{lead} {listed}" if listed else lead)


def _minutes(words: Translations, count: int) -> str:
    return words.ngettext("{count} minute", "{count} minutes", count).format(count=count)


def _shortened(text: str) -> str:
    """One line of at most DESCRIPTION_CHARS, cut at a word with "…"."""
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= DESCRIPTION_CHARS:
        return line
    cut = line[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def _image(base_url: str, avatar_id: str | None) -> str | None:
    return None if avatar_id is None else base_url + avatar_path(avatar_id)
