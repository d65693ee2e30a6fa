"""Issue 29: Kaleno embedded on another website. A shop's page on a second origin (another port) loads
`<kaleno>/embed.js`; a visitor books through the inline frame and through the popup, the shop's page hears
`kaleno:booked` (id, start, end, nothing else), the inline frame grows and shrinks with its content (no scrollbar
inside), the popup closes by its button, Escape and the backdrop and gives focus back; the dashboard and the
manage page refuse to be framed there; and the host finds the snippets and the QR code in the dashboard."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Page, expect

from tests.browser.pages import SCREENSHOTS, PageWatch, check_layout, snap
from tests.browser.test_dashboard_bookings import sign_in
from tests.e2e.test_bookings import EVERY_DAY
from tests.support import Browser, Google, host_with_hours

OpenContext = Callable[..., tuple[BrowserContext, PageWatch]]
FRAME_TITLE = "Book a time with Kaleno"
INITIAL_HEIGHT = 640  # 40rem, before the framed page says how tall it is
# Third-party storage blocked, as browsers may do in a frame: any use of either throws (in every frame).
STORAGE_BLOCKED = """for (const name of ["localStorage", "sessionStorage"]) {
  Object.defineProperty(window, name, { get() { throw new DOMException("blocked", "SecurityError"); } });
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access lines in the test output."""


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Another website: plain files from a folder, on 127.0.0.1 at a port of its own (another origin)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def shop_page(folder: Path, name: str, api: str, body: str) -> str:
    """A page of the shop that loads Kaleno's embed script and records every `kaleno:booked` it hears."""
    (folder / name).write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A shop</title><link rel="icon" href="data:,"></head>
<body><main><h1>A shop selling bread</h1>
{body}
</main>
<script>
  window.heard = [];
  addEventListener("kaleno:booked", (event) => heard.push({{on: "window", detail: event.detail}}));
  for (const element of document.querySelectorAll("[data-kaleno], [data-kaleno-popup]")) {{
    element.addEventListener("kaleno:booked", (event) => heard.push({{on: element.id, detail: event.detail}}));
  }}
</script>
<script src="{api}/embed.js" async></script>
</body></html>
""",
        encoding="utf-8",
    )
    return name


def book_in(frame: FrameLocator | Page, *, name: str | None = "Siti Rahma", email: str | None = None) -> None:
    """The booking steps, inside the frame: a free day, its first time, the details, confirm."""
    frame.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    frame.get_by_role("list", name=re.compile(r"^Free times on")).get_by_role("button").first.click()
    if name is not None:
        frame.get_by_label("Name").fill(name)
    if email is not None:
        frame.get_by_label("Email").fill(email)
    frame.get_by_role("button", name="Confirm booking").click()
    expect(frame.get_by_role("heading", name="You are booked")).to_be_visible()


def kaleno_frame(page: Page, api: str) -> Frame:
    (frame,) = [frame for frame in page.frames if frame.url.startswith(api)]
    return frame


def fits(page: Page, api: str) -> int:
    """The inline frame's height once it is exactly its page's (so nothing scrolls inside it)."""
    frame, element = kaleno_frame(page, api), page.locator("#inline iframe")
    for _ in range(100):  # the page posts its height on every change; embed.js follows within a frame or two
        inside = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
        if element.evaluate("frame => frame.getBoundingClientRect().height") == inside:
            break
        page.wait_for_timeout(50)
    scroll = frame.evaluate("[document.documentElement.scrollHeight, document.documentElement.clientHeight]")
    assert scroll[0] <= scroll[1] == inside, f"the frame's page does not fit it: {scroll}, {inside}"
    return int(inside)


def heard(page: Page, count: int) -> list[dict[str, Any]]:
    page.wait_for_function(f"window.heard.length >= {count}")
    events: list[dict[str, Any]] = page.evaluate("window.heard")
    return events


def test_a_visitor_books_through_the_inline_frame_and_the_shop_hears_of_it(
    open_context: OpenContext, browser: Browser, google: Google, api: str, shop: tuple[str, Path]
) -> None:
    slug, _ = host_with_hours(browser, google, "Asia/Jakarta", EVERY_DAY, title="Bread tasting")
    origin, folder = shop
    name = shop_page(
        folder,
        "inline.html",
        api,
        f'<div id="inline" data-kaleno="{slug}/call" data-kaleno-name="Siti Rahma" '
        'data-kaleno-email="siti@example.id"></div>',
    )
    context, visitor = open_context("Asia/Jakarta")
    context.add_init_script(STORAGE_BLOCKED)  # the framed page must book without any storage
    page = visitor.page
    page.goto(f"{origin}/{name}")

    frame = page.frame_locator(f'#inline iframe[title="{FRAME_TITLE}"]')
    expect(frame.get_by_role("heading", name="Bread tasting", level=1)).to_be_visible()
    expect(frame.get_by_role("button", name=re.compile(r"\d+ free times?$")).first).to_be_visible()
    at_the_month = fits(page, api)
    assert at_the_month != INITIAL_HEIGHT
    # No site chrome and no cookie banner inside the frame: the visitor is on the shop's site.
    expect(frame.get_by_role("link", name="Kaleno")).to_have_count(0)
    expect(frame.get_by_role("button", name="Cookie settings")).to_have_count(0)
    expect(frame.get_by_role("button", name="Reject non-essential")).to_have_count(0)

    # Prefilled from the embed's options (carried in the fragment, gone from the frame's address once read).
    frame.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    frame.get_by_role("list", name=re.compile(r"^Free times on")).get_by_role("button").first.click()
    expect(frame.get_by_label("Name")).to_have_value("Siti Rahma")
    expect(frame.get_by_label("Email")).to_have_value("siti@example.id")
    assert "#" not in kaleno_frame(page, api).url
    frame.get_by_role("button", name="Confirm booking").click()
    expect(frame.get_by_role("heading", name="You are booked")).to_be_visible()

    events = heard(page, 2)
    assert fits(page, api) != at_the_month  # the confirmation is another height: the frame followed it
    assert [event["on"] for event in events] == ["inline", "window"]
    booking = events[0]["detail"]["booking"]
    assert events[0]["detail"] == events[1]["detail"] == {"booking": booking}
    assert set(booking) == {"id", "start", "end"}  # nothing about who booked
    assert re.fullmatch(r"[0-9a-f]{32}", booking["id"]), booking
    assert frame.get_by_role("link", name="Manage this booking").get_attribute("target") == "_blank"
    # Nothing non-essential inside the frame: no consent asked, no analytics, no cookie.
    assert not [url for url in visitor.requests if "/privacy/consent" in url or "analytics" in url]
    assert visitor.cookie_names() == set()


def test_a_visitor_books_through_the_popup_which_closes_every_usual_way(
    open_context: OpenContext, browser: Browser, google: Google, api: str, shop: tuple[str, Path]
) -> None:
    slug, _ = host_with_hours(browser, google, "Asia/Jakarta", EVERY_DAY, title="Bread tasting")
    origin, folder = shop
    name = shop_page(
        folder,
        "popup.html",
        api,
        f'<p><a id="popup" data-kaleno-popup="{slug}/call" href="{api}/{slug}/call">Book a tasting</a></p>'
        f'<div data-kaleno-button="{slug}/call" data-kaleno-text="Book a meeting" data-kaleno-hide-host></div>',
    )
    _, visitor = open_context("Asia/Jakarta", width=390, height=844)
    page = visitor.page
    page.goto(f"{origin}/{name}")
    link = page.get_by_role("link", name="Book a tasting")
    dialog = page.get_by_role("dialog", name=FRAME_TITLE)

    # Opened by the link: focus moves into the dialog; Escape closes it and focus comes back to the link.
    link.click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    frame = page.frame_locator(f'dialog iframe[title="{FRAME_TITLE}"]')
    expect(frame.get_by_role("heading", name="Bread tasting", level=1)).to_be_visible()
    check_layout(visitor, "embed-popup", widths=(320, 390, 768, 1280, 1440))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
    # Escape pressed inside the frame closes it too; so does a click on the backdrop, and the Close button.
    link.click()
    frame.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    link.click()
    dialog.click(position={"x": 2, "y": 2})
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()

    # Booked in the popup: the shop hears it on the link and on window.
    link.click()
    book_in(frame, email="siti@example.id")
    events = heard(page, 2)
    assert [event["on"] for event in events] == ["popup", "window"]
    assert set(events[0]["detail"]["booking"]) == {"id", "start", "end"}
    dialog.get_by_role("button", name="Close").click()
    expect(link).to_be_focused()

    # The floating button opens its own popup, here without the host card (the shop says who it is).
    floating = page.get_by_role("button", name="Book a meeting")
    floating.click()
    expect(dialog).to_be_visible()
    hidden_host = page.frame_locator(f'dialog[open] iframe[title="{FRAME_TITLE}"]')
    expect(hidden_host.get_by_role("heading", name="Bread tasting", level=1)).to_be_attached()  # still read out
    expect(hidden_host.get_by_role("button", name=re.compile(r"\d+ free times?$")).first).to_be_visible()
    assert hidden_host.locator(".host-card").evaluate("card => card.getBoundingClientRect().width") <= 1
    page.emulate_media(color_scheme="dark")  # the popup follows the visitor's scheme, as the page in it does
    snap(page, SCREENSHOTS, "embed-popup-hidden-host-dark-390")
    dialog.get_by_role("button", name="Close").click()
    expect(floating).to_be_focused()


def test_the_dashboard_and_the_manage_page_refuse_to_be_framed_by_another_site(
    open_context: OpenContext, browser: Browser, google: Google, api: str, shop: tuple[str, Path]
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Bread tasting")
    origin, folder = shop
    (folder / "framing.html").write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framing</title>
<link rel="icon" href="data:,"></head><body>
<iframe id="dashboard" title="Dashboard" src="{api}/dashboard/event-types"></iframe>
<iframe id="manage" title="Manage" src="{api}/manage?booking={"0" * 32}"></iframe>
<iframe id="booking" title="Booking" src="{api}/{slug}/call"></iframe>
</body></html>""",
        encoding="utf-8",
    )
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"{origin}/framing.html")

    # The booking page, framed without embed mode, loads (the control), still asking no cookie question in a frame;
    # the two others stay blank.
    booking = page.frame_locator("#booking")
    expect(booking.get_by_role("heading", name="Bread tasting", level=1)).to_be_visible()
    expect(booking.get_by_role("button", name="Cookie settings")).to_be_hidden()
    expect(booking.get_by_role("button", name="Reject non-essential")).to_have_count(0)
    for refused in ("dashboard", "manage"):
        expect(page.frame_locator(f"#{refused}").locator("main")).to_have_count(0)
    refusals = [error for error in visitor.errors if "frame-ancestors 'none'" in error]
    assert len(refusals) == 2, visitor.errors
    assert all(api in error for error in refusals), refusals
    visitor.errors[:] = [error for error in visitor.errors if error not in refusals]  # the refusals were the point


def test_the_host_finds_the_snippets_and_the_qr_code_of_a_public_event_type(
    open_context: OpenContext, browser: Browser, google: Google, api: str
) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY, title="Call")
    context, host = open_context("Europe/Berlin")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page = host.page
    sign_in(page)
    types = page.get_by_role("region", name="Event types")
    item = types.get_by_role("list", name="Your event types").get_by_role("listitem").filter(has_text="Call")

    toggle = item.get_by_role("button", name="Share and embed Call")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = item.get_by_role("region", name="Share Call")
    qr = panel.get_by_role("img", name=f"QR code of the booking link {api}/{slug}/call")
    expect(qr).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    download = panel.get_by_role("link", name="Download QR code for Call (SVG)")
    assert download.get_attribute("download") == f"kaleno-{slug}-call-qr.svg"
    inline = panel.get_by_role("textbox", name="Inline on the page")
    expect(inline).to_have_attribute("readonly", "")
    expect(inline).to_have_value(f'<div data-kaleno="{slug}/call"></div>\n<script src="{api}/embed.js" async></script>')
    expect(panel.get_by_role("textbox", name="A link that opens a popup")).to_have_value(
        re.compile(f'^<a data-kaleno-popup="{slug}/call" href="{re.escape(api)}/{slug}/call">')
    )
    panel.get_by_role("button", name="Copy code: A floating button, Call").click()
    expect(panel.get_by_role("status").filter(has_text="Code copied.")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == panel.get_by_role("textbox", name="A floating button").input_value()
    assert f'data-kaleno-button="{slug}/call"' in copied
    served = requests.get(f"{api}{qr.get_attribute('src')}", timeout=10)
    assert served.status_code == 401  # the QR route is the signed-in host's: the image above came with the session
    check_layout(host, "dashboard-share", expected_statuses=(401,))  # the sign-in page asked /hosts/me first


def test_an_embedded_host_page_keeps_its_meetings_in_the_frame(
    open_context: OpenContext, browser: Browser, google: Google, api: str, shop: tuple[str, Path]
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Bread tasting")
    origin, folder = shop
    name = shop_page(folder, "host.html", api, f'<div id="inline" data-kaleno="{slug}" data-kaleno-lang="en"></div>')
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"{origin}/{name}")

    frame = page.frame_locator(f'#inline iframe[title="{FRAME_TITLE}"]')
    frame.get_by_role("link", name="Bread tasting").click()

    expect(frame.get_by_role("heading", name="Bread tasting", level=1)).to_be_visible()
    assert kaleno_frame(page, api).url.startswith(f"{api}/{slug}/call?embed=1&origin=")
    expect(frame.get_by_role("contentinfo")).to_have_count(0)  # still without the site's footer
    fits(page, api)
