"""Teams in the browser (issue 28): a host founds a team from the dashboard (a taken address said on its field),
invites a second host, who opens the mailed link signed out, signs in with Google through the sandbox and joins
at once; the owner makes them an admin and publishes a round-robin type with both members; a visitor books it on
the team's page, and the booking lands in one member's sandbox calendar. Each new state is laid out at five
widths by `check_layout`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import PageWatch, check_layout
from tests.browser.test_dashboard_bookings import EVERY_DAY, eventually, open_section
from tests.support import Google, unique_email

HOST_ZONE = "Europe/Berlin"
# 401: /hosts/me before sign-in.
QUIET = (401,)


def _signed_in_with_hours(page: Page, api: str) -> dict[str, str]:
    """The dashboard's sign-in (setup skipped), then every day 09:00-17:00 so the test does not depend on the
    weekday it runs on; returns the host (GET /hosts/me)."""
    page.goto("/")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="Sign in with Google").click()
    page.get_by_role("button", name="Skip setup").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    _every_day(page, api)
    host: dict[str, str] = page.request.get("/hosts/me").json()
    return host


def _every_day(page: Page, api: str) -> None:
    hours = {"time_zone": HOST_ZONE, "weekly": EVERY_DAY}
    saved = page.request.put("/hosts/me/schedule", data=hours, headers={"Origin": api})
    assert saved.status == 200, saved.text()


def test_a_host_founds_a_team_invites_a_second_host_who_joins_and_a_visitor_books_its_round_robin_type(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str
) -> None:
    ada_email, bo_email = unique_email(), unique_email()
    google.create_account(ada_email, name="Ada Owner", time_zone=HOST_ZONE)
    _, ada = open_context(HOST_ZONE)
    dash = ada.page
    ada_host = _signed_in_with_hours(dash, api)

    # --- Ada founds the team: a taken address is said on its field, then a free one is taken. ---
    open_section(dash, "Teams")
    teams = dash.get_by_role("region", name="Teams")
    expect(teams.get_by_role("status").first).to_contain_text("You are in no team yet")
    teams.get_by_role("button", name="Create a team").click()
    teams.get_by_label("Team name").fill("Acme Clinic")
    expect(teams.get_by_label("Page address (slug)")).to_have_value("acme-clinic")  # suggested from the name
    teams.get_by_label("Page address (slug)").fill(ada_host["slug"])  # Ada's own page: one registry
    teams.get_by_role("button", name="Create team").click()
    address = teams.get_by_label("Page address (slug)")
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(address).to_have_accessible_description(re.compile("Taken: try another address."))
    check_layout(ada, "dashboard-teams-slug-taken", expected_statuses=(*QUIET, 409))  # 409 stays in its log
    team_slug = f"acme-{ada_email[5:11]}"
    address.fill(team_slug)
    teams.get_by_role("button", name="Create team").click()
    expect(teams.get_by_role("status").first).to_have_text("Acme Clinic was created. Invite its members below.")
    expect(teams.get_by_role("combobox", name="Team")).to_contain_text("Acme Clinic (Owner)")
    team = dash.get_by_role("region", name="Acme Clinic")
    expect(team.get_by_role("link", name=f"{api}/{team_slug}")).to_be_visible()
    expect(dash).to_have_url(re.compile(r"/dashboard/teams\?team=\w+$"))

    # --- Ada invites Bo by email; the link is mailed. ---
    inviting = dash.get_by_role("region", name="Invite someone")
    inviting.get_by_label("Email").fill(bo_email)
    inviting.get_by_role("button", name="Send invitation").click()
    expect(inviting.get_by_role("status")).to_contain_text(f"An invitation was sent to {bo_email}")
    pending = inviting.get_by_role("list", name="Pending invitations to Acme Clinic")
    expect(pending).to_contain_text(bo_email)
    check_layout(ada, "dashboard-team", expected_statuses=(*QUIET, 409))

    # --- A second invitation, sent by mistake, is listed pending and withdrawn. ---
    mistaken = unique_email()
    inviting.get_by_label("Email").fill(mistaken)
    inviting.get_by_role("button", name="Send invitation").click()
    expect(pending.get_by_role("listitem")).to_have_count(2)
    pending.get_by_role("button", name=f"Withdraw the invitation to {mistaken}").click()
    expect(inviting.get_by_role("status")).to_contain_text(f"The invitation to {mistaken} was withdrawn")
    expect(pending.get_by_role("listitem")).to_have_count(1)
    expect(pending).not_to_contain_text(mistaken)
    check_layout(ada, "dashboard-team-invitation-withdrawn", expected_statuses=(*QUIET, 409))
    (mail,) = google.mail(to=bo_email)
    link = next(word for word in str(mail["text"]).split() if "#team-invitation/" in word)

    # --- Bo opens the link signed out, signs in with Google (their own account: the sandbox consents as the
    # account created last) and joins at once, without the first-run setup. ---
    google.create_account(bo_email, name="Bo Member", time_zone=HOST_ZONE)
    _, bo = open_context(HOST_ZONE)
    joining = bo.page
    split = urlsplit(link)
    joining.goto(f"{split.path}#{split.fragment}")
    joining.get_by_role("button", name="Reject non-essential").click()
    expect(joining.get_by_text("You were invited to join a team.")).to_be_visible()
    check_layout(bo, "dashboard-team-invitation-signed-out", expected_statuses=QUIET)
    joining.get_by_role("link", name="Sign in with Google").click()
    joined = joining.get_by_role("region", name="Teams")
    expect(joined.get_by_role("status").first).to_have_text("You joined Acme Clinic.")
    expect(joining).to_have_url(re.compile(r"/dashboard/teams\?team=\w+$"))  # the token left the address bar
    members = joining.get_by_role("list", name="Members of Acme Clinic")
    expect(members).to_contain_text("Bo Member (you)")
    expect(joining.get_by_role("button", name="Leave team")).to_be_visible()
    expect(joining.get_by_role("region", name="Invite someone")).to_have_count(0)  # members do not invite
    bo_row = members.get_by_role("listitem").filter(has_text="Bo Member")
    expect(bo_row).to_contain_text("Weight 1 · priority 0")  # read-only to a member
    expect(joining.get_by_label("Weight of Bo Member")).to_have_count(0)
    check_layout(bo, "dashboard-team-joined", expected_statuses=QUIET)
    _every_day(joining, api)

    # --- Ada sees Bo, makes them an admin, and publishes a round-robin type taken by both. ---
    dash.reload()
    ada_members = dash.get_by_role("list", name="Members of Acme Clinic")
    expect(ada_members).to_contain_text("Bo Member")
    dash.get_by_label("Role of Bo Member").select_option("admin")
    expect(dash.get_by_role("region", name="Members").get_by_role("status")).to_have_text("Bo Member is now admin.")
    # Round-robin standing: Bo takes twice Ada's share; saved at once, and kept.
    weight = dash.get_by_label("Weight of Bo Member")
    expect(weight).to_have_accessible_description(re.compile("twice the bookings"))
    weight.select_option("2")
    said = dash.get_by_role("region", name="Members").get_by_role("status")
    expect(said).to_have_text("Bo Member's weight is now 2.")
    expect(dash.get_by_label("Priority of Ada Owner")).to_have_value("0")
    check_layout(ada, "dashboard-team-members", expected_statuses=(*QUIET, 409))
    types = dash.get_by_role("region", name="Team event types")
    types.get_by_label("Title").fill("Consultation")
    expect(types.get_by_label("Assignment")).to_have_value("round_robin")
    picker = types.get_by_role("group", name="Members who take these bookings")
    expect(picker.get_by_role("checkbox", name="Ada Owner")).to_be_checked()
    expect(picker.get_by_role("checkbox", name="Bo Member")).to_be_checked()
    types.get_by_role("button", name="Create event type").click()
    expect(types.get_by_role("status").first).to_have_text("Consultation was created.")
    expect(types.get_by_role("list", name="Event types of Acme Clinic")).to_contain_text(
        "30 minutes · Round robin · with Ada Owner, Bo Member"
    )
    check_layout(ada, "dashboard-team-types", expected_statuses=(*QUIET, 409))

    # --- A private type: not on the team's page, booked through a single-use link made here (shown once). ---
    types.get_by_label("Title").fill("Private chat")
    types.get_by_label("Visibility").select_option("private")
    types.get_by_role("button", name="Create event type").click()
    expect(types.get_by_role("status").first).to_have_text("Private chat was created.")
    listed = types.get_by_role("list", name="Event types of Acme Clinic")
    secret = listed.get_by_role("listitem").filter(has_text="Private chat")
    expect(secret.get_by_text("Private", exact=True)).to_be_visible()
    expect(secret.get_by_role("link")).to_have_count(0)  # no public address to share
    secret.get_by_role("button", name="Single-use links for Private chat").click()
    panel = secret.get_by_role("region", name="Single-use links for Private chat")
    expect(panel.get_by_role("status").first).to_have_text("No single-use links yet.")
    panel.get_by_role("button", name="Create single-use link").click()
    box = panel.get_by_role("textbox", name="New single-use link")
    expect(box).to_have_value(re.compile(rf"/{team_slug}/private-chat#link="))
    private_url = box.input_value()
    expect(panel.get_by_role("button", name="Copy link to send")).to_be_visible()
    links = panel.get_by_role("list", name="Single-use links for Private chat").get_by_role("listitem")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("Open")
    check_layout(ada, "dashboard-team-private-link", expected_statuses=(*QUIET, 409))
    google.drain_tasks()  # both members' busy mirrors: nothing is offered before them

    # --- A visitor books it on the team's page; it lands in one member's calendar. ---
    _, visitor = open_context("Asia/Tokyo")
    page = visitor.page
    page.goto(f"/{team_slug}")
    page.get_by_role("button", name="Reject non-essential").click()
    expect(page.get_by_role("heading", name="Acme Clinic", level=1)).to_be_visible()
    check_layout(visitor, "team-page")
    expect(page.get_by_role("link", name="Private chat")).to_have_count(0)  # private: not listed
    page.goto(private_url)
    expect(page.get_by_role("heading", name="Private chat", level=1)).to_be_visible()
    panel.get_by_role("button", name="Revoke link created").click()
    expect(panel.get_by_role("status").filter(has_text="was revoked")).to_be_visible()
    expect(links.first).to_contain_text("Revoked")
    page.goto(f"/{team_slug}")
    page.get_by_role("link", name="Consultation").click()
    card = page.get_by_role("region", name="Consultation")
    expect(card.get_by_text("Acme Clinic", exact=True)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    first = page.get_by_role("list", name=re.compile(r"^Free times on")).get_by_role("button").first
    start = first.get_attribute("data-start") or ""
    check_layout(visitor, "team-booking")
    first.click()
    page.get_by_label("Name").fill("Vera Visitor")
    page.get_by_label("Email").fill("vera@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    manage = page.get_by_role("link", name="Manage this booking").get_attribute("href") or ""
    named = re.search(r"booking=([^&#]+)", manage)
    assert named is not None, manage
    booking_id = named.group(1)

    def calendars_holding() -> list[str]:
        google.drain_tasks()
        return [
            email
            for email in (ada_email, bo_email)
            for event in google.events(email)
            if event["extendedProperties"]["private"].get("kalenoBookingId") == booking_id
        ]

    # A collective type's page names who will attend, on the host card.
    team_id = dash.request.get("/teams").json()["teams"][0]["id"]
    both = [member["host_id"] for member in dash.request.get(f"/teams/{team_id}/members").json()["members"]]
    together = {
        "slug": "together",
        "title": "Together",
        "duration_minutes": 30,
        "assignment": "collective",
        "members": both,
    }
    made = dash.request.post(f"/teams/{team_id}/event-types", data=together, headers={"Origin": api})
    assert made.status == 201, made.text()
    page.goto(f"/{team_slug}/together")
    card = page.get_by_role("region", name="Together")
    expect(card.get_by_text("With Ada Owner and Bo Member", exact=True)).to_be_visible()
    expect(card.get_by_text("Acme Clinic", exact=True)).to_be_visible()
    check_layout(visitor, "team-booking-collective")

    holders = eventually(calendars_holding)
    assert len(holders) == 1, holders  # one member's own booking, in their calendar only
    (event,) = [e for e in google.events(holders[0]) if e["extendedProperties"]["private"].get("kalenoBookingId")]
    assert datetime.fromisoformat(event["start"]["dateTime"]) == datetime.fromisoformat(start)
    assert event["attendees"][0]["email"] == "vera@example.com"

    # --- Ada sees the booking in the team's bookings and hands it to the other member; the row names them. ---
    names = {ada_email: "Ada Owner", bo_email: "Bo Member"}
    (other_email,) = [email for email in names if email != holders[0]]
    dash.reload()
    bookings = dash.get_by_role("list", name="Bookings of Acme Clinic")
    row = bookings.get_by_role("listitem").filter(has_text="Consultation with Vera Visitor")
    expect(row).to_contain_text(f"Confirmed · taken by {names[holders[0]]}")
    row.get_by_label("Hand over to").select_option(label=names[other_email])
    row.get_by_role("button", name="Hand over the booking with Vera Visitor").click()
    team_bookings = dash.get_by_role("region", name="Team bookings")
    expect(team_bookings.get_by_role("status").first).to_have_text(
        f"The booking with Vera Visitor now goes to {names[other_email]}. Times in {HOST_ZONE}."
    )
    expect(row).to_contain_text(f"Confirmed · taken by {names[other_email]}")
    check_layout(ada, "dashboard-team-bookings", expected_statuses=(*QUIET, 409))
    assert eventually(lambda: calendars_holding() == [other_email]), calendars_holding()

    # --- Ada, the owner, exports the team's record as JSON. ---
    summary = dash.get_by_role("region", name="Acme Clinic")
    with dash.expect_download() as download:
        summary.get_by_role("button", name="Export the team's data").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["slug"] == team_slug
    assert {m["display_name"]: m["weight"] for m in exported["members"]} == {"Ada Owner": 1, "Bo Member": 2}
    assert [link["state"] for link in exported["links"]] == ["revoked"]
    expect(summary.get_by_role("status")).to_have_text("Acme Clinic's data was downloaded as a JSON file.")
    check_layout(ada, "dashboard-team-exported", expected_statuses=(*QUIET, 409))
