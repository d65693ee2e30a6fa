"""Keeps the message catalogues in step with the code: `python -m devstack.catalogues`.

Extracts every domain's messages with Babel (shared/i18n.py SOURCES) and updates each language's `.po`: a new
message is added (its English text copied into the English catalogue, left empty in the others for a
translator), a message the code no longer says is dropped. tests/unit/test_catalogues.py fails until every
message has its words in every language.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from shared.domain.language import DEFAULT_LANGUAGE, LANGUAGES
from shared.i18n import DOMAINS, KEYWORDS, ROOT, SOURCES, Domain, catalogue, catalogue_path

# The project's message ids are English sentences; a translator's note starts with "Translators:".
COMMENT_TAGS = ("Translators:",)
# Fixed dates in the headers, so a catalogue changes only when its messages do.
CATALOGUE_DATE = datetime(2026, 12, 7, tzinfo=UTC)


def extracted(domain: Domain) -> Catalog:
    """Every message the code says in a domain, with where it says it."""
    found = Catalog(domain=domain, project="Kaleno", creation_date=CATALOGUE_DATE)
    messages = extract_from_dir(
        ROOT,
        method_map=SOURCES[domain],
        keywords=KEYWORDS,  # type: ignore[arg-type]  # Babel types the spec loosely; these are its own shapes
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=_source_directory,
        # t("…") inside a `${…}` of a template literal is a message too.
        options_map={pattern: {"parse_template_string": "true"} for pattern, method in SOURCES[domain]},
    )
    for filename, line, message, comments, context in messages:
        found.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return found


def _source_directory(path: str) -> bool:
    """Walk only our own code: not installs, caches or run output."""
    name = os.path.basename(path)
    return not name.startswith((".", "_")) and name not in {"node_modules", "tests", "sandbox", "docs", "infra"}


def updated(domain: Domain, language: str) -> Catalog:
    """A language's catalogue brought in step with the code: new messages added, unused ones dropped."""
    template = extracted(domain)
    path = catalogue_path(language, domain)
    current = catalogue(language, domain) if path.exists() else _new(language, domain)
    current.update(template, no_fuzzy_matching=True)
    current.obsolete.clear()
    if language == DEFAULT_LANGUAGE:
        for message in current:
            if message.id and not _complete(message.string):  # a plural's forms are ("", ""), not empty
                message.string = message.id
    return current


def _new(language: str, domain: Domain) -> Catalog:
    return Catalog(
        locale=language,
        domain=domain,
        header_comment=f"# Kaleno's {domain} in {language} (shared/i18n.py; python -m devstack.catalogues).",
        project="Kaleno",
        version="1",
        copyright_holder="Kaleno",
        creation_date=CATALOGUE_DATE,
        revision_date=CATALOGUE_DATE,
        language_team="Kaleno",
        last_translator="Kaleno",
        fuzzy=False,
    )


def main() -> int:
    for domain in DOMAINS:
        for language in LANGUAGES:
            path = catalogue_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            result = updated(domain, language)
            with path.open("wb") as target:
                write_po(target, result, width=120, sort_output=True, no_location=True)
            missing = sum(1 for message in result if message.id and not _complete(message.string))
            print(f"{path.relative_to(ROOT)}: {len(result)} messages, {missing} to translate")
    return 0


def _complete(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


if __name__ == "__main__":
    sys.exit(main())
