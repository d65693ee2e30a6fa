"""The host's own look in a browser (issue 29): the booking and host pages show the host's picture and apply
their brand colour; the dashboard's profile sets the language, the colour (its contrast shown while it is
chosen, the server's refusal shown by the field) and the picture (previewed before it is sent)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, FilePayload, Page, expect

from shared.domain.brand import AA_MINIMUM, brand_contrast
from tests.browser.pages import PageWatch, check_layout
from tests.e2e.test_bookings import EVERY_DAY
from tests.support import Browser, Google, host_with_hours
from tests.unit.test_avatar_image import photo_with_gps

BRAND = "#8a1c7c"  # a plum: readable under white text and on the white page
SIGNED_OUT = (401,)


def css(page: Page, script: str) -> str:
    return str(page.evaluate(script)).strip()


def test_the_booking_and_host_pages_show_the_hosts_picture_and_colour(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    assert brand_contrast(BRAND) >= AA_MINIMUM
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY, title="Intro call")
    assert browser.patch("/hosts/me", json={"display_name": "Ana Host", "brand_color": BRAND}).status_code == 200
    avatar = browser.put("/hosts/me/avatar", data=photo_with_gps(), headers={"Content-Type": "image/jpeg"})
    assert avatar.status_code == 200, avatar.text
    _, watch = open_context("Europe/Berlin")
    page = watch.page

    page.goto(f"/{slug}/call")
    page.get_by_role("button", name="Reject non-essential").click()
    expect(page.get_by_role("heading", name="Intro call", level=1)).to_be_visible()

    picture = page.locator("#avatar img")
    expect(picture).to_have_attribute("src", avatar.json()["avatar_url"])
    page.wait_for_function("() => document.querySelector('#avatar img').naturalWidth > 0")
    assert css(page, "getComputedStyle(document.documentElement).getPropertyValue('--accent')") == BRAND
    link = page.get_by_role("link", name="Privacy policy")
    assert css(page, "getComputedStyle(document.querySelector('footer a')).color") == "rgb(138, 28, 124)"
    expect(link).to_be_visible()
    free_day = page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first
    shown = free_day.evaluate("(day) => [getComputedStyle(day).color, getComputedStyle(day).backgroundColor]")
    assert "rgb(138, 28, 124)" in shown  # the brand on a free day (or under white text, once chosen)
    check_layout(watch, "booking-page-branded")

    page.goto(f"/{slug}")
    expect(page.get_by_role("heading", name="Ana Host", level=1)).to_be_visible()
    expect(page.locator("#avatar img")).to_have_attribute("src", avatar.json()["avatar_url"])
    assert css(page, "getComputedStyle(document.documentElement).getPropertyValue('--accent')") == BRAND
    check_layout(watch, "host-page-branded")


def test_the_profile_sets_the_language_the_colour_and_the_picture(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    assert browser.patch("/hosts/me", json={"display_name": "Lena Look", "onboarded": True}).status_code == 200
    _, watch = open_context("Europe/Berlin")
    page = watch.page
    page.goto("/")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="Sign in with Google").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("button", name="Save profile")).to_be_visible()
    expect(page.get_by_label("Colour", exact=True)).to_be_hidden()  # Kaleno's own colour until the host picks one
    check_layout(watch, "dashboard-profile-look", expected_statuses=SIGNED_OUT)

    # The colour's verdict while it is chosen, and the server's refusal beside the field when saved anyway.
    page.get_by_label("Language of your pages").select_option("id")
    page.get_by_label("Use my brand colour on my pages").check()
    page.get_by_label("Colour", exact=True).fill("#777777")
    expect(page.get_by_text(re.compile(r"Contrast 4\.48:1, below the 4\.5:1"))).to_be_visible()
    page.get_by_role("button", name="Save profile").click()
    colour = page.get_by_label("Colour", exact=True)
    expect(colour).to_have_attribute("aria-invalid", "true")
    expect(colour).to_have_accessible_description(re.compile(r"4\.48:1.*4\.5:1.*#767676"))
    page.get_by_role("button", name="Use #767676").click()
    expect(page.get_by_text("Contrast 4.54:1: readable.")).to_be_visible()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    saved = page.request.get("/hosts/me").json()
    assert (saved["brand_color"], saved["locale"]) == ("#767676", "id")

    # The picture: shown before it is sent, then the one Kaleno made, then removed.
    chosen: FilePayload = {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}
    page.get_by_label("Picture", exact=True).set_input_files(files=[chosen])
    expect(page.locator(".avatar.large img")).to_have_attribute("src", re.compile("^blob:"))
    check_layout(watch, "dashboard-profile-picture-chosen", expected_statuses=(*SIGNED_OUT, 422))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Picture saved.")).to_be_visible()
    url = page.request.get("/hosts/me").json()["avatar_url"]
    assert url
    expect(page.locator(".avatar.large img")).to_have_attribute("src", url)
    page.get_by_role("button", name="Remove picture").click()
    expect(page.get_by_text(re.compile("^Picture removed"))).to_be_visible()
    assert page.request.get("/hosts/me").json()["avatar_url"] is None
    expect(page.locator(".avatar.large")).to_have_text("LL")
