"""The host's own look over HTTP (issue 29): their picture (made anew on our side, served publicly, erased with
the account), their brand colour (refused when unreadable), their language, and link previews in the HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import requests
from PIL import Image

from tests.e2e.test_bookings import EVERY_DAY
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours
from tests.unit.test_avatar_image import GPS_IFD, photo_with_gps


class Head(HTMLParser):
    """The <title> and every <meta> of a page, as a crawler that runs no script reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and (found.get("property") or found.get("name")):
            self.meta[str(found.get("property") or found.get("name"))] = str(found.get("content"))
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def head_of(url: str, **headers: str) -> tuple[requests.Response, Head]:
    response = requests.get(url, headers=headers, timeout=10)
    head = Head()
    head.feed(response.text)
    return response, head


def uploaded(browser: Browser, body: bytes, media_type: str) -> requests.Response:
    return browser.put("/hosts/me/avatar", data=body, headers={"Content-Type": media_type})


def test_a_phone_photo_is_served_as_a_small_webp_without_its_position(browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    photo = photo_with_gps((1600, 1200))

    answer = uploaded(browser, photo, "image/jpeg")
    served = requests.get(answer.json()["avatar_url"], timeout=10)

    assert answer.status_code == 200, answer.text
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "immutable" in served.headers["Cache-Control"]
    picture = Image.open(BytesIO(served.content))
    assert picture.format == "WEBP"
    assert max(picture.size) <= 256
    assert picture.size[0] == picture.size[1]
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert not picture.getexif()
    assert b"PhoneMaker" not in served.content
    assert b"taken at home" not in served.content
    page = requests.get(f"{browser.api}/bookings/pages/{slug}/call", timeout=10).json()
    assert page["host"]["avatar_url"] == answer.json()["avatar_url"]


def test_a_new_picture_replaces_the_old_one_and_removing_it_leaves_none(browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    first = uploaded(browser, photo_with_gps(), "image/jpeg").json()["avatar_url"]

    second = uploaded(browser, photo_with_gps((300, 500)), "image/jpeg").json()["avatar_url"]
    old = requests.get(first, timeout=10)
    removed = browser.delete("/hosts/me/avatar")

    assert second != first
    assert_problem(old, 404, "not-found")
    assert removed.status_code == 200, removed.text
    assert removed.json()["avatar_url"] is None
    assert_problem(requests.get(second, timeout=10), 404, "not-found")
    page = requests.get(f"{browser.api}/bookings/pages/{slug}", timeout=10).json()
    assert page["host"]["avatar_url"] is None


def test_uploads_that_are_too_large_not_images_or_unreadable_are_refused(
    api: str, browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)

    too_large = uploaded(browser, b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024), "image/jpeg")
    not_image = uploaded(browser, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    bogus = uploaded(browser, b"GIF89a but not really", "image/gif")
    signed_out = requests.put(f"{api}/hosts/me/avatar", data=photo_with_gps(), headers={"Content-Type": "image/jpeg"})

    assert_problem(too_large, 413, "body-too-large")
    assert_problem(not_image, 415, "avatar-type-unsupported")
    assert_problem(bogus, 422, "avatar-unreadable")
    assert signed_out.status_code == 401
    assert browser.get("/hosts/me").json()["avatar_url"] is None


def test_the_picture_is_exported_and_erased_with_the_account(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    url = uploaded(browser, photo_with_gps(), "image/jpeg").json()["avatar_url"]

    exported = browser.get("/privacy/export").json()["avatars"]
    started = browser.post("/privacy/erase")
    google.drain_tasks()

    assert [url.endswith(avatar["path"]) for avatar in exported] == [True]
    assert exported[0]["image_base64"]
    assert started.status_code == 202, started.text
    assert_problem(requests.get(url, timeout=10), 404, "not-found")
    assert [path for path, _ in all_documents(db) if path.startswith("avatars/")] == []


def test_an_unreadable_brand_colour_is_refused_with_its_ratio_and_a_darker_shade(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)

    refused = browser.patch("/hosts/me", json={"brand_color": "#777777"})
    accepted = browser.patch("/hosts/me", json={"brand_color": "#767676"})
    shown = requests.get(f"{api}/bookings/pages/{slug}/call", timeout=10).json()["host"]
    removed = browser.patch("/hosts/me", json={"brand_color": None})

    (error,) = assert_problem(refused, 422, "validation-error")["errors"]
    assert error["field"] == "brand_color"
    assert error["code"] == "brand-color-contrast"
    assert "4.48:1" in error["message"]
    assert "4.5:1" in error["message"]
    assert "#76" in error["message"] or "#75" in error["message"]  # the nearest darker grey that passes
    assert accepted.json()["brand_color"] == "#767676"
    assert shown["brand_color"] == "#767676"
    assert removed.json()["brand_color"] is None
    assert_problem(browser.patch("/hosts/me", json={"brand_color": "teal"}), 422, "validation-error")


def test_the_hosts_language_is_set_and_shown_on_their_pages(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)

    changed = browser.patch("/hosts/me", json={"locale": "id"})
    refused = browser.patch("/hosts/me", json={"locale": "fr"})

    assert changed.json()["locale"] == "id"
    assert requests.get(f"{api}/bookings/pages/{slug}", timeout=10).json()["host"]["locale"] == "id"
    assert_problem(refused, 422, "validation-error")


def test_a_booking_link_previews_with_the_hosts_name_and_the_event_without_script(
    api: str, browser: Browser, google: Google
) -> None:
    description = "A first talk about your project. " * 10
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Intro call", description=description)
    assert browser.patch("/hosts/me", json={"display_name": 'Ana "A&B" <Host>'}).status_code == 200
    avatar = uploaded(browser, photo_with_gps(), "image/jpeg").json()["avatar_url"]

    page, head = head_of(f"{api}/{slug}/call")
    function_page, function_head = head_of(f"{api}/bookings/html/book/{slug}/call")

    assert page.status_code == 200
    assert head.title == 'Intro call with Ana "A&B" <Host> · Kaleno'
    assert head.meta["og:title"] == 'Intro call with Ana "A&B" <Host>'
    assert "&lt;Host&gt;" in page.text  # escaped where it is written
    assert "<Host>" not in page.text
    assert head.meta["og:description"].startswith("30 minutes · A first talk about your project.")
    assert len(head.meta["og:description"]) <= 170
    assert head.meta["description"] == head.meta["og:description"]
    assert head.meta["og:url"] == f"{api}/{slug}/call"
    assert head.meta["og:image"] == avatar
    assert head.meta["og:site_name"] == "Kaleno"
    assert head.meta["og:type"] == "website"
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["twitter:title"] == head.meta["og:title"]
    assert head.meta["twitter:image"] == avatar
    assert email not in page.text
    assert function_head.meta == head.meta
    assert function_page.headers["ETag"]
    again = requests.get(f"{api}/{slug}/call", headers={"If-None-Match": page.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_a_host_page_previews_with_their_name_and_their_meetings(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Intro call")
    assert browser.patch("/hosts/me", json={"display_name": "Ana Host"}).status_code == 200

    _, head = head_of(f"{api}/{slug}")

    assert head.title == "Ana Host · Kaleno"
    assert head.meta["og:title"] == "Ana Host"
    assert head.meta["og:description"] == "Book a time with Ana Host. Intro call (30 minutes)"
    assert "og:image" not in head.meta  # no picture yet
    assert email not in head.meta.values()


def test_a_crawler_gets_the_preview_in_the_hosts_language_and_a_reader_in_theirs(
    api: str, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Konsultasi")
    assert browser.patch("/hosts/me", json={"display_name": "Budi", "locale": "id"}).status_code == 200

    _, crawler = head_of(f"{api}/{slug}/call")
    _, reader = head_of(f"{api}/{slug}/call", **{"Accept-Language": "en-GB,en;q=0.9"})

    assert crawler.meta["og:title"] == "Konsultasi bersama Budi"
    assert crawler.meta["og:description"].startswith("30 menit · ")
    assert reader.meta["og:title"] == "Konsultasi with Budi"


def test_a_teams_pages_preview_with_the_teams_name(api: str, browser: Browser, google: Google) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    team = browser.post("/teams", json={"slug": f"{slug}-team", "name": "The Clinic"})
    assert team.status_code == 201, team.text
    me = browser.get("/hosts/me").json()["id"]
    consult = {"slug": "consult", "title": "Consult", "duration_minutes": 45, "booking_window_days": 366}
    typed = browser.post(
        f"/teams/{team.json()['id']}/event-types", json={**consult, "assignment": "round_robin", "members": [me]}
    )
    assert typed.status_code == 201, typed.text

    _, page = head_of(f"{api}/{slug}-team")
    booking, head = head_of(f"{api}/{slug}-team/consult")

    assert page.meta["og:title"] == "The Clinic"
    assert page.meta["og:description"] == "Book a time with The Clinic. Consult (45 minutes)"
    assert head.meta["og:title"] == "Consult with The Clinic"
    assert head.meta["og:description"].startswith("45 minutes · ")
    assert "og:image" not in head.meta
    assert email not in booking.text


def test_an_unknown_or_private_page_previews_as_the_generic_page(api: str, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Secret", visibility="private")

    unknown, unknown_head = head_of(f"{api}/nobody-here-{slug}/call")
    private, private_head = head_of(f"{api}/{slug}/call")

    assert unknown.status_code == 200
    assert unknown_head.title == "Book a time · Kaleno"
    assert "og:title" not in unknown_head.meta
    assert private.status_code == 200
    assert private_head.title == "Book a time · Kaleno"
    assert "Secret" not in private.text
