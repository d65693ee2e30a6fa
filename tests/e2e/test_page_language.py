"""Issue 29: the public pages in the visitor's language, as a browser without JavaScript (or a crawler) gets them
from the local stack: `<html lang>` and the template's own words, `?lang=` over the `kaleno_lang` cookie over
`Accept-Language`."""

from __future__ import annotations

import re

import requests

from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def page(api: str, address: str, accept: str | None = None, cookie: str | None = None) -> requests.Response:
    headers = {"Accept-Language": accept} if accept else {}
    cookies = {"kaleno_lang": cookie} if cookie else {}
    answer = requests.get(f"{api}{address}", headers=headers, cookies=cookies, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def test_an_indonesian_browser_gets_the_booking_page_in_indonesian(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "Asia/Jakarta", EVERY_DAY, title="Konsultasi")

    answer = page(api, f"/{slug}/call", accept="id-ID,id;q=0.9,en;q=0.5")

    assert answer.text.startswith('<!doctype html>\n<html lang="id">')
    assert re.search(r"<title>Konsultasi bersama [^<]+ · Kaleno</title>", answer.text)  # its link preview's words
    assert '<h1 id="title">Pesan waktu</h1>' in answer.text
    assert '<script type="application/json" id="kaleno-words">' in answer.text
    assert {"accept-language", "cookie"} <= {part.strip().lower() for part in answer.headers["Vary"].split(",")}


def test_the_visitors_choice_wins_over_their_browser_and_is_remembered(api: str) -> None:
    chosen = page(api, "/ada/intro?lang=en", accept="id")
    remembered = page(api, "/manage", accept="id", cookie="en")
    switched_back = page(api, "/privacy-rights?lang=id", accept="en", cookie="en")
    english = page(api, "/ada", accept="en-GB,en;q=0.9")

    assert chosen.text.startswith('<!doctype html>\n<html lang="en">')
    assert "<title>Book a time · Kaleno</title>" in chosen.text
    assert "kaleno-words" not in chosen.text
    assert remembered.text.startswith('<!doctype html>\n<html lang="en">')
    assert "<title>Your booking · Kaleno</title>" in remembered.text
    assert switched_back.text.startswith('<!doctype html>\n<html lang="id">')
    assert "<title>Data Anda di Kaleno</title>" in switched_back.text
    assert english.text.startswith('<!doctype html>\n<html lang="en">')
