""" "No English left": the fixed words of every English message of a catalogue that its Indonesian says differently
(the text between placeholders and tags), except words Indonesian uses too ("Google Calendar", "Cookie", "Email").
A text in Indonesian must contain none of them (tests/e2e/test_server_languages.py, tests/unit/test_mail_languages.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from shared.i18n import Domain, catalogue

PLACEHOLDER_OR_TAG = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s|<[^>]+>")
ADDRESS = re.compile(r"\b(?:https?://|mailto:)\S+")  # a link's address is not words (".../dashboard")


def _forms(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value),)


def _text(value: Any) -> str:
    return " ".join(_forms(value or ""))


@cache
def english_phrases(domain: Domain = "messages") -> tuple[re.Pattern[str], ...]:
    indonesian = catalogue("id", domain)
    vocabulary = " ".join(_text(message.string) for message in indonesian if message.id)
    phrases: set[str] = set()
    for message in catalogue("en", domain):
        translated = indonesian.get(message.id)
        if not message.id or translated is None or _text(message.string) == _text(translated.string):
            continue
        for english in _forms(message.id):
            for fragment in PLACEHOLDER_OR_TAG.split(english):
                fragment = fragment.strip(" .,:;()\"'")
                if len(fragment) >= 3 and fragment not in vocabulary:
                    phrases.add(fragment)
    return tuple(re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])") for phrase in sorted(phrases))


def english_left(text: str, domain: Domain = "messages") -> list[str]:
    """The English phrases found in `text` (none, for a text wholly in Indonesian)."""
    words = ADDRESS.sub(" ", text)
    return [phrase.pattern for phrase in english_phrases(domain) if phrase.search(words)]
