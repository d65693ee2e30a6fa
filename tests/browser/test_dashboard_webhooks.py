"""The host's webhooks in the dashboard: an endpoint added (its secret shown once, gone after a reload), a
booking delivered to a local receiver and seen in the endpoint's delivery log, a refused URL marked on its
field, the endpoint deleted; axe-clean at desktop and 375 px with the secret and with the log shown."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, check_both_widths
from tests.browser.test_dashboard_bookings import open_section, sign_in
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours

HOST_ZONE = "Europe/Berlin"


class Receiver:
    """A CRM's endpoint on 127.0.0.1 (the local stack allows it) that answers every POST with 200."""

    def __init__(self) -> None:
        self.events: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.events.append(self.headers.get("Kaleno-Event-Id", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def test_the_host_adds_an_endpoint_sees_its_deliveries_and_deletes_it(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    receiver: Receiver,
    sensitive: set[str],
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY)
    context, host = open_context(HOST_ZONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page = host.page
    sign_in(page)
    open_section(page, "Integrations")
    section = page.get_by_role("region", name="Webhooks")
    expect(section.get_by_role("status").first).to_have_text("No endpoints yet.")

    # A URL that is not http(s) is refused beside its field; nothing is added.
    url = section.get_by_label("Endpoint URL")
    url.fill("ftp://x")
    section.get_by_role("button", name="Add endpoint").click()
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(url).to_have_accessible_description(re.compile("Enter a web address such as https:"))
    expect(url).to_be_focused()
    assert browser.get("/hosts/me/webhooks").json()["webhooks"] == []

    # No event ticked: said inside the "Events" group.
    url.fill(receiver.url)
    events = section.get_by_role("group", name="Events")
    for name in ("Booking created", "Booking rescheduled", "Booking cancelled"):
        events.get_by_role("checkbox", name=re.compile(name)).uncheck()
    section.get_by_role("button", name="Add endpoint").click()
    expect(events).to_have_attribute("aria-invalid", "true")
    expect(events.locator(".field-error")).to_be_visible()
    expect(url).not_to_have_attribute("aria-invalid", "true")

    # Added for booking.created only: the secret is shown once, read-only, with a way to copy it.
    events.get_by_role("checkbox", name=re.compile("Booking created")).check()
    section.get_by_label("Description (optional)").fill("CRM")
    section.get_by_role("button", name="Add endpoint").click()
    secret_box = section.get_by_role("textbox", name="Signing secret")
    expect(secret_box).to_be_focused()
    expect(secret_box).to_have_attribute("readonly", "")
    expect(secret_box).to_have_accessible_description(re.compile("will not be shown again"))
    secret = secret_box.input_value()
    assert secret.startswith("whsec_")
    sensitive.add(secret)
    section.get_by_role("button", name="Copy secret").click()
    expect(section.get_by_role("status").filter(has_text="Secret copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    endpoint = section.get_by_role("list", name="Your webhook endpoints").get_by_role("listitem")
    expect(endpoint).to_have_count(1)
    expect(endpoint).to_contain_text(receiver.url)
    expect(endpoint).to_contain_text("CRM · booking.created")
    expect(url).to_have_value("")  # the form is ready for another
    check_both_widths(page, screenshots, "dashboard-webhook-secret-375")

    # After a reload the secret is gone for good; the endpoint stays.
    page.reload()
    expect(endpoint).to_contain_text(receiver.url)
    expect(section.get_by_role("textbox", name="Signing secret")).to_have_count(0)
    assert secret not in page.content()

    # A booking is announced to the receiver; the endpoint's log shows it delivered.
    created = post_booking(api, booking_body(slug, day_ahead(5, 10)))
    assert created.status_code == 201, created.text
    google.drain_tasks()
    assert receiver.events == [f"{created.json()['id']}-v1-booking.created"]
    deliveries = section.get_by_role("button", name="Deliveries to CRM")
    deliveries.click()
    expect(deliveries).to_have_attribute("aria-expanded", "true")
    table = section.get_by_role("table", name=re.compile("Deliveries to"))
    expect(table.get_by_role("columnheader", name="State")).to_be_visible()
    row = table.get_by_role("row").filter(has_text="booking.created")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text(re.compile("delivered", re.I))
    expect(row).to_contain_text("200")
    check_both_widths(page, screenshots, "dashboard-webhook-deliveries-375")

    # Deleted after a confirmation.
    section.get_by_role("button", name="Delete CRM").click()
    confirm = section.get_by_role("button", name="Yes, delete this endpoint")
    expect(confirm).to_be_focused()
    confirm.click()
    expect(section.get_by_role("status").first).to_contain_text("was deleted")
    expect(endpoint).to_have_count(0)
    assert browser.get("/hosts/me/webhooks").json()["webhooks"] == []
