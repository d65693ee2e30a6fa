"""What the dashboard's first-run setup relies on, over HTTP: a new host starts in their Google Calendar's time
zone (hours too) and not yet onboarded; a page address is checked while it is typed; the setup is marked done."""

from __future__ import annotations

from typing import Any

import requests

from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_onboarding import signed_in_host
from tests.support import Browser, Google


def test_a_new_host_starts_in_their_calendars_zone_and_is_led_through_setup(browser: Browser, google: Google) -> None:
    _, host = signed_in_host(browser, google, time_zone="Europe/Berlin")

    assert host["time_zone"] == "Europe/Berlin"
    assert browser.get("/hosts/me/schedule").json()["time_zone"] == "Europe/Berlin"  # the hours follow
    assert host["onboarded"] is False
    assert google.state()["foreign_events_read"] == 0  # the zone came without reading any event

    done = browser.patch("/hosts/me", json={"onboarded": True})
    undone = browser.patch("/hosts/me", json={"onboarded": False})

    assert done.status_code == 200
    assert done.json()["onboarded"] is True
    assert assert_problem(undone, 422, "validation-error")["errors"][0]["field"] == "onboarded"
    assert browser.get("/hosts/me").json()["onboarded"] is True


def test_a_host_whose_calendar_is_in_utc_stays_in_utc(browser: Browser, google: Google) -> None:
    _, host = signed_in_host(browser, google, time_zone="UTC")

    assert host["time_zone"] == "UTC"


def test_a_page_address_is_checked_while_typed(browser: Browser, google: Google, api: str) -> None:
    _, mine = signed_in_host(browser, google)
    other = Browser(api)
    _, theirs = signed_in_host(other, google)

    def check(slug: str) -> Any:
        return browser.get("/hosts/me/slug-check", params={"slug": slug})

    assert check(mine["slug"]).json() == {"available": True}  # their own
    assert check(theirs["slug"]).json() == {"available": False}
    assert check(f"{mine['slug']}-x").json() == {"available": True}
    for bad in ("Not A Slug", "oauth", ""):
        assert assert_problem(check(bad), 422, "validation-error")["errors"][0]["field"] == "slug"
    assert_problem(Browser(api).get("/hosts/me/slug-check", params={"slug": "free"}), 401, "unauthenticated")


def test_each_dashboard_section_has_an_address_that_reloads_to_the_dashboard(api: str) -> None:
    index = requests.get(f"{api}/", timeout=10)
    for path in ("/dashboard", "/dashboard/setup", "/dashboard/bookings", "/dashboard/privacy"):
        page = requests.get(f"{api}{path}", timeout=10)
        assert (page.status_code, page.text) == (200, index.text), path
        assert page.headers["Content-Type"].startswith("text/html")
    assert_problem(requests.get(f"{api}/dashboard/nothing-here", timeout=10), 404, "not-found")
