"""Availability reads over HTTP, each figure against one Firestore document get measured in the same run.

The stack runs as deployed (`python -m devstack`: functions-framework's gunicorn, one request at a time
per instance, keep-alive). Four hosts in Europe/Berlin, weekdays 09:00-17:00, a 30-minute event type,
whose Google calendars hold 0, 100, 1,000 and 3,000 busy events over the 62 days ahead (seeded: random
starts on the 5-minute grid at any hour, 5 to 20 minutes long, so busy times stay distinct).

* a month of slots (31 days) for each of the four hosts;
* 1-, 7-, 31- and 62-day ranges for the 1,000-event host;
* throughput of 31-day reads (100-event host) at 1, 10 and 50 concurrent clients, each on its own
  keep-alive connection, for a fixed time: requests per second and errors;
* the slot engine alone on the 3,000-event month;
* a month of slots for a host with 3 conflict calendars (the primary and two secondary ones) holding
  1,000 busy events over the month between them (issue 18: the mirror merges them, so a read costs what a
  one-calendar read of the same busy times costs).

Targets (issue 17): 31-day p50 <= 3x one get with 100 busy events and <= 3.5x with 3,000; p99 <= 3x
p50; throughput at least 200/s (2x the ~100/s before) with zero errors; no Google call on a read.
Issue 18: the 3-calendar host within the 3,000-event one-calendar ratio (<= 3.5x one get).
Run: `.venv/bin/python -m bench.availability` (3 runs: `.venv/bin/python -m bench.repeat bench.availability`).
"""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.common import HttpClient, StackProcess, Timing, report, signed_in_host, timed, timed_against_get

ZONE = "Europe/Berlin"
BUSY_COUNTS = (0, 100, 1000, 3000)
RANGES = (1, 7, 31, 62)
RANGE_HOST = 1000
THROUGHPUT_HOST = 100
CLIENTS = (1, 10, 50)
THROUGHPUT_SECONDS = 10.0
SAMPLES = 300  # per figure: p99 is the 3rd worst
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
CONFLICT_CALENDARS_BUSY = 1000  # over the 31 days read, spread over 3 conflict calendars


def busy_times(count: int, first_day: date) -> list[tuple[datetime, datetime]]:
    rng = random.Random(count)
    start_of = datetime.combine(first_day, datetime.min.time(), ZoneInfo(ZONE))
    times = []
    for _ in range(count):
        start = start_of + timedelta(minutes=5 * rng.randrange(0, 62 * 24 * 12))
        times.append((start, start + timedelta(minutes=5 * rng.randrange(1, 5))))
    return times


def host_with_busy(stack: StackProcess, count: int, first_day: date) -> str:
    """A signed-in host whose calendar holds `count` busy events; its page's slug."""
    api, email, slug = stack.api, f"bench-{count}@example.com", f"bench{count}"
    stack.google.create_account(email, "Bench", time_zone=ZONE)
    for start, end in busy_times(count, first_day):
        event = {"summary": "busy", "start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}
        stack.google.add_event(email, event)
    host = signed_in_host(stack, email)  # connecting mirrors the calendar
    host.patch(f"{api}/hosts/me", json={"slug": slug, "time_zone": ZONE}).raise_for_status()
    host.put(f"{api}/hosts/me/schedule", json={"time_zone": ZONE, "weekly": WEEKDAYS}).raise_for_status()
    host.post(f"{api}/hosts/me/event-types", json={"slug": "call", "title": "Call", "duration_minutes": 30})
    return slug


def host_with_three_calendars(stack: StackProcess, first_day: date) -> str:
    """A host whose primary and two secondary calendars, all chosen as conflict calendars, hold 1,000 busy
    events over the month between them; its page's slug."""
    api, email, slug = stack.api, "bench-calendars@example.com", "benchcalendars"
    stack.google.create_account(email, "Bench", time_zone=ZONE)
    calendars = [None, stack.google.add_calendar(email, "Work"), stack.google.add_calendar(email, "Family")]
    rng = random.Random(18)
    start_of = datetime.combine(first_day, datetime.min.time(), ZoneInfo(ZONE))
    for index in range(CONFLICT_CALENDARS_BUSY):
        start = start_of + timedelta(minutes=5 * rng.randrange(0, 31 * 24 * 12))
        end = start + timedelta(minutes=5 * rng.randrange(1, 5))
        event = {"summary": "busy", "start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}
        stack.google.add_event(email, event, calendar_id=calendars[index % 3])
    host = signed_in_host(stack, email)
    # The calendars setting: the calendar list is granted (incrementally), then all three are chosen.
    params = {"purpose": "calendars", "login_hint": email}
    consent = host.get(f"{api}/oauth/start", params=params, allow_redirects=False)
    callback = host.get(consent.headers["Location"], allow_redirects=False).headers["Location"]
    assert host.get(callback, allow_redirects=False).status_code == 302
    ids = [c["id"] for c in host.get(f"{api}/hosts/me/calendars").json()["calendars"]]
    host.put(f"{api}/hosts/me/calendars", json={"conflict": ids, "write": ids[0]}).raise_for_status()
    host.patch(f"{api}/hosts/me", json={"slug": slug, "time_zone": ZONE}).raise_for_status()
    host.put(f"{api}/hosts/me/schedule", json={"time_zone": ZONE, "weekly": WEEKDAYS}).raise_for_status()
    host.post(f"{api}/hosts/me/event-types", json={"slug": "call", "title": "Call", "duration_minutes": 30})
    return slug


def slots_path(slug: str, first_day: date, days: int) -> str:
    last_day = first_day + timedelta(days=days - 1)
    query = urlencode({"from": first_day.isoformat(), "to": last_day.isoformat(), "tz": ZONE})
    return f"/bookings/pages/{slug}/call/slots?{query}"


def read_timing(api: str, path: str) -> tuple[Timing, int]:
    client = HttpClient(api)

    def read() -> None:
        status, _ = client.get(path)
        assert status == 200, status

    timing = timed_against_get(read, SAMPLES)
    _, body = client.get(path)
    client.close()
    return timing, body.count(b'"start"')


def throughput(api: str, path: str, clients: int) -> tuple[float, int]:
    """(requests per second, errors) of `clients` clients reading as fast as they can."""
    done, errors, lock = [0], [0], threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client_loop(deadline_box: list[float]) -> None:
        client = HttpClient(api)
        client.get(path)  # connected and warm before the clock starts
        start_line.wait()
        served = failed = 0
        while time.perf_counter() < deadline_box[0]:
            try:
                status, _ = client.get(path)
                served, failed = (served + 1, failed) if status == 200 else (served, failed + 1)
            except OSError:
                failed += 1
        client.close()
        with lock:
            done[0] += served
            errors[0] += failed

    deadline: list[float] = [float("inf")]
    threads = [threading.Thread(target=client_loop, args=(deadline,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    deadline[0] = began + THROUGHPUT_SECONDS
    for thread in threads:
        thread.join()
    return done[0] / (time.perf_counter() - began), errors[0]


def main() -> int:
    stack = StackProcess.start()
    figures: dict[str, float] = {}
    lines: list[str] = []
    try:
        soon = (datetime.now(UTC) + timedelta(days=2)).date()
        first_day = soon + timedelta(days=-soon.weekday() % 7)  # a Monday: the 1-day range is a working day
        slugs = {count: host_with_busy(stack, count, first_day) for count in BUSY_COUNTS}
        three_calendars = host_with_three_calendars(stack, first_day)
        stack.google.drain_tasks()  # the refreshes the choice and the event type asked for are done
        calls_before = sum(stack.google.state()["calls"].values())
        month: dict[int, Timing] = {}
        for count, slug in slugs.items():
            month[count], slot_count = read_timing(stack.api, slots_path(slug, first_day, 31))
            lines.append(month[count].line(f"31 days, {count:5} busy ({slot_count} slots)"))
            figures |= month[count].metrics(f"31d {count} busy")
        calendars_month, slot_count = read_timing(stack.api, slots_path(three_calendars, first_day, 31))
        lines.append(calendars_month.line(f"31 days, 3 calendars, {CONFLICT_CALENDARS_BUSY} busy ({slot_count} slots)"))
        figures |= calendars_month.metrics(f"31d 3 calendars {CONFLICT_CALENDARS_BUSY} busy")
        for days in RANGES:
            timing, slot_count = read_timing(stack.api, slots_path(slugs[RANGE_HOST], first_day, days))
            lines.append(timing.line(f"{days:2} days, {RANGE_HOST} busy ({slot_count} slots)"))
            figures |= timing.metrics(f"range {days}d, {RANGE_HOST} busy")
        for clients in CLIENTS:
            per_second, errors = throughput(stack.api, slots_path(slugs[THROUGHPUT_HOST], first_day, 31), clients)
            lines.append(f"throughput, {clients:2} clients, 31 days        {per_second:7.1f} reads/s, {errors} errors")
            figures[f"throughput {clients} clients /s"] = per_second
            figures[f"throughput {clients} clients errors"] = errors
        google_calls = sum(stack.google.state()["calls"].values()) - calls_before
        figures["engine alone 3000 busy ms"] = engine_timing(first_day)
    finally:
        stack.stop()
    print("\n".join(lines))
    print(f"engine alone, 31 days of 3,000 busy events   p50 {figures['engine alone 3000 busy ms']:.2f} ms")
    print(f"Google calls during the reads: {google_calls}")
    figures["google calls"] = google_calls
    report(figures)
    checks = {
        "31 days, 100 busy: p50 <= 3x get": month[100].p50 / month[100].get <= 3,
        "31 days, 3000 busy: p50 <= 3.5x get": month[3000].p50 / month[3000].get <= 3.5,
        "31 days, 3 conflict calendars, 1000 busy: p50 <= 3.5x get": calendars_month.p50 / calendars_month.get <= 3.5,
        "p99 <= 3x p50 (every month read)": all(timing.p99 <= 3 * timing.p50 for timing in month.values()),
        "throughput >= 200/s at 10 and 50 clients": min(figures[f"throughput {c} clients /s"] for c in (10, 50)) >= 200,
        "no errors": sum(figures[f"throughput {c} clients errors"] for c in CLIENTS) == 0,
        "no Google call on a read": google_calls == 0,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'MISS'} {name}")
    print("PASS" if all(checks.values()) else "FAIL")
    return 0 if all(checks.values()) else 1


def engine_timing(first_day: date) -> float:
    """The slot engine alone (no I/O) over 31 days of the 3,000-event calendar."""
    from shared.domain.event_type import EventType
    from shared.domain.intervals import SpanSet
    from shared.domain.offsets import epoch_seconds, epoch_seconds_up
    from shared.domain.schedule import Schedule
    from shared.domain.slots import free_starts

    taken = SpanSet.of((epoch_seconds(start), epoch_seconds_up(end)) for start, end in busy_times(3000, first_day))
    schedule = Schedule.model_validate({"time_zone": ZONE, "weekly": WEEKDAYS})
    event_type = EventType(slug="call", title="Call", duration_minutes=30)
    now = datetime.now(UTC)
    samples = timed(
        lambda: free_starts(
            event_type,
            schedule,
            taken,
            now=now,
            first_day=first_day,
            last_day=first_day + timedelta(days=30),
            invitee_tz=ZoneInfo(ZONE),
            horizon_end=now + timedelta(days=62),
        ),
        200,
    )
    return statistics.median(samples)


if __name__ == "__main__":
    sys.exit(main())
