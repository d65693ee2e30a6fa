"""Issue 29: a client page is rendered in the visitor's language (shared/web/pages.py): their choice (`?lang=`,
then the `kaleno_lang` cookie), their browser's `Accept-Language`, the host's default, English. The template's
words come from the `web` catalogue; a page in another language carries its modules' words as JSON."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask, request

from shared.i18n import client_catalogue, translations
from shared.web.languages import page_language
from shared.web.pages import _words, client_page
from shared.web.previews import LinkPreview
from tests.unit.test_pages import Head


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/<host>/<kind>", "book", lambda **_: client_page("book", request))
    app.add_url_rule("/<host>", "host", lambda **_: client_page("host", request, an_indonesian_host_s_preview()))
    app.add_url_rule("/dashboard", "dashboard", lambda: client_page("dashboard", request))
    return app


def an_indonesian_host_s_preview() -> LinkPreview:
    """A host whose pages default to Indonesian: their preview carries the language the page is shown in."""
    language = page_language(request, "id")
    return LinkPreview(title="Ada", description="", url="https://kaleno.test/ada", image=None, language=language)


def words_of(html: str) -> dict[str, object] | None:
    found = re.search(r'<script type="application/json" id="kaleno-words">(.*?)</script>', html, flags=re.S)
    return json.loads(found.group(1)) if found else None


def test_an_indonesian_browser_gets_the_page_in_indonesian_with_its_words(app: Flask) -> None:
    answer = app.test_client().get("/ada/intro", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
    html = answer.get_data(as_text=True)
    head = Head(html)

    assert html.startswith('<!doctype html>\n<html lang="id">')
    assert head.title == "Pesan waktu · Kaleno"
    assert '<h1 id="title">Pesan waktu</h1>' in html
    shown = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    assert "Kebijakan privasi" in shown
    assert "Privacy policy" not in shown
    assert words_of(html) == client_catalogue("id", "web")
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)
    # The only script without a file is the data block, which a browser never runs (the CSP allows it).
    assert [attrs.get("type") for attrs in head.all("script") if not attrs.get("src")] == ["application/json"]


def test_an_english_page_carries_no_words(app: Flask) -> None:
    html = app.test_client().get("/ada/intro", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)

    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert words_of(html) is None
    assert "kaleno-words" not in html


@pytest.mark.parametrize(
    ("address", "accept", "cookie", "language"),
    [
        ("/ada/intro?lang=en", "id", None, "en"),  # the visitor's choice wins over the browser
        ("/ada/intro", "id", "en", "en"),  # remembered, too
        ("/ada/intro?lang=id", "en", "en", "id"),  # the address first
        ("/ada/intro?lang=xx", "en", "id", "id"),  # a language we do not speak says nothing
        ("/ada/intro", "fr, id;q=0.5", None, "id"),
        ("/ada/intro", None, None, "en"),
        ("/ada", None, None, "id"),  # the host's default language on their own page
        ("/ada", "en", None, "en"),
    ],
)
def test_the_language_is_the_visitors_choice_then_their_browsers_then_the_hosts(
    app: Flask, address: str, accept: str | None, cookie: str | None, language: str
) -> None:
    browser = app.test_client()
    if cookie:
        browser.set_cookie("kaleno_lang", cookie)

    html = browser.get(address, headers={"Accept-Language": accept} if accept else {}).get_data(as_text=True)

    assert html.startswith(f'<!doctype html>\n<html lang="{language}">')


def test_each_language_has_its_own_etag(app: Flask) -> None:
    browser = app.test_client()
    english = browser.get("/ada/intro", headers={"Accept-Language": "en"})
    indonesian = browser.get("/ada/intro", headers={"Accept-Language": "id"})
    again = browser.get("/ada/intro", headers={"Accept-Language": "id", "If-None-Match": indonesian.headers["ETag"]})
    switched = browser.get("/ada/intro?lang=en", headers={"If-None-Match": indonesian.headers["ETag"]})

    assert english.headers["ETag"] != indonesian.headers["ETag"]
    assert again.status_code == 304
    assert switched.status_code == 200


def test_the_footer_switch_names_each_language_in_itself_and_marks_the_current_one(app: Flask) -> None:
    head = Head(app.test_client().get("/ada/intro?lang=id").get_data(as_text=True))

    links = head.all("a", **{"data-language": "en"}) + head.all("a", **{"data-language": "id"})
    assert [(link["href"], link["lang"], link["hreflang"], link.get("aria-current")) for link in links] == [
        ("?lang=en", "en", "en", None),
        ("?lang=id", "id", "id", "true"),
    ]
    assert head.all("nav", **{"aria-label": "Bahasa", "class": "languages"})


def test_the_dashboard_carries_the_web_and_the_dashboard_words(app: Flask) -> None:
    html = app.test_client().get("/dashboard?lang=id").get_data(as_text=True)

    assert words_of(html) == {**client_catalogue("id", "web"), **client_catalogue("id", "dashboard")}


def test_no_word_can_close_the_data_block(monkeypatch: pytest.MonkeyPatch) -> None:
    import shared.web.pages as pages

    monkeypatch.setattr(pages, "client_catalogue", lambda *_: {"</script><script>alert(1)</script>": "<!--"})

    data = str(_words("book", "id"))

    assert "<" not in data
    assert json.loads(data) == {"</script><script>alert(1)</script>": "<!--"}


def test_the_templates_say_their_words_through_the_catalogue() -> None:
    assert translations("id", "web").gettext("Skip to content") == "Langsung ke konten"
