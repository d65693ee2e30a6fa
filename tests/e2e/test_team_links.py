"""A team's private event type and its single-use links over HTTP, against the emulator and the Google
sandbox: not listed, 404 without a link; owners and admins hand out links (members may not); a link opens
the page and slots and makes exactly one booking (a member's), then answers 410 `link-used`; a revoked one
410 `link-expired`; logs carry neither the token nor an address. An owner exports the team's record; deleting
the team takes the team, its invitations and slug, and revokes its links."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import requests

from tests.e2e.test_bookings import day_ahead
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_private_links import book, page, slots
from tests.e2e.test_team_event_types import team_of, team_type
from tests.e2e.test_teams import invite, me
from tests.support import Browser, Google, pii_in, unique_email


def team_link(browser: Browser, team_id: str, event_type_id: str) -> requests.Response:
    return browser.post(f"/teams/{team_id}/event-types/{event_type_id}/links", json={})


def test_a_private_team_type_opens_only_with_a_link_of_its_own_for_exactly_one_booking(
    api: str, google: Google, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, _ = team_of(api, google, sensitive)
    members = [me(ada)["id"], me(bo)["id"]]
    created = ada.post(
        f"/teams/{team_id}/event-types", json=team_type("call", "round_robin", members, visibility="private")
    )
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    lines_before = len(log_lines)

    made = team_link(ada, team_id, call_id)
    assert made.status_code == 201, made.text
    link: dict[str, Any] = made.json()
    sensitive.add(link["token"])
    second = team_link(ada, team_id, call_id).json()
    sensitive.add(second["token"])

    assert link["url"].endswith(f"/{team_slug}/call#link={link['token']}")
    assert (link["state"], link["expires_at"]) == ("active", None)
    assert_problem(team_link(bo, team_id, call_id), 403, "team-role-forbids")  # a member hands out none
    listed_types = requests.get(f"{api}/bookings/pages/{team_slug}", timeout=10).json()["event_types"]
    assert "call" not in [et["slug"] for et in listed_types]
    assert_problem(page(api, team_slug), 404, "not-found")
    assert_problem(slots(api, team_slug), 404, "not-found")
    assert_problem(book(api, team_slug, day_ahead(7, 10)), 404, "not-found")
    assert page(api, team_slug, link["token"]).status_code == 200
    free = slots(api, team_slug, link["token"])
    assert free.status_code == 200, free.text
    assert free.json()["slots"]

    booked = book(api, team_slug, day_ahead(7, 10), link["token"])
    again = book(api, team_slug, day_ahead(7, 11), link["token"])

    assert booked.status_code == 201, booked.text
    assert_problem(again, 410, "link-used")
    assert_problem(page(api, team_slug, link["token"]), 410, "link-used")
    listed = ada.get(f"/teams/{team_id}/event-types/{call_id}/links").json()["links"]
    assert {(found["id"], found["state"]) for found in listed} == {(link["id"], "used"), (second["id"], "active")}

    assert ada.delete(f"/teams/{team_id}/event-types/{call_id}/links/{second['id']}").status_code == 204
    assert_problem(book(api, team_slug, day_ahead(7, 12), second["token"]), 410, "link-expired")
    google.drain_tasks()
    assert pii_in(log_lines[lines_before:]) == []
    assert not [line for line in log_lines if link["token"].split(".")[1] in line]


def test_an_owner_exports_the_teams_record_and_deleting_the_team_ends_everything_it_held(
    api: str, google: Google, db: Any, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, _ = team_of(api, google, sensitive)
    ada_id, bo_id = me(ada)["id"], me(bo)["id"]
    body = team_type("call", "round_robin", [ada_id, bo_id], visibility="private")
    call_id = ada.post(f"/teams/{team_id}/event-types", json=body).json()["id"]
    link = team_link(ada, team_id, call_id).json()
    sensitive.add(link["token"])
    cy_email = unique_email()
    assert invite(ada, team_id, cy_email).status_code == 201
    lines_before = len(log_lines)

    exported = ada.get(f"/teams/{team_id}/export")

    assert exported.status_code == 200, exported.text
    record = exported.json()
    assert (record["id"], record["slug"], record["name"]) == (team_id, team_slug, "Acme Clinic")
    assert {(m["host_id"], m["role"]) for m in record["members"]} == {(ada_id, "owner"), (bo_id, "member")}
    assert [et["slug"] for et in record["event_types"]] == ["call"]
    assert sorted(i["state"] for i in record["invitations"]) == ["accepted", "pending"]
    assert cy_email in [i["email"] for i in record["invitations"]]
    assert [(found["id"], found["state"]) for found in record["links"]] == [(link["id"], "active")]
    assert link["token"] not in exported.text
    assert record["disconnects_told"] == {}  # no member's calendar has disconnected
    assert_problem(bo.get(f"/teams/{team_id}/export"), 403, "team-role-forbids")

    assert ada.delete(f"/teams/{team_id}").status_code == 204

    assert_problem(ada.get(f"/teams/{team_id}/export"), 404, "team-not-found")
    assert not db.collection("teams").document(team_id).get().exists
    assert [doc.id for doc in db.collection("team_invitations").stream() if doc.get("team_id") == team_id] == []
    assert db.collection("booking_links").document(link["id"]).get().get("revoked_at") is not None
    assert_problem(book(api, team_slug, day_ahead(7, 10), link["token"]), 404, "not-found")
    assert pii_in(log_lines[lines_before:]) == []


def test_bookings_racing_with_one_team_link_at_different_times_make_exactly_one(
    api: str, google: Google, sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, _ = team_of(api, google, sensitive)
    body = team_type("call", "round_robin", [me(ada)["id"], me(bo)["id"]], visibility="private")
    call_id = ada.post(f"/teams/{team_id}/event-types", json=body).json()["id"]
    token = team_link(ada, team_id, call_id).json()["token"]
    sensitive.add(token)
    racers = 6
    starts = [day_ahead(8, 9) + timedelta(minutes=30 * i) for i in range(racers)]

    with ThreadPoolExecutor(max_workers=racers) as pool:
        answers = list(pool.map(lambda start: book(api, team_slug, start, token), starts))

    winners = [answer for answer in answers if answer.status_code == 201]
    assert len(winners) == 1, [answer.text for answer in answers]
    for answer in answers:
        if answer.status_code != 201:
            assert_problem(answer, 410, "link-used")
    (listed,) = ada.get(f"/teams/{team_id}/event-types/{call_id}/links").json()["links"]
    assert (listed["state"], listed["booking_id"]) == ("used", winners[0].json()["id"])
