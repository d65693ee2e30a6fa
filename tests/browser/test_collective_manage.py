"""The invitee's manage page moves a collective team booking (issue 28) as it moves a host's: it picks the new
time from the team's own page, and the booking lands at that time in every member's sandbox calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, assert_accessible
from tests.browser.test_journey import _first_free_time
from tests.e2e.test_bookings import booking_body, day_ahead, post_booking
from tests.e2e.test_collective_booking import collective_team, starts_in
from tests.e2e.test_teams import me
from tests.support import Google


def test_the_invitee_moves_a_collective_booking_from_the_manage_page(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str, sensitive: set[str]
) -> None:
    team_slug, _, bo, ada_email = collective_team(api, google, sensitive)
    start = day_ahead(6, 10)
    created = post_booking(api, booking_body(team_slug, start, "Ines Page", event_type="together")).json()
    google.drain_tasks()

    _, invitee = open_context("Europe/Lisbon")
    page = invitee.page
    page.goto(f"/manage?booking={created['id']}#token={created['manage_token']}")
    expect(page.get_by_role("status").filter(has_text="Your booking is confirmed.")).to_be_visible()
    page.get_by_role("button", name="Reschedule").click()
    _, new_start = _first_free_time(page)
    page.get_by_role("button", name="Confirm new time").click()
    expect(page.get_by_role("status").filter(has_text="Your booking was moved to")).to_be_visible()
    assert_accessible(page)
    google.drain_tasks()

    moved = datetime.fromisoformat(new_start)
    assert moved != start
    for email in (ada_email, me(bo)["email"]):  # every member's own event, at the time picked
        assert starts_in(google, email) == [moved]
