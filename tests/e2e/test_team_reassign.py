"""The team's bookings and reassignment over HTTP, against the emulator and the Google sandbox: admins list
every booking of the team's types and members their own; a round-robin booking handed to the other member
leaves the old member's calendar and joins the new one's, the invitee is told once (and both members), the
same request again changes nothing; a racer on the new member's time and the reassignment: one winner."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import requests

from tests.e2e.test_bookings import booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_team_event_types import team_of, team_type
from tests.e2e.test_teams import me
from tests.support import Browser, Google


def round_robin_team(api: str, google: Google, sensitive: set[str]) -> dict[str, Any]:
    """Ada (owner) and Bo (member) in a team with the round-robin type "anyone"."""
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    members = [ada_me["id"], bo_me["id"]]
    assert (
        ada.post(f"/teams/{team_id}/event-types", json=team_type("anyone", "round_robin", members)).status_code == 201
    )
    by_id = {ada_me["id"]: (ada, ada_email, ada_me), bo_me["id"]: (bo, bo_me["email"], bo_me)}
    return {"ada": ada, "bo": bo, "team_id": team_id, "slug": team_slug, "members": by_id}


def starts_in(google: Google, email: str) -> list[datetime]:
    return [datetime.fromisoformat(event["start"]["dateTime"]) for event in our_events(google, email)]


def ada_id_of_nobody(host_id: str) -> str:
    """A well-formed host id that is no member's."""
    return host_id[:-4] + ("0000" if not host_id.endswith("0000") else "1111")


def listed(browser: Browser, team_id: str, **query: str) -> list[dict[str, Any]]:
    answer = browser.get(f"/teams/{team_id}/bookings", params=query)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["bookings"]
    return found


def test_admins_list_the_teams_bookings_members_their_own_and_a_reassignment_moves_calendar_and_mail(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team = round_robin_team(api, google, sensitive)
    team_id, ada, bo = team["team_id"], team["ada"], team["bo"]
    start = day_ahead(5, 10)
    body = booking_body(team["slug"], start, "Ines Invitee", event_type="anyone")
    made = post_booking(api, body)
    assert made.status_code == 201, made.text
    booking_id, invitee = made.json()["id"], body["invitee"]["email"]
    google.drain_tasks()

    (row,) = listed(ada, team_id)
    holder = row["hosts"][0]["host_id"]
    (other,) = set(team["members"]) - {holder}
    _, holder_email, holder_me = team["members"][holder]
    other_browser, other_email, other_me = team["members"][other]
    assert row["id"] == booking_id
    assert row["event_type"]["slug"] == "anyone"
    assert row["event_type"]["name"] == "Anyone"
    assert datetime.fromisoformat(row["start"]) == start
    assert (row["status"], row["invitee"]) == ("confirmed", {"name": "Ines Invitee"})
    assert row["hosts"] == [{"host_id": holder, "display_name": holder_me["display_name"]}]
    assert listed(ada, team_id, to=start.isoformat()) == []  # the window: ending before its start
    member_view = listed(bo, team_id)
    assert [r["id"] for r in member_view] == ([booking_id] if holder == me(bo)["id"] else [])
    assert start in starts_in(google, holder_email)
    assert start not in starts_in(google, other_email)

    moved = ada.post(f"/teams/{team_id}/bookings/{booking_id}/reassign", json={"host_id": other})
    assert moved.status_code == 200, moved.text
    assert moved.json()["hosts"] == [{"host_id": other, "display_name": other_me["display_name"]}]
    google.drain_tasks()

    assert start not in starts_in(google, holder_email)  # the old member's event is deleted
    assert starts_in(google, other_email).count(start) == 1  # the new member's is inserted
    subjects = [str(mail["subject"]).split(":")[0] for mail in google.mail(to=invitee)]
    assert subjects.count("New host") == 1
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=other_email)].count("Assigned to you") == 1
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=holder_email)].count("Handed on") == 1

    again = ada.post(f"/teams/{team_id}/bookings/{booking_id}/reassign", json={"host_id": other})
    google.drain_tasks()
    assert again.status_code == 200, again.text
    assert again.json() == moved.json()
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=invitee)].count("New host") == 1
    assert [r["id"] for r in listed(other_browser, team_id)] == [booking_id]  # the new holder sees it now


def test_who_may_reassign_and_to_whom(api: str, google: Google, sensitive: set[str]) -> None:
    team = round_robin_team(api, google, sensitive)
    team_id, ada, bo = team["team_id"], team["ada"], team["bo"]
    made = post_booking(api, booking_body(team["slug"], day_ahead(5, 11), "Jo Invitee", event_type="anyone"))
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    bo_id = me(bo)["id"]
    holder = listed(ada, team_id)[0]["hosts"][0]["host_id"]
    path = f"/teams/{team_id}/bookings/{booking_id}/reassign"

    stranger = assert_problem(ada.post(path, json={"host_id": ada_id_of_nobody(holder)}), 422, "validation-error")
    assert "host_id" in str(stranger)
    assert_problem(requests.get(f"{api}/teams/{team_id}/bookings", timeout=10), 401, "unauthenticated")
    # Whichever member fairness chose, both sides run: Bo (a member) hands on only a booking he holds.
    if holder != bo_id:
        assert_problem(bo.post(path, json={"host_id": bo_id}), 404, "not-found")  # not his (nor his to see)
        assert ada.post(path, json={"host_id": bo_id}).status_code == 200  # the owner hands it to him
    assert bo.post(path, json={"host_id": me(ada)["id"]}).status_code == 200  # his now: he may hand it on
    assert_problem(bo.post(path, json={"host_id": bo_id}), 404, "not-found")  # and then it is not his


def test_a_racer_on_the_new_members_own_page_and_the_reassignment_one_winner(
    api: str, google: Google, db: Any, sensitive: set[str]
) -> None:
    team = round_robin_team(api, google, sensitive)
    team_id, ada = team["team_id"], team["ada"]
    for round_number in range(3):
        start = day_ahead(8 + round_number, 14)
        made = post_booking(api, booking_body(team["slug"], start, "Kim Invitee", event_type="anyone"))
        assert made.status_code == 201, made.text
        booking_id = made.json()["id"]
        holder = listed(ada, team_id, **{"from": start.isoformat()})[0]["hosts"][0]["host_id"]
        (other,) = set(team["members"]) - {holder}

        reassigning = (f"/teams/{team_id}/bookings/{booking_id}/reassign", {"host_id": other})
        rivals = [booking_body(str(team["members"][other][2]["slug"]), start, f"Racer {n}") for n in range(5)]

        def race(rival: dict[str, Any] | None, reassigning: tuple[str, dict[str, str]] = reassigning) -> int:
            if rival is None:
                return int(ada.post(reassigning[0], json=reassigning[1]).status_code)
            return int(post_booking(api, rival).status_code)

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(race, [None, *rivals]))
        google.drain_tasks()

        assert sum(status in (200, 201) for status in statuses) == 1, statuses
        assert all(status == 409 for status in statuses if status not in (200, 201)), statuses
        holding = [
            found
            for found in (doc.to_dict() for doc in db.collection("bookings").stream())
            if found["host_id"] == other and found["status"] == "confirmed" and found["start"] == start
        ]
        assert len(holding) == 1  # nobody's calendar holds two at once


def reschedule(api: str, made: dict[str, Any], start: datetime) -> requests.Response:
    auth = {"Authorization": f"Bearer {made['manage_token']}"}
    path = f"{api}/bookings/{made['id']}/reschedule"
    return requests.post(path, json={"start": start.isoformat()}, headers=auth, timeout=30)


def test_a_rescheduled_team_booking_stays_with_its_free_member_else_falls_to_the_next(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team = round_robin_team(api, google, sensitive)
    team_id, ada = team["team_id"], team["ada"]
    first, second, third, nobody = (day_ahead(6, hour) for hour in (10, 11, 13, 15))
    body = booking_body(team["slug"], first, "Lu Invitee", event_type="anyone")
    made = post_booking(api, body)
    assert made.status_code == 201, made.text
    booking_id, invitee = made.json()["id"], body["invitee"]["email"]
    sensitive.add(made.json()["manage_token"])
    google.drain_tasks()
    holder = listed(ada, team_id)[0]["hosts"][0]["host_id"]
    (other,) = set(team["members"]) - {holder}
    holder_slug, holder_email = str(team["members"][holder][2]["slug"]), team["members"][holder][1]
    other_email = team["members"][other][1]

    stays = reschedule(api, made.json(), second)  # both are free: it stays with its member
    google.drain_tasks()
    assert stays.status_code == 200, stays.text
    assert listed(ada, team_id)[0]["hosts"][0]["host_id"] == holder
    assert second in starts_in(google, holder_email)
    assert first not in starts_in(google, holder_email)
    assert post_booking(api, booking_body(holder_slug, first, "Freed Time")).status_code == 201  # claims released

    own = post_booking(api, booking_body(holder_slug, third, "Own Guest"))  # the member is busy at `third`
    assert own.status_code == 201, own.text
    google.drain_tasks()
    falls = reschedule(api, made.json(), third)
    google.drain_tasks()

    assert falls.status_code == 200, falls.text
    (row,) = [r for r in listed(ada, team_id) if r["id"] == booking_id]
    assert (row["hosts"][0]["host_id"], datetime.fromisoformat(row["start"])) == (other, third)
    assert second not in starts_in(google, holder_email)  # the team booking left the old member's calendar
    assert starts_in(google, holder_email).count(third) == 1  # only their own guest's event at that time
    assert starts_in(google, other_email).count(third) == 1  # and joined the next member's
    assert post_booking(api, booking_body(holder_slug, second, "Freed Again")).status_code == 201
    subjects = [str(mail["subject"]).split(":")[0] for mail in google.mail(to=invitee)]
    assert subjects.count("New time") == 2  # one mail per move, the handover's included
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=other_email)].count("Assigned to you") == 1
    assert [str(m["subject"]).split(":")[0] for m in google.mail(to=holder_email)].count("Handed on") == 1

    for member in team["members"].values():  # nobody is free at `nobody`: refused, and the booking is kept
        assert post_booking(api, booking_body(str(member[2]["slug"]), nobody, "Busy Maker")).status_code == 201
    assert_problem(reschedule(api, made.json(), nobody), 409, "slot-taken")
    (kept,) = [r for r in listed(ada, team_id) if r["id"] == booking_id]
    assert (kept["hosts"][0]["host_id"], datetime.fromisoformat(kept["start"])) == (other, third)
