"""Booking write speed and cost: p50 of one booking over HTTP, a 50-request race, Google calls per booking.

All against one Firestore document get measured in the same run. Targets: booking p50 ≤ 10× one get;
the 50-request race settles in ≤ 3 s with exactly one winner; exactly 1 events.insert per booking.
Run: `.venv/bin/python -m bench.booking`.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from bench.common import StackProcess, interleaved, signed_in_host

BOOKINGS = 120  # 20 warm-up bookings, then 100 timed
RACERS = 50


def main() -> int:
    stack = StackProcess.start()
    try:
        api, email = stack.api, "bench-booker@example.com"
        stack.google.create_account(email, "Bench", time_zone="UTC")
        host = signed_in_host(stack, email)
        host.patch(f"{api}/hosts/me", json={"slug": "bench"}).raise_for_status()
        host.put(
            f"{api}/hosts/me/schedule",
            json={
                "time_zone": "UTC",
                "weekly": {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            },
        ).raise_for_status()
        host.post(
            f"{api}/hosts/me/event-types",
            json={"slug": "call", "title": "Call", "duration_minutes": 30},
        ).raise_for_status()
        first = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=2)
        starts = [first + timedelta(days=i // 20, minutes=30 * (i % 20)) for i in range(BOOKINGS)]
        race_start = first + timedelta(days=BOOKINGS // 20 + 1)
        # Calendar sync runs as its own function in production; here it would share the app's process and
        # cores with the requests being timed, so the queue waits until the timing is done.
        queue = PausedQueue(stack)
        session = requests.Session()
        free = iter(starts)

        def book_next() -> None:
            response = session.post(
                f"{api}/bookings", json=_body(next(free)), headers={"Idempotency-Key": uuid.uuid4().hex}
            )
            assert response.status_code == 201, response.text

        latencies, gets = interleaved(book_next, BOOKINGS - 20)
        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            began = time.perf_counter()
            statuses = list(
                pool.map(
                    lambda _: (
                        requests.post(
                            f"{api}/bookings",
                            json=_body(race_start),
                            headers={"Idempotency-Key": uuid.uuid4().hex},
                            timeout=60,
                        ).status_code
                    ),
                    range(RACERS),
                )
            )
            race_seconds = time.perf_counter() - began
        queue.resume()
        stack.google.drain_tasks(timeout=60)
        inserts = stack.google.state()["calls"].get("calendar.events.insert", 0)
        baseline = statistics.median(gets)
    finally:
        stack.stop()
    p50 = statistics.median(latencies)
    winners, booked = statuses.count(201), BOOKINGS + statuses.count(201)
    print(f"firestore single get p50        {baseline:7.2f} ms   (baseline, same run)")
    print(f"booking over HTTP p50            {p50:7.2f} ms   ratio {p50 / baseline:5.2f}x (target ≤ 10)")
    print(
        f"50-request race for one slot     {race_seconds:7.2f} s    winners {winners}, 409s "
        f"{statuses.count(409)} (target ≤ 3 s, exactly 1 winner)"
    )
    print(f"events.insert per booking        {inserts / booked:7.2f}      ({inserts} for {booked} bookings, target 1)")
    ok = p50 / baseline <= 10 and race_seconds <= 3 and winners == 1 and inserts == booked
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


class PausedQueue:
    def __init__(self, stack: StackProcess) -> None:
        from shared.adapters.google_clients import tasks_client
        from shared.config import Settings

        settings = Settings(tasks_endpoint=stack.urls["cloud_tasks"])
        self._client = tasks_client(settings)
        self._name = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"
        self._client.pause_queue(name=self._name)

    def resume(self) -> None:
        self._client.resume_queue(name=self._name)


def _body(start: datetime) -> dict[str, object]:
    return {
        "host": "bench",
        "event_type": "call",
        "start": start.isoformat(),
        "invitee": {"name": "Bench Invitee", "email": f"i-{uuid.uuid4().hex[:8]}@example.org", "time_zone": "UTC"},
    }


if __name__ == "__main__":
    sys.exit(main())
