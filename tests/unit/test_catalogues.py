"""Every message the code says has its words in every language (shared/i18n.py, devstack/catalogues.py).

Run `python -m devstack.catalogues` after changing what the code says; then translate what it left empty.
"""

from __future__ import annotations

import re

import pytest

from devstack.catalogues import extracted
from shared.domain.language import LANGUAGES, Language
from shared.i18n import DOMAINS, Domain, catalogue, client_catalogue, translations

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


def _ids(message_id: object) -> tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, tuple | list) else (str(message_id),)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_the_code_says_is_translated_and_every_translation_is_used(
    language: Language, domain: Domain
) -> None:
    said = {_ids(message.id)[0] for message in extracted(domain) if message.id}
    held = {_ids(message.id)[0]: message for message in catalogue(language, domain) if message.id}
    assert sorted(said - held.keys()) == [], f"missing in {language}/{domain}: run python -m devstack.catalogues"
    assert sorted(held.keys() - said) == [], f"unused in {language}/{domain}: run python -m devstack.catalogues"
    untranslated = [key for key, message in held.items() if not all(_ids(message.string or ""))]
    assert untranslated == [], f"untranslated in {language}/{domain}"
    fuzzy = [key for key, message in held.items() if message.fuzzy]
    assert fuzzy == [], f"fuzzy in {language}/{domain}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translation_keeps_every_placeholder_of_its_message(language: Language, domain: Domain) -> None:
    for message in catalogue(language, domain):
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_ids(message.id))))
        for form in _ids(message.string or ""):
            assert set(PLACEHOLDER.findall(form)) == wanted, (language, domain, message.id, form)


def test_the_catalogues_load_for_the_server_and_the_client() -> None:
    for language in LANGUAGES:
        for domain in DOMAINS:
            assert translations(language, domain).gettext("") is not None
            assert isinstance(client_catalogue(language, domain), dict)
