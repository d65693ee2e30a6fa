"""The booking page passes the bot gate by itself: an event type that always asks for a proof of work books
with no extra step, and a slow check says so politely (in a live region) without breaking the layout."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import altcha.v1 as altcha
from playwright.sync_api import BrowserContext, Route, expect

from shared.config import get_settings
from tests.browser.pages import PageWatch, check_layout
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def pick_first_time_and_fill(watch: PageWatch, slug: str) -> None:
    page = watch.page
    page.goto(f"/{slug}/call")
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    page.get_by_role("list", name=re.compile("^Free times on")).get_by_role("button").first.click()
    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")


def test_a_visitor_books_an_always_gated_event_type_with_no_extra_step(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, bot_gate="always")
    _, watch = open_context("Europe/London")
    pick_first_time_and_fill(watch, slug)
    proofs: list[str] = []
    watch.page.on("request", lambda request: proofs.append(request.headers.get("kaleno-proof", "")))

    watch.page.get_by_role("button", name="Confirm booking").click()

    expect(watch.page.get_by_role("heading", name=re.compile("booked|confirmed", re.IGNORECASE))).to_be_visible()
    assert any(proofs), "the page sent its solution in the Kaleno-Proof header"
    assert not watch.errors


def test_a_slow_check_is_announced_politely_and_the_booking_follows(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    from shared.bootstrap import adapters
    from shared.services.bot_gate import gate_key

    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, bot_gate="always")
    _, watch = open_context("Europe/London")
    pick_first_time_and_fill(watch, slug)
    # The server's first answer, but with a genuine challenge whose number lies far out: a slow phone's case.
    key = gate_key(adapters().secrets.app_secret(get_settings().manage_key_secret_name))
    hard = altcha.create_challenge(altcha.ChallengeOptions(max_number=3_000_000, number=2_500_000, hmac_key=key))
    problem = {
        "type": "https://kaleno.app/problems/proof-required",
        "title": "Proof of work required",
        "status": 403,
        "detail": "Booking this page needs a quick automatic check first.",
        "challenge": hard.to_dict(),
    }
    refused: list[bool] = []

    def first_answer_refused(route: Route) -> None:
        if route.request.method == "POST" and not route.request.headers.get("kaleno-proof") and not refused:
            refused.append(True)
            route.fulfill(status=403, content_type="application/problem+json", body=json.dumps(problem))
        else:
            route.continue_()

    watch.page.route(re.compile(r"/bookings/?$"), first_answer_refused)

    watch.page.get_by_role("button", name="Confirm booking").click()

    checking = watch.page.get_by_role("status").filter(has_text="Checking your browser…")
    expect(checking).to_be_visible()
    check_layout(watch, "booking-bot-gate-checking", expected_statuses=(403,))
    expect(watch.page.get_by_role("heading", name=re.compile("booked|confirmed", re.IGNORECASE))).to_be_visible(
        timeout=120_000
    )
    expect(checking).to_have_count(0)


def test_the_host_turns_the_bot_check_on_for_every_booking_in_the_dashboard(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    assert browser.patch("/hosts/me", json={"onboarded": True}).status_code == 200
    _, watch = open_context("UTC")
    page = watch.page
    page.goto("/")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="Sign in with Google").click()
    types = page.get_by_role("region", name="Event types")
    types.get_by_role("button", name="Edit Call").click()
    types.get_by_role("button", name="More options").click()
    bot_check = types.get_by_label("Bot check")
    expect(bot_check).to_have_value("auto")

    bot_check.select_option("always")
    types.get_by_role("button", name="Save event type").click()

    # What the host is told once the save answered ("Edit Call" is on the list all along, so it proves nothing).
    expect(page.get_by_text("Call was saved.")).to_be_visible()
    expect(types.get_by_role("button", name="Edit Call")).to_be_visible()
    (saved,) = browser.get("/hosts/me/event-types").json()["event_types"]
    assert saved["bot_gate"] == "always"
