"""/privacy-rights: an invitee proves their address with the mailed link, then downloads, restricts and
erases every booking made with it; a spent link says so and offers a new one."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, check_layout
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours


def test_an_invitee_proves_their_address_by_mail_and_manages_all_its_bookings(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google, api: str
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    address = f"ines-{uuid.uuid4().hex[:6]}@example.org"
    for days in (3, 4):
        body = booking_body(slug, day_ahead(days, 10), who="Ines Invitee", notes=f"note {days}")
        body["invitee"]["email"] = address
        assert post_booking(api, body).status_code == 201
    _, visitor = open_context("UTC")
    page = visitor.page

    page.goto("/privacy-rights")
    expect(page.get_by_role("heading", name="See or manage everything about your email address")).to_be_visible()
    check_layout(visitor, "privacy-rights-ask")
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    check_layout(visitor, "privacy-rights-sent")

    (mail,) = [m for m in google.mail(to=address) if m["subject"] == "Your Kaleno privacy link"]
    link = next(word for word in str(mail["text"]).split() if "/privacy-rights#proof=" in word)
    page.goto(link)
    expect(page.get_by_role("heading", name="Everything about your address")).to_be_focused()
    assert "#proof=" not in page.url  # the spent token leaves the address bar and the history
    check_layout(visitor, "privacy-rights-granted")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert sorted(b["notes"] for b in exported["bookings"]) == ["note 3", "note 4"]
    page.get_by_role("button", name="Restrict processing").click()
    expect(page.get_by_role("button", name="Lift the restriction")).to_be_visible()
    expect(page.get_by_text("Processing of your bookings is restricted.")).to_be_visible()
    page.get_by_role("button", name="Erase my details").click()
    check_layout(visitor, "privacy-rights-erase")
    page.get_by_role("button", name="Erase them for good").click()
    expect(page.get_by_text("were erased from 2 bookings")).to_be_visible()

    page.goto(link)
    expect(page.get_by_role("main").get_by_text("This link was already used")).to_be_visible()
    check_layout(visitor, "privacy-rights-spent", expected_statuses=(410,))
