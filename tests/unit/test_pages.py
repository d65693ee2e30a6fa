"""Issue 27: the web client's pages come from one layout (shared/web/templates/page.html). Each page's template
declares only its title, description, modules and body; the head and frame are written once, rendered once per
page, and load only modules that exist and that the page's script really imports."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import get_args

import pytest
from flask import Flask, request

from shared.web.pages import FRAMABLE_PAGE_HEADERS, PAGE_HEADERS, TEMPLATES, ClientPage, client_page

WEB_JS = Path(__file__).resolve().parents[2] / "web" / "js"
# What each page says of itself, in the browser tab and to search engines and link previews.
OWN_WORDS: dict[ClientPage, tuple[str, str | None]] = {
    "dashboard": ("Kaleno", "Kaleno: booking pages on your Google Calendar."),
    "book": ("Book a time · Kaleno", "Pick a free time and book a meeting in a few clicks"),
    "host": ("Book a time · Kaleno", "Choose a meeting and book a free time with this host"),
    "manage": ("Your booking · Kaleno", None),
    "privacy-rights": ("Your data at Kaleno", None),
}
# The frame every page shares, each written once in page.html (or document.html) and nowhere else.
SHARED = {
    "charset": '<meta charset="utf-8">',
    "icon": '<link rel="icon" href="data:,">',
    "viewport": '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "stylesheet": '<link rel="stylesheet" href="/web/app.css">',
    "skip link": '<a class="skip" href="#main">Skip to content</a>',
    "site header": '<header class="site"><a class="brand" href="/">Kaleno</a>',
    "main": '<main id="main" tabindex="-1"',
    "cookie banner": '<div id="consent"></div>',
    "footer": '<footer class="site">',
}
LAYOUTS = {"document.html", "page.html"}


class Head(HTMLParser):
    """The elements of a page in order, with their attributes, and the text of its <title>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def all(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs for name, attrs in self.elements if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]

    def meta(self, name: str) -> str | None:
        found = self.all("meta", name=name)
        assert len(found) <= 1, name
        return found[0]["content"] if found else None


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


def rendered(app: Flask, page: ClientPage) -> str:
    with app.test_request_context("/"):
        return client_page(page, request).get_data(as_text=True)


def imported_by(script: str) -> set[str]:
    """Every module a module imports statically, followed through its imports (what modulepreload may name)."""
    seen: set[str] = set()
    waiting = [script]
    while waiting:
        source = (WEB_JS / waiting.pop()).read_text()
        for name in re.findall(r'^import [^;]*?from "\./([\w-]+\.js)";', source, flags=re.M | re.S):
            if name not in seen:
                seen.add(name)
                waiting.append(name)
    return seen


def test_every_client_page_is_listed_with_its_own_words() -> None:
    assert set(OWN_WORDS) | {"blank"} == set(get_args(ClientPage))


@pytest.mark.parametrize("page", list(OWN_WORDS))
def test_each_page_has_the_shared_frame_exactly_once(app: Flask, page: ClientPage) -> None:
    html = rendered(app, page)

    for part, markup in SHARED.items():
        assert html.count(markup) == 1, f"{page}: {part}"
    assert html.startswith('<!doctype html>\n<html lang="en">\n<head>\n')
    assert html.count("<head>") == html.count("<body") == 1


@pytest.mark.parametrize("page", list(OWN_WORDS))
def test_each_page_carries_its_own_title_and_description(app: Flask, page: ClientPage) -> None:
    title, description = OWN_WORDS[page]

    head = Head(rendered(app, page))

    assert head.title == title
    if description is None:  # its address names a booking or a person: it tells no other site where it was
        assert head.meta("description") is None
        assert head.meta("referrer") == "no-referrer"
    else:
        assert (head.meta("description") or "").startswith(description)
        assert head.meta("referrer") is None


def test_the_head_is_in_the_order_the_browser_wants_it(app: Flask) -> None:
    # charset first (within the first 1024 bytes), the stylesheet before the modules, the entry script last.
    head = Head(rendered(app, "book").split("</head>")[0])

    kinds = [(tag, attrs.get("rel") or attrs.get("name") or attrs.get("charset")) for tag, attrs in head.elements]

    assert kinds[:3] == [("html", None), ("head", None), ("meta", "utf-8")]
    assert kinds[3:6] == [("link", "icon"), ("meta", "viewport"), ("title", None)]
    assert kinds[6:8] == [("meta", "description"), ("link", "stylesheet")]
    assert {kind for kind in kinds[8:-1]} == {("link", "modulepreload")}
    assert kinds[-1] == ("script", None)


@pytest.mark.parametrize("page", list(OWN_WORDS))
def test_a_page_preloads_only_modules_its_script_imports(app: Flask, page: ClientPage) -> None:
    head = Head(rendered(app, page))

    (script,) = head.all("script")
    preloaded = [str(link["href"]) for link in head.all("link", rel="modulepreload")]

    assert script["type"] == "module"
    entry = str(script["src"]).removeprefix("/web/js/")
    assert (WEB_JS / entry).is_file()
    names = [href.removeprefix("/web/js/") for href in preloaded]
    assert len(names) == len(set(names)), names
    assert set(names) <= imported_by(entry), page
    assert {"dom.js", "i18n.js", "api.js", "consent.js"} <= set(names)  # the common ones, from the layout
    assert "types.js" not in names


@pytest.mark.parametrize("page", [*OWN_WORDS, "blank"])
def test_no_page_has_inline_script_or_style_the_csp_would_block(app: Flask, page: ClientPage) -> None:
    head = Head(rendered(app, page))

    assert all(attrs.get("src") for attrs in head.all("script"))
    assert head.all("style") == []
    assert all("style" not in attrs for _, attrs in head.elements)
    assert "script-src 'self'" in PAGE_HEADERS["Content-Security-Policy"]


def test_only_the_layouts_write_the_head_and_frame() -> None:
    frame = [*SHARED.values(), "<head", "<html", "<!doctype", "<script", "<link"]

    for template in sorted(TEMPLATES.glob("*.html")):
        if template.name in LAYOUTS:
            continue
        source = template.read_text()
        assert [markup for markup in frame if markup in source] == [], template.name
        assert source.startswith("{#") or source.startswith("{% extends"), template.name


def test_the_benchmarks_blank_page_is_the_documents_bare_head(app: Flask) -> None:
    head = Head(rendered(app, "blank"))

    assert [tag for tag, _ in head.elements] == ["html", "head", "meta", "link", "title", "body"]
    assert head.title == "Kaleno"


def test_text_is_escaped_in_the_layout() -> None:
    from shared.web.pages import _templates

    html = _templates().get_template("page.html").render(title="<b>A & B</b>", description='"x"', script="book.js")

    assert "<title>&lt;b&gt;A &amp; B&lt;/b&gt;</title>" in html
    assert 'content="&#34;x&#34;"' in html


def test_an_unchanged_page_is_revalidated_with_its_etag(app: Flask) -> None:
    app.add_url_rule("/<host>/<kind>", view_func=lambda **_: client_page("book", request))
    browser = app.test_client()

    first = browser.get("/ada/intro")
    again = browser.get("/ada/intro", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-cache"
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Content-Security-Policy"] == FRAMABLE_PAGE_HEADERS["Content-Security-Policy"]


def framing(app: Flask, page: ClientPage, query: str = "") -> tuple[str, str]:
    with app.test_request_context(f"/somewhere{query}"):
        answer = client_page(page, request)
    (ancestors,) = [rule for rule in answer.headers["Content-Security-Policy"].split("; ") if "frame-ancestors" in rule]
    assert "X-Frame-Options" not in answer.headers
    return ancestors, answer.get_data(as_text=True)


@pytest.mark.parametrize("page", ["book", "host"])
def test_the_booking_and_host_pages_may_be_framed_by_any_site(app: Flask, page: ClientPage) -> None:
    assert framing(app, page)[0] == framing(app, page, "?embed=1")[0] == "frame-ancestors *"


@pytest.mark.parametrize("page", ["dashboard", "manage", "privacy-rights"])
def test_the_other_pages_refuse_every_frame_even_asked_to_embed(app: Flask, page: ClientPage) -> None:
    ancestors, html = framing(app, page, "?embed=1")

    assert ancestors == "frame-ancestors 'none'"
    assert html.count('<footer class="site">') == 1


@pytest.mark.parametrize("page", ["book", "host"])
def test_an_embedded_page_has_no_site_chrome_and_no_cookie_banner(app: Flask, page: ClientPage) -> None:
    _, html = framing(app, page, "?embed=1")

    for part in ("skip link", "site header", "cookie banner", "footer"):
        assert SHARED[part] not in html, part
    assert 'class="public embedded"' in html
    assert "hide-host" not in html


def test_an_embed_may_hide_the_host_card_from_the_first_paint(app: Flask) -> None:
    _, hidden = framing(app, "book", "?embed=1&hide_host=1")
    _, not_embedded = framing(app, "book", "?hide_host=1")

    assert 'class="public embedded hide-host"' in hidden
    assert "hide-host" not in not_embedded
    assert SHARED["footer"] in not_embedded
