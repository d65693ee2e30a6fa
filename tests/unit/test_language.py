"""The reader's language: their choice, then their browser's by quality, then the host's, then English."""

import pytest

from shared.domain.language import LANGUAGES, negotiate, preferred, supported


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("id", "id"),
        ("id-ID", "id"),
        ("ID", "id"),
        ("in", "id"),
        ("en-GB", "en"),
        ("en_US", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_a_code_names_a_language_we_speak_or_none(code: str | None, language: str | None) -> None:
    assert supported(code) == language


def test_the_browser_s_best_supported_language_wins_by_quality_then_order() -> None:
    assert preferred("fr-FR, id;q=0.8, en;q=0.9") == "en"
    assert preferred("fr-FR, id;q=0.9, en;q=0.9") == "id"
    assert preferred("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7") == "id"
    assert preferred("en;q=0, id;q=0.1") == "id"
    assert preferred("fr, de") is None
    assert preferred("*") is None
    assert preferred("id;q=nonsense, en") == "en"


def test_the_reader_s_choice_beats_the_browser_which_beats_the_host_s_default() -> None:
    assert negotiate("id", "en", "en") == "id"
    assert negotiate("xx", "en-US", "id") == "en"
    assert negotiate(None, "fr", "id") == "id"
    assert negotiate(None, None, None) == "en"
    assert set(LANGUAGES) == {"en", "id"}
