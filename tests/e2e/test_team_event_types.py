"""Team event types and the team's public page and slots over HTTP, against the emulator and the Google
sandbox: owners and admins write the types, members read them; the team's slug answers the same page and
slots paths as a host's; a round-robin type offers a time one member is free, a collective one only a time
every member is, and a member's busy time added in Google takes the collective time once it is pushed."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import requests

from shared.domain import ids
from tests.e2e.test_bookings import booking_body, day_ahead, post_booking
from tests.e2e.test_calendar_sync import event, eventually
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_teams import invite, me, signed_in_host
from tests.support import NO_LOOK, Browser, Google, pii_in, unique_email


def team_of(api: str, google: Google, sensitive: set[str]) -> tuple[Browser, Browser, str, str, str]:
    """Ada founds a team and Bo joins it: (ada, bo, team id, team slug, ada's email)."""
    ada, _, ada_email = signed_in_host(api, google)
    bo, _, bo_email = signed_in_host(api, google)
    slug = f"t-{unique_email()[5:15]}"
    team_id = ada.post("/teams", json={"slug": slug, "name": "Acme Clinic"}).json()["id"]
    token = invite(ada, team_id, bo_email).json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(token)
    assert bo.post(f"/teams/invitations/{token}/accept").status_code == 200
    return ada, bo, team_id, slug, ada_email


def team_type(slug: str, assignment: str, members: list[str], **extra: Any) -> dict[str, Any]:
    body = {"slug": slug, "title": slug.title(), "duration_minutes": 30, "booking_window_days": 366}
    return {**body, "assignment": assignment, "members": members, **extra}


def test_owners_and_admins_write_team_event_types_and_members_read_them(
    api: str, google: Google, log_lines: list[str], sensitive: set[str]
) -> None:
    ada, bo, team_id, _, _ = team_of(api, google, sensitive)
    cy, _, _ = signed_in_host(api, google)
    ada_id, bo_id, cy_id = me(ada)["id"], me(bo)["id"], me(cy)["id"]
    lines_before = len(log_lines)
    path = f"/teams/{team_id}/event-types"

    created = ada.post(path, json=team_type("intro", "round_robin", [ada_id, bo_id]))

    assert created.status_code == 201, created.text
    event_type_id = created.json()["id"]
    assert re.fullmatch(ids.EVENT_TYPE_ID_PATTERN, event_type_id)
    assert (created.json()["assignment"], created.json()["members"]) == ("round_robin", [ada_id, bo_id])
    listed = bo.get(path).json()["event_types"]
    assert [(et["id"], et["slug"]) for et in listed] == [(event_type_id, "intro")]
    assert_problem(bo.post(path, json=team_type("mine", "collective", [bo_id])), 403, "team-role-forbids")
    assert_problem(cy.get(path), 404, "team-not-found")
    stranger = assert_problem(ada.post(path, json=team_type("x", "collective", [cy_id])), 422, "validation-error")
    assert "member-not-in-team" in str(stranger)
    assert_problem(ada.post(path, json=team_type("x", "collective", [ada_id], seats=3)), 422, "validation-error")
    assert_problem(ada.post(path, json=team_type("x", "everyone", [ada_id])), 422, "validation-error")
    assert_problem(ada.post(path, json=team_type("intro", "collective", [ada_id])), 409, "slug-taken")

    changed = ada.patch(f"{path}/{event_type_id}", json={"assignment": "collective", "duration_minutes": 45})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["assignment"], changed.json()["duration_minutes"]) == ("collective", 45)
    assert bo.post("/hosts/me/disconnect").status_code == 200
    unplugged = assert_problem(ada.post(path, json=team_type("y", "round_robin", [bo_id])), 422, "validation-error")
    assert "member-not-connected" in str(unplugged)
    assert ada.delete(f"{path}/{event_type_id}").status_code == 204
    assert ada.get(path).json() == {"event_types": []}
    assert_problem(ada.delete(f"{path}/{event_type_id}"), 404, "not-found")
    assert pii_in(log_lines[lines_before:]) == []


def team_starts(api: str, team_slug: str, type_slug: str, day: Any) -> list[str]:
    params = {"from": day.date().isoformat(), "to": day.date().isoformat(), "tz": "UTC"}
    response = requests.get(f"{api}/bookings/pages/{team_slug}/{type_slug}/slots", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


def test_the_team_page_and_slots_come_from_every_members_own_time(
    api: str, google: Google, sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    members = [ada_me["id"], bo_me["id"]]
    for slug, assignment in (("anyone", "round_robin"), ("together", "collective")):
        assert ada.post(f"/teams/{team_id}/event-types", json=team_type(slug, assignment, members)).status_code == 201
    private = team_type("hidden", "round_robin", members, visibility="private")
    assert ada.post(f"/teams/{team_id}/event-types", json=private).status_code == 201
    day = day_ahead(5, 0)
    ten, half_past = day.replace(hour=10).isoformat(), day.replace(hour=10, minute=30).isoformat()
    eleven = day.replace(hour=11).isoformat()

    page = requests.get(f"{api}/bookings/pages/{team_slug}", timeout=10).json()
    assert page["host"] == {"display_name": "Acme Clinic", "slug": team_slug, **NO_LOOK}
    assert sorted(et["slug"] for et in page["event_types"]) == ["anyone", "together"]
    together = requests.get(f"{api}/bookings/pages/{team_slug}/together", timeout=10).json()
    assert together["host"]["display_name"] == "Acme Clinic"
    assert together["attendees"] == [ada_me["display_name"], bo_me["display_name"]]
    assert requests.get(f"{api}/bookings/pages/{team_slug}/anyone", timeout=10).json()["attendees"] is None
    assert_problem(requests.get(f"{api}/bookings/pages/{team_slug}/hidden", timeout=10), 404, "not-found")
    assert {ten, half_past, eleven} <= set(team_starts(api, team_slug, "together", day))

    google.add_event(ada_email, event(day.replace(hour=10), 60))  # Ada is busy 10:00-11:00 in Google
    booked = post_booking(api, booking_body(bo_me["slug"], day.replace(hour=11)))  # Bo is booked at 11:00
    assert booked.status_code == 201, booked.text
    collective = eventually(lambda: s if ten not in (s := team_starts(api, team_slug, "together", day)) else [])
    round_robin = team_starts(api, team_slug, "anyone", day)

    assert {ten, half_past, eleven}.isdisjoint(collective)  # Ada busy, then Bo booked: not all are free
    assert {ten, half_past, eleven} <= set(round_robin)  # one member is free at each
    assert google.state()["foreign_events_read"] == 0


def test_a_round_robin_team_type_is_booked_by_one_free_member_then_the_next(
    api: str, google: Google, sensitive: set[str]
) -> None:
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    members = [ada_me["id"], bo_me["id"]]
    for slug, assignment in (("anyone", "round_robin"), ("together", "collective")):
        assert ada.post(f"/teams/{team_id}/event-types", json=team_type(slug, assignment, members)).status_code == 201
    start = day_ahead(6, 10)

    answers = [
        post_booking(api, booking_body(team_slug, start, who, event_type="anyone")) for who in ("Ines A", "Jo B")
    ]
    refused = post_booking(api, booking_body(team_slug, start, "Kim C", event_type="anyone"))
    google.drain_tasks()

    assert [answer.status_code for answer in answers] == [201, 201], [answer.text for answer in answers]
    assert_problem(refused, 409, "slot-taken")  # both members are booked at that time
    views = [
        requests.get(
            f"{api}/bookings/{created['id']}",
            headers={"Authorization": f"Bearer {created['manage_token']}"},
            timeout=10,
        ).json()
        for created in (answer.json() for answer in answers)
    ]
    assert sorted(view["hosts"][0] for view in views) == sorted([ada_me["display_name"], bo_me["display_name"]])
    assert {(view["host_slug"], view["event_type_slug"]) for view in views} == {(team_slug, "anyone")}  # moved there
    for email in (ada_email, bo_me["email"]):  # each member's own calendar holds their booking's event
        starts = [datetime.fromisoformat(event["start"]["dateTime"]) for event in google.events(email)]
        assert starts.count(start) == 1
    assert start.isoformat() not in team_starts(api, team_slug, "anyone", start)
    first = answers[0].json()
    cancelled = requests.post(
        f"{api}/bookings/{first['id']}/cancel",
        json={"reason": "conflict"},
        headers={"Authorization": f"Bearer {first['manage_token']}"},
        timeout=10,
    )
    assert cancelled.status_code == 200, cancelled.text
    google.drain_tasks()  # the cancelled event leaves the member's calendar, and their mirror follows
    free_again = eventually(lambda: start.isoformat() in team_starts(api, team_slug, "anyone", start))
    assert free_again  # that member is free again
    rebooked = post_booking(api, booking_body(team_slug, start, "Mo E", event_type="anyone"))
    assert rebooked.status_code == 201, rebooked.text
    collective = post_booking(api, booking_body(team_slug, day_ahead(6, 12), "Lee D", event_type="together"))
    assert collective.status_code == 201, collective.text  # tests/e2e/test_collective_booking.py: the rest


def team_of_three(api: str, google: Google, sensitive: set[str]) -> tuple[Browser, str, str, dict[str, str]]:
    """Ada's team with Bo and Cy: (ada's browser, team id, team slug, each member's email by host id)."""
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    cy, _, cy_email = signed_in_host(api, google)
    token = invite(ada, team_id, cy_email).json()["invite_url"].rsplit("/", 1)[1]
    sensitive.add(token)
    assert cy.post(f"/teams/invitations/{token}/accept").status_code == 200
    emails = {me(ada)["id"]: ada_email, me(bo)["id"]: me(bo)["email"], me(cy)["id"]: cy_email}
    return ada, team_id, team_slug, emails


RACERS = 50


def test_racers_for_one_round_robin_time_get_one_member_each_and_the_rest_409(
    api: str, google: Google, db: Any, sensitive: set[str]
) -> None:
    """Three rounds, each 50 racers for one time with 3 free members: 3 confirmed, one per member, 47 × 409."""
    ada, team_id, team_slug, emails = team_of_three(api, google, sensitive)
    members = list(emails)
    assert (
        ada.post(f"/teams/{team_id}/event-types", json=team_type("anyone", "round_robin", members)).status_code == 201
    )
    for start in (day_ahead(7, 9), day_ahead(7, 13, 30), day_ahead(8, 16)):
        bodies = [booking_body(team_slug, start, f"Racer {number}", event_type="anyone") for number in range(RACERS)]

        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            answers = list(pool.map(lambda body: post_booking(api, body), bodies))

        statuses = sorted(answer.status_code for answer in answers)
        assert (statuses.count(201), statuses.count(409)) == (3, RACERS - 3), statuses
        made = [answer.json()["id"] for answer in answers if answer.status_code == 201]
        holders = [db.collection("bookings").document(booking_id).get().to_dict()["host_id"] for booking_id in made]
        assert sorted(holders) == sorted(members)  # one per member
    google.drain_tasks()
    for email in emails.values():  # no member's calendar holds two meetings at once
        spans = sorted(
            (datetime.fromisoformat(e["start"]["dateTime"]), datetime.fromisoformat(e["end"]["dateTime"]))
            for e in google.events(email)
        )
        assert len(spans) == 3
        assert all(earlier[1] <= later[0] for earlier, later in pairwise(spans))


def booked_in_turn(api: str, db: Any, team_slug: str, type_slug: str, starts: list[datetime]) -> list[dict[str, str]]:
    """Book each start in turn (one invitee each): each booking's answer with whom it went to (`host_id`)."""
    made = []
    for start in starts:
        answer = post_booking(api, booking_body(team_slug, start, "Fay R", event_type=type_slug))
        assert answer.status_code == 201, answer.text
        host_id = db.collection("bookings").document(answer.json()["id"]).get().to_dict()["host_id"]
        made.append({**answer.json(), "host_id": host_id})
    return made


def test_round_robin_shares_bookings_fairly_by_weight_and_a_cancelled_one_gives_its_count_back(
    api: str, google: Google, db: Any, sensitive: set[str]
) -> None:
    ada, team_id, team_slug, emails = team_of_three(api, google, sensitive)
    members = list(emails)
    ada_id = members[0]
    for type_slug in ("equal", "weighted"):
        created = ada.post(f"/teams/{team_id}/event-types", json=team_type(type_slug, "round_robin", members))
        assert created.status_code == 201, created.text
    starts = [day_ahead(9, 9) + timedelta(minutes=30 * number) for number in range(12)]

    equal = booked_in_turn(api, db, team_slug, "equal", starts)

    assert sorted(Counter(made["host_id"] for made in equal).values()) == [4, 4, 4]  # 12 over 3 equal members

    last = equal[-1]  # its member was booked most recently: at 4 each, the next booking would go to another
    cancelled = requests.post(
        f"{api}/bookings/{last['id']}/cancel",
        json={"reason": "changed plans"},
        headers={"Authorization": f"Bearer {last['manage_token']}"},
        timeout=10,
    )
    assert cancelled.status_code == 200, cancelled.text
    (next_one,) = booked_in_turn(api, db, team_slug, "equal", [day_ahead(10, 9)])
    assert next_one["host_id"] == last["host_id"]  # the cancelled booking's count was given back: 3 < 4

    weighed = ada.patch(f"/teams/{team_id}/members/{ada_id}", json={"weight": 2})  # twice the others
    assert weighed.status_code == 200, weighed.text
    owner = weighed.json()["members"][0]  # owners first
    assert (owner["host_id"], owner["weight"], owner["role"]) == (ada_id, 2, "owner")
    later = [start + timedelta(days=2) for start in starts]
    weighted = Counter(made["host_id"] for made in booked_in_turn(api, db, team_slug, "weighted", later))

    assert weighted[ada_id] == 6  # twice each of the others
    assert sorted(count for member, count in weighted.items() if member != ada_id) == [3, 3]
    google.drain_tasks()
