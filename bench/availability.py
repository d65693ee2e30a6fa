"""Availability read speed: a 31-day slots request over HTTP, against one Firestore get measured now.

Host: 500 busy intervals over 60 days, weekdays 09:00–17:00, 30-minute event type. Targets: HTTP p50
≤ 5× one document get; the engine alone (no I/O) < 5 ms for the same month.
Run: `.venv/bin/python -m bench.availability`.
"""

from __future__ import annotations

import random
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from bench.common import StackProcess, interleaved, percentile, signed_in_host, timed
from sandbox.client import SandboxClient

ZONE = "Europe/Berlin"
BUSY_COUNT = 500


def busy_times(first_day: date) -> list[tuple[datetime, datetime]]:
    """500 non-overlapping busy times over 60 days (one in each 2 h 52 min slice), the same every run."""
    rng = random.Random(7)
    start_of = datetime.combine(first_day, datetime.min.time(), ZoneInfo(ZONE))
    times = []
    for index in range(BUSY_COUNT):
        start = start_of + timedelta(minutes=index * 60 * 24 * 60 // BUSY_COUNT + 5 * rng.randrange(0, 12))
        times.append((start, start + timedelta(minutes=5 * rng.randrange(3, 18))))
    return times


def add_busy_events(google: SandboxClient, email: str, first_day: date) -> None:
    for start, end in busy_times(first_day):
        google.add_event(
            email, {"summary": "busy", "start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}
        )


def main() -> int:
    stack = StackProcess.start()
    try:
        api, email = stack.api, "bench-host@example.com"
        first_day = (datetime.now(UTC) + timedelta(days=2)).date()
        stack.google.create_account(email, "Bench", time_zone=ZONE)
        add_busy_events(stack.google, email, first_day)
        host = signed_in_host(stack, email)
        host.patch(f"{api}/hosts/me", json={"slug": "bench", "time_zone": ZONE}).raise_for_status()
        host.put(
            f"{api}/hosts/me/schedule",
            json={
                "time_zone": ZONE,
                "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
            },
        ).raise_for_status()
        host.post(
            f"{api}/hosts/me/event-types",
            json={"slug": "call", "title": "Call", "duration_minutes": 30},
        ).raise_for_status()
        # Availability reads: the month after `first_day`.
        params = {"from": first_day.isoformat(), "to": (first_day + timedelta(days=30)).isoformat(), "tz": ZONE}
        url = f"{api}/bookings/pages/bench/call/slots"
        session = requests.Session()
        calls_before = stack.google.state()["calls"]
        http, gets = interleaved(lambda: session.get(url, params=params).raise_for_status(), 200)
        google_during = sum(stack.google.state()["calls"].values()) - sum(calls_before.values())
        slot_count = len(session.get(url, params=params).json()["slots"])
        baseline = statistics.median(gets)
        engine = engine_timing(first_day)
    finally:
        stack.stop()
    p50, p95 = statistics.median(http), percentile(http, 95)
    print(f"firestore single get p50      {baseline:7.2f} ms   (baseline, same run)")
    print(f"slots 31 days over HTTP p50    {p50:7.2f} ms   ratio {p50 / baseline:5.2f}x (target ≤ 5)")
    print(f"slots 31 days over HTTP p95    {p95:7.2f} ms   ratio {p95 / baseline:5.2f}x")
    print(f"engine alone, same month p50   {engine:7.2f} ms   (target < 5 ms)")
    print(f"slots returned {slot_count}, Google calls during {len(http) + 20} reads: {google_during}")
    ok = p50 / baseline <= 5 and engine < 5 and google_during == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def engine_timing(first_day: date) -> float:
    """The slot engine alone over the same shape of data (500 busy intervals, 31 days)."""
    from shared.domain.event_type import EventType
    from shared.domain.intervals import Interval
    from shared.domain.schedule import Schedule
    from shared.domain.slots import available_slots

    zone = ZoneInfo(ZONE)
    busy = [Interval(start, end) for start, end in busy_times(first_day)]
    schedule = Schedule.model_validate(
        {"time_zone": ZONE, "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}}
    )
    event_type = EventType(slug="call", title="Call", duration_minutes=30)
    now = datetime.now(UTC)
    samples = timed(
        lambda: available_slots(
            event_type,
            schedule,
            busy,
            [],
            now=now,
            first_day=first_day,
            last_day=first_day + timedelta(days=30),
            invitee_tz=zone,
            horizon_end=now + timedelta(days=62),
        ),
        200,
    )
    return statistics.median(samples)


if __name__ == "__main__":
    sys.exit(main())
