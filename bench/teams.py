"""Team reads and round-robin bookings over HTTP, each figure beside a single host's in the same run.

The stack runs as deployed (`python -m devstack`). Ten members of one team, each with their own page
(Europe/Berlin, weekdays 09:00-17:00) and 100 busy events over the 62 days ahead in Google (seeded as in
bench/availability.py), and a round-robin team type of 30 minutes over all ten. A single host with the same
hours and busy count stands beside them. Calendar sync runs as its own function in production, so the
Cloud Tasks queue is paused while bookings are timed (the task is still created; the stack stops with it paused).

* a month of slots (31 days) of the team type against one Firestore document get measured alternately
  with it, and the single host's month the same way;
* round-robin bookings of the team type (each read the team's claim and record with the ten members' pages,
  months and fairness tallies in one batch get, choose the member with the fewest bookings, and commit with
  that member's claims and a count on their tally) alternating with bookings on the single host's own page.

Targets (issue 28): a 10-member round-robin month p50 <= 4x one get; a round-robin booking p50 <= 1.5x a
single host's booking. Run: `.venv/bin/python -m bench.teams` (3 runs: `bench.repeat bench.teams`).
"""

from __future__ import annotations

import random
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import requests

from bench.booking import PausedQueue, new_client
from bench.common import HttpClient, StackProcess, Timing, baseline_document, report, signed_in_host, timed_against_get

ZONE = "Europe/Berlin"
MEMBERS = 10
BUSY = 100  # per member (and the single host), over the 62 days ahead
SLOT_SAMPLES = 200
BOOKINGS = 120  # of each kind, alternating (the round-robin ones spread over the ten members)
WARMUP = 10
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def busy_times(seed: int, first_day: date) -> list[tuple[datetime, datetime]]:
    rng = random.Random(seed)
    start_of = datetime.combine(first_day, datetime.min.time(), ZoneInfo(ZONE))
    times = []
    for _ in range(BUSY):
        start = start_of + timedelta(minutes=5 * rng.randrange(0, 62 * 24 * 12))
        times.append((start, start + timedelta(minutes=5 * rng.randrange(1, 5))))
    return times


def host(stack: StackProcess, name: str, seed: int, first_day: date) -> tuple[requests.Session, str, str]:
    """A signed-in host with BUSY busy events, their hours and a 30-minute call: (session, host id, slug)."""
    api, email = stack.api, f"bench-{name}@example.com"
    stack.google.create_account(email, name.title(), time_zone=ZONE)
    for start, end in busy_times(seed, first_day):
        event = {"summary": "busy", "start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}
        stack.google.add_event(email, event)
    session = signed_in_host(stack, email)
    session.patch(f"{api}/hosts/me", json={"slug": f"bench{name}", "time_zone": ZONE}).raise_for_status()
    session.put(f"{api}/hosts/me/schedule", json={"time_zone": ZONE, "weekly": WEEKDAYS}).raise_for_status()
    call = {"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 120}
    session.post(f"{api}/hosts/me/event-types", json=call).raise_for_status()
    return session, session.get(f"{api}/hosts/me").json()["id"], f"bench{name}"


def team(stack: StackProcess, first_day: date) -> str:
    """Ten members in one team with a round-robin call over all of them: the team's slug."""
    api = stack.api
    members = [host(stack, f"member{number}", number, first_day) for number in range(MEMBERS)]
    owner = members[0][0]
    team_id = owner.post(f"{api}/teams", json={"slug": "benchteam", "name": "Bench Team"}).json()["id"]
    for number, (session, _, _) in enumerate(members[1:], start=1):
        invited = owner.post(f"{api}/teams/{team_id}/invitations", json={"email": f"bench-member{number}@example.com"})
        token = invited.json()["invite_url"].rsplit("/", 1)[1]
        session.post(f"{api}/teams/invitations/{token}/accept").raise_for_status()
    call = {"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 120}
    body = {**call, "assignment": "round_robin", "members": [host_id for _, host_id, _ in members]}
    owner.post(f"{api}/teams/{team_id}/event-types", json=body).raise_for_status()
    return "benchteam"


def month_path(slug: str, first_day: date) -> str:
    last_day = first_day + timedelta(days=30)
    return f"/bookings/pages/{slug}/call/slots?from={first_day}&to={last_day}&tz={ZONE}"


def free_starts(api: str, slug: str, first_day: date) -> list[str]:
    """Starts both the team and the single host offer (so the two kinds book the same kind of time)."""
    found = requests.get(f"{api}{month_path(slug, first_day)}", timeout=30).json()["slots"]
    return [slot["start"] for slot in found]


def body(slug: str, start: str) -> dict[str, object]:
    invitee = {"name": "Bench Invitee", "email": f"i-{uuid.uuid4().hex[:12]}@example.org", "time_zone": "UTC"}
    return {"host": slug, "event_type": "call", "start": start, "invitee": invitee}


def main() -> int:
    stack = StackProcess.start(KALENO_BOT_GATE_HOST_BOOKINGS=str(10**9))
    figures: dict[str, float] = {}
    try:
        api = stack.api
        soon = (datetime.now(UTC) + timedelta(days=2)).date()
        first_day = soon + timedelta(days=-soon.weekday() % 7)  # a Monday
        team_slug = team(stack, first_day)
        _, _, solo = host(stack, "solo", 1000, first_day)
        stack.google.drain_tasks()  # the mirrors are filled
        team_month = _read_timing(api, month_path(team_slug, first_day))
        solo_month = _read_timing(api, month_path(solo, first_day))
        # Bookings in the second month ahead, at starts each side offers (the team's month read above stays
        # as it was measured); one client each, alternating, each against the same get.
        later = first_day + timedelta(days=35)
        team_starts = iter(free_starts(api, team_slug, later) * MEMBERS)  # each start takes up to ten bookings
        solo_starts = iter(free_starts(api, solo, later))
        PausedQueue(stack)  # calendar sync is another function: its tasks wait
        clients = {team_slug: HttpClient(api), solo: HttpClient(api)}

        def book(slug: str, starts: Iterator[str]) -> None:
            status, answer = clients[slug].request("POST", "/bookings", body(slug, next(starts)), new_client())
            assert status == 201, answer

        ref = baseline_document()
        round_robin, single = Timing([], []), Timing([], [])
        for number in range(WARMUP + BOOKINGS):
            for slug, starts, timing in ((team_slug, team_starts, round_robin), (solo, solo_starts, single)):
                pair = timed_against_get(partial(book, slug, starts), 1, 0, ref)
                if number >= WARMUP:
                    timing.samples += pair.samples
                    timing.gets += pair.gets
        assigned = assignments(team_slug)  # the queue stays paused: no calendar write is measured here
    finally:
        stack.stop()
    print(team_month.line(f"31 days, team of {MEMBERS} round-robin"))
    print(solo_month.line("31 days, single host"))
    print(round_robin.line(f"round-robin booking ({MEMBERS} members)"))
    print(single.line("single host's booking"))
    print(f"round-robin against a single host's booking: {round_robin.p50 / single.p50:.2f}x (p50)")
    print(f"bookings per member: {sorted(assigned.values())}")
    figures |= team_month.metrics("31d team of 10") | solo_month.metrics("31d single host")
    figures |= round_robin.metrics("round-robin booking") | single.metrics("single host booking")
    figures["round-robin / single booking p50"] = round_robin.p50 / single.p50
    figures["most - fewest bookings per member"] = max(assigned.values()) - min(assigned.values())
    report(figures)
    checks = {
        f"31 days, team of {MEMBERS}: p50 <= 4x get": team_month.p50 / team_month.get <= 4,
        "round-robin booking p50 <= 1.5x a single host's": round_robin.p50 <= 1.5 * single.p50,
        "round-robin bookings spread over every member, within one of each other": len(assigned) == MEMBERS
        and max(assigned.values()) - min(assigned.values()) <= 1,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'MISS'} {name}")
    print("PASS" if all(checks.values()) else "FAIL")
    return 0 if all(checks.values()) else 1


def _read_timing(api: str, path: str) -> Timing:
    client = HttpClient(api)

    def read() -> None:
        status, _ = client.get(path)
        assert status == 200, status

    timing = timed_against_get(read, SLOT_SAMPLES)
    client.close()
    return timing


def assignments(team_slug: str) -> Counter[str]:
    """Round-robin bookings per member, read from the emulator (the team type's bookings)."""
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    db = firestore.Client(project="kaleno-local")
    teams = db.collection("teams").where(filter=FieldFilter("slug", "==", team_slug))
    team_doc = next(iter(teams.stream())).to_dict() or {}
    type_ids = set(team_doc.get("event_types", {}))
    found = (doc.to_dict() or {} for doc in db.collection("bookings").stream())
    return Counter(b["host_id"] for b in found if b["event_type_id"] in type_ids and b["status"] == "confirmed")


if __name__ == "__main__":
    sys.exit(main())
