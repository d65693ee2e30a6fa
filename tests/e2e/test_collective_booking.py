"""Booking a collective team type over HTTP, against the emulator and the Google sandbox: one booking holds
every member's time, each member's own calendar gets its event, and cancelling takes it out of all; a time
one member is busy is not offered and answers 409; and a collective booking racing a member's own page for
the same time has exactly one winner, round after round, with no overlap in anyone's calendar; a member
erasing their account cancels it for all and leaves nothing of theirs in Firestore."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any

import requests

from tests.e2e.test_booking_experience import move_in_google
from tests.e2e.test_bookings import booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_calendar_sync import event, eventually, starts_on
from tests.e2e.test_http_surface import assert_problem
from tests.e2e.test_team_event_types import team_of, team_starts, team_type
from tests.e2e.test_teams import me
from tests.support import Browser, Google, all_documents


def collective_team(api: str, google: Google, sensitive: set[str]) -> tuple[str, Browser, Browser, str]:
    """Ada and Bo's team with a collective type "together" (Ada organises): (team slug, ada, bo, ada's email)."""
    ada, bo, team_id, team_slug, ada_email = team_of(api, google, sensitive)
    body = team_type("together", "collective", [me(ada)["id"], me(bo)["id"]])
    assert ada.post(f"/teams/{team_id}/event-types", json=body).status_code == 201
    return team_slug, ada, bo, ada_email


def starts_in(google: Google, email: str) -> list[datetime]:
    return sorted(datetime.fromisoformat(found["start"]["dateTime"]) for found in our_events(google, email))


def opened(api: str, created: dict[str, Any]) -> requests.Response:
    headers = {"Authorization": f"Bearer {created['manage_token']}"}
    return requests.get(f"{api}/bookings/{created['id']}", headers=headers, timeout=10)


def test_a_collective_booking_is_in_every_members_calendar_and_cancels_from_all(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team_slug, ada, bo, ada_email = collective_team(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    start = day_ahead(6, 10)

    created = post_booking(api, booking_body(team_slug, start, "Ines A", event_type="together"))
    google.drain_tasks()

    assert created.status_code == 201, created.text
    booking = created.json()
    for email in (ada_email, bo_me["email"]):
        assert starts_in(google, email) == [start]
    view = opened(api, booking).json()
    assert view["hosts"] == [ada_me["display_name"], bo_me["display_name"]]  # names only, no addresses
    assert view["calendar_invite"] == "up_to_date"
    for member in (ada, bo):  # each member's own list holds it
        assert [found["id"] for found in member.get("/hosts/me/bookings").json()["bookings"]] == [booking["id"]]
    mailed = [mail["subject"] or "" for mail in google.mail(to=bo_me["email"])]
    assert any(subject.startswith("New booking: Together") for subject in mailed), mailed
    assert start.isoformat() not in team_starts(api, team_slug, "together", start)
    taken = post_booking(api, booking_body(bo_me["slug"], start, "Kim C"))  # Bo's own page: held by the team
    assert_problem(taken, 409, "slot-taken")

    cancelled = bo.post(f"/hosts/me/bookings/{booking['id']}/cancel", json={"reason": "conflict"})  # a co-host
    google.drain_tasks()

    assert cancelled.status_code == 200, cancelled.text
    for email in (ada_email, bo_me["email"]):
        assert starts_in(google, email) == []
    assert eventually(lambda: start.isoformat() in team_starts(api, team_slug, "together", start))
    assert post_booking(api, booking_body(bo_me["slug"], start, "Kim C")).status_code == 201


def test_a_time_one_member_is_busy_is_not_offered_and_refused(api: str, google: Google, sensitive: set[str]) -> None:
    team_slug, ada, bo, _ = collective_team(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    start = day_ahead(6, 13)
    google.add_event(bo_me["email"], event(start, 60))  # Bo is busy in Google

    gone = eventually(lambda: start.isoformat() not in team_starts(api, team_slug, "together", start))
    refused = post_booking(api, booking_body(team_slug, start, "Lee D", event_type="together"))

    assert gone
    assert_problem(refused, 409, "slot-taken")  # as a busy time on a host's own page
    team_id = ada.get("/teams").json()["teams"][0]["id"]
    anyone = team_type("anyone", "round_robin", [bo_me["id"], ada_me["id"]])
    assert ada.post(f"/teams/{team_id}/event-types", json=anyone).status_code == 201
    assigned = post_booking(api, booking_body(team_slug, start, "Lee D", event_type="anyone"))
    assert assigned.status_code == 201, assigned.text
    assert opened(api, assigned.json()).json()["hosts"] == [ada_me["display_name"]]  # round robin: the one member


def test_a_collective_booking_racing_a_members_own_page_has_one_winner_each_round(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team_slug, _, bo, ada_email = collective_team(api, google, sensitive)
    bo_me = me(bo)
    rounds = [day_ahead(8 + number // 5, 9 + number % 5) for number in range(10)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in rounds:
            team = pool.submit(post_booking, api, booking_body(team_slug, start, "Team R", event_type="together"))
            own = pool.submit(post_booking, api, booking_body(bo_me["slug"], start, "Own R"))
            statuses = sorted([team.result().status_code, own.result().status_code])
            assert statuses == [201, 409], (start, team.result().text, own.result().text)
    google.drain_tasks()

    for email in (ada_email, bo_me["email"]):
        starts = starts_in(google, email)
        assert len(starts) == len(set(starts))  # no two of our events at one time in any member's calendar
    assert starts_in(google, bo_me["email"]) == sorted(rounds)  # Bo holds each round's winner


def test_a_member_erasing_their_account_cancels_it_for_all_and_leaves_no_trace_of_them(
    api: str, google: Google, sensitive: set[str], db: Any
) -> None:
    team_slug, ada, bo, ada_email = collective_team(api, google, sensitive)
    bo_me = me(bo)
    start = day_ahead(6, 11)
    created = post_booking(api, booking_body(team_slug, start, "Ines E", event_type="together"))
    google.drain_tasks()
    assert created.status_code == 201, created.text
    assert starts_in(google, bo_me["email"]) == [start]

    started = bo.post("/privacy/erase")
    google.drain_tasks()

    assert started.status_code == 202, started.text
    receipt = requests.get(f"{api}/privacy/erase/{started.json()['erasure_id']}", timeout=10).json()
    assert receipt["state"] == "done"
    for email in (ada_email, bo_me["email"]):  # cancelled: out of every member's calendar
        assert starts_in(google, email) == []
    (kept,) = ada.get("/hosts/me/bookings", params={"when": "upcoming"}).json()["bookings"]
    assert (kept["id"], kept["status"]) == (created.json()["id"], "cancelled")
    traces = (bo_me["id"], bo_me["email"], bo_me["slug"])
    assert [path for path, doc in all_documents(db) if any(trace in f"{path} {doc}" for trace in traces)] == []


def moved_by_invitee(api: str, created: dict[str, Any], start: datetime) -> requests.Response:
    headers = {"Authorization": f"Bearer {created['manage_token']}"}
    body = {"start": start.isoformat()}
    return requests.post(f"{api}/bookings/{created['id']}/reschedule", json=body, headers=headers, timeout=15)


def offers_at(api: str, slug: str, start: datetime) -> bool:
    return start.isoformat() in starts_on(api, slug, start)


def test_the_invitee_moves_a_collective_booking_in_every_members_calendar_and_frees_the_old_time(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team_slug, ada, bo, ada_email = collective_team(api, google, sensitive)
    ada_me, bo_me = me(ada), me(bo)
    start, new = day_ahead(6, 10), day_ahead(6, 14)
    created = post_booking(api, booking_body(team_slug, start, "Ines M", event_type="together")).json()
    google.drain_tasks()
    view = opened(api, created).json()
    assert (view["host_slug"], view["event_type_slug"]) == (team_slug, "together")  # the page it moves on

    moved = moved_by_invitee(api, created, new)
    google.drain_tasks()

    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["start"]) == new
    for email in (ada_email, bo_me["email"]):  # each member's own event, at the new time
        assert starts_in(google, email) == [new]
    assert opened(api, created).json()["calendar_invite"] == "up_to_date"
    for slug in (ada_me["slug"], bo_me["slug"]):  # the old time is free on every member's own page again
        assert eventually(partial(offers_at, api, slug, start))
        assert post_booking(api, booking_body(slug, start, "Kim O")).status_code == 201
        assert_problem(post_booking(api, booking_body(slug, new, "Kim N")), 409, "slot-taken")
    assert new.isoformat() not in team_starts(api, team_slug, "together", new)


def test_a_move_racing_a_members_own_page_for_the_new_time_has_one_winner_each_round(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team_slug, _, bo, ada_email = collective_team(api, google, sensitive)
    bo_me = me(bo)
    rounds = [(day_ahead(9 + number, 9), day_ahead(9 + number, 11)) for number in range(3)]
    booked = []
    for start, _ in rounds:
        created = post_booking(api, booking_body(team_slug, start, "Team M", event_type="together"))
        assert created.status_code == 201, created.text
        booked.append(created.json())
    google.drain_tasks()

    expected: list[datetime] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for created, (start, new) in zip(booked, rounds, strict=True):
            move = pool.submit(moved_by_invitee, api, created, new)
            own = pool.submit(post_booking, api, booking_body(bo_me["slug"], new, "Own M"))
            outcome = (move.result().status_code, own.result().status_code)
            assert outcome in ((200, 409), (409, 201)), (new, move.result().text, own.result().text)
            if outcome[0] == 409:  # the booking stayed where it was; Bo's own booking holds the new time
                assert move.result().json()["type"].endswith("slot-taken")
                expected += [start, new]
            else:
                expected += [new]
            now_at = datetime.fromisoformat(opened(api, created).json()["start"])
            assert now_at == (new if outcome[0] == 200 else start)
    google.drain_tasks()

    for email in (ada_email, bo_me["email"]):
        starts = starts_in(google, email)
        assert len(starts) == len(set(starts))  # no two of our events at one time in any member's calendar
    assert starts_in(google, bo_me["email"]) == sorted(expected)


def test_keeping_the_organisers_move_in_google_moves_every_member_once_all_are_free(
    api: str, google: Google, sensitive: set[str]
) -> None:
    team_slug, ada, bo, ada_email = collective_team(api, google, sensitive)
    bo_me = me(bo)
    start, new = day_ahead(6, 10), day_ahead(6, 14)
    created = post_booking(api, booking_body(team_slug, start, "Ines K", event_type="together")).json()
    own = post_booking(api, booking_body(bo_me["slug"], new, "Kim K")).json()  # Bo's own page holds 14:00
    google.drain_tasks()

    move_in_google(google, ada_email, created["id"], new)  # the organiser moves its event in Google
    assert eventually(lambda: opened(api, created).json()["status"] == "needs_attention")
    refused = ada.post(f"/hosts/me/bookings/{created['id']}/resolve", json={"keep": "moved"})
    assert_problem(refused, 409, "slot-taken")  # Bo is not free then: every member stays where booked
    assert datetime.fromisoformat(opened(api, created).json()["start"]) == start

    auth = {"Authorization": f"Bearer {own['manage_token']}"}
    assert requests.post(f"{api}/bookings/{own['id']}/cancel", json={}, headers=auth, timeout=10).status_code == 200
    google.drain_tasks()
    kept = eventually(lambda: ada.post(f"/hosts/me/bookings/{created['id']}/resolve", json={"keep": "moved"}).ok)
    google.drain_tasks()

    assert kept
    assert opened(api, created).json()["status"] == "confirmed"
    for email in (ada_email, bo_me["email"]):  # every member's event at the kept time
        assert starts_in(google, email) == [new]
    assert eventually(partial(offers_at, api, bo_me["slug"], start))  # Bo's old time is free on their own page
    assert_problem(post_booking(api, booking_body(bo_me["slug"], new, "Lee K")), 409, "slot-taken")
