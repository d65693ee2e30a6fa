"""CPU per request, measured in-process: the app's own CPU for a month of slots and for a booking.

The stack (Firestore emulator, Google sandbox, the deployed functions) runs in its own processes
(`python -m devstack`); this benchmark builds the `bookings` function in its own process with
functions-framework (`create_app`, as an instance builds it) on the same emulator and sandbox, and calls it
through Flask's test client, so no socket to the function and no other server is in the figure. Around each
call it reads two clocks:

* **process CPU** (`time.process_time()`: every thread of this process): our code, pydantic, Flask and
  functions-framework, the Firestore, Cloud Tasks and Secret Manager client libraries encoding and decoding
  protobuf, and gRPC's own threads driving the calls. The waits on the emulator and the sandbox are not CPU of
  this process, and their own CPU is theirs (other processes). This is the goal's figure.
* **thread CPU** (`time.thread_time()`): the request's own thread only (without gRPC's threads and the
  booking's Cloud Tasks enqueue, which runs on a thread beside the commit).

The slots host: Europe/Berlin, weekdays 09:00-17:00, a 30-minute type, 100 busy events over the 62 days ahead
(bench.availability's 100-event host); each read asks 31 days. The booking host: UTC, every hour, a 30-minute
type; bookings go one after another into an empty month, each from a client of its own with per-client write
limits on (as deployed); the sync queue is paused (calendar sync is another function). Goals (issue 30):
process CPU p50 <= 1 ms per slots read and <= 2.5 ms per booking, on this machine.
`--profile` adds a cProfile of 100 more calls of each (thread CPU), for the next lever.
Run: `.venv/bin/python -m bench.cpu` (3 runs: `.venv/bin/python -m bench.repeat bench.cpu --runs 3`).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.availability import host_with_busy, slots_path
from bench.booking import EVERY_HOUR, half_hours, month_after, new_client
from bench.common import StackProcess, percentile, report, signed_in_host

SLOT_READS = 400
BOOKINGS = 300
WARMUP = 20
GOALS_MS = {"slots": 1.0, "booking": 2.5}


def main() -> int:
    stack = StackProcess.start(KALENO_CLIENT_LIMITS_ENABLED="true", KALENO_BOT_GATE_HOST_BOOKINGS=str(10**9))
    figures: dict[str, float] = {}
    try:
        soon = (datetime.now(UTC) + timedelta(days=2)).date()
        first_day = soon + timedelta(days=-soon.weekday() % 7)
        slots_slug = host_with_busy(stack, 100, first_day)
        booker_slug = booking_host(stack)
        stack.google.drain_tasks(timeout=60)
        pause_sync_queue(stack)
        client = in_process_bookings(stack)

        def read_slots() -> None:
            path = slots_path(slots_slug, first_day, 31).removeprefix("/bookings")
            response = client.get(path, headers=new_client())  # a visitor of its own: limits are per client
            assert response.status_code == 200, response.get_data(as_text=True)

        free = half_hours(month_after(datetime.now(UTC) + timedelta(days=2)))

        def book() -> None:
            invitee = {"name": "Bench Invitee", "email": f"i-{uuid.uuid4().hex[:12]}@example.org", "time_zone": "UTC"}
            body = {"host": booker_slug, "event_type": "call", "start": next(free).isoformat(), "invitee": invitee}
            response = client.post("/", json=body, headers=new_client())  # the function's own root
            assert response.status_code == 201, response.get_data(as_text=True)

        for name, action, count in (("slots", read_slots, SLOT_READS), ("booking", book, BOOKINGS)):
            samples = cpu_samples(action, count)
            figures |= summary(name, samples)
            if "--profile" in sys.argv:
                profile(name, action)
    finally:
        stack.stop()
    for name in GOALS_MS:
        cpu, p90 = figures[f"{name} process cpu ms"], figures[f"{name} process cpu p90 ms"]
        thread, wall = figures[f"{name} thread cpu ms"], figures[f"{name} wall ms"]
        print(f"{name:8} process CPU p50 {cpu:5.2f} ms (p90 {p90:5.2f}), thread {thread:5.2f} ms, wall {wall:5.2f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    report(figures)
    checks = {
        f"{name}: process CPU p50 <= {goal} ms": figures[f"{name} process cpu ms"] <= goal
        for name, goal in GOALS_MS.items()
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'MISS'} {name}")
    print("PASS" if all(checks.values()) else "FAIL")
    return 0 if all(checks.values()) else 1


def booking_host(stack: StackProcess) -> str:
    api, email, slug = stack.api, "bench-cpu-booker@example.com", "benchcpu"
    stack.google.create_account(email, "Bench", time_zone="UTC")
    host = signed_in_host(stack, email)
    host.patch(f"{api}/hosts/me", json={"slug": slug}).raise_for_status()
    host.put(f"{api}/hosts/me/schedule", json={"time_zone": "UTC", "weekly": EVERY_HOUR}).raise_for_status()
    event_type = {"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 120}
    host.post(f"{api}/hosts/me/event-types", json=event_type).raise_for_status()
    return slug


def stack_environment(stack: StackProcess) -> dict[str, str]:
    """What the stack gives its own functions (devstack/stack.py), for the function built here."""
    return {
        "GOOGLE_CLOUD_PROJECT": "kaleno-local",
        "FIRESTORE_EMULATOR_HOST": stack.urls["firestore"],
        "KALENO_BASE_URL": stack.api,
        "KALENO_SANDBOX_URL": stack.urls["sandbox"],
        "KALENO_SECRETS_ENDPOINT": stack.urls["secret_manager"],
        "KALENO_TASKS_ENDPOINT": stack.urls["cloud_tasks"],
        "KALENO_CLIENT_ADDRESS_FROM": "last-forwarded",
        "KALENO_CLIENT_LIMITS_ENABLED": "true",
        "KALENO_BOT_GATE_HOST_BOOKINGS": str(10**9),
    }


def pause_sync_queue(stack: StackProcess) -> None:
    from shared.adapters.google_clients import tasks_client
    from shared.config import Settings

    settings = Settings(tasks_endpoint=stack.urls["cloud_tasks"])
    client = tasks_client(settings)
    client.pause_queue(name=client.queue_path(settings.project, settings.region, settings.tasks_queue))


def in_process_bookings(stack: StackProcess) -> Any:
    """The `bookings` function as an instance builds it, in this process, behind Flask's test client."""
    import functions_framework

    from bench.common import ROOT
    from shared.config import get_settings

    os.environ.update(stack_environment(stack))
    get_settings.cache_clear()
    return functions_framework.create_app("bookings", str(ROOT / "functions" / "main.py")).test_client()


def cpu_samples(action: Callable[[], None], count: int) -> dict[str, list[float]]:
    """Milliseconds of process CPU, thread CPU and wall time per call, after WARMUP calls."""
    for _ in range(WARMUP):
        action()
    samples: dict[str, list[float]] = {"process": [], "thread": [], "wall": []}
    for _ in range(count):
        process, thread, wall = time.process_time(), time.thread_time(), time.perf_counter()
        action()
        samples["process"].append((time.process_time() - process) * 1000)
        samples["thread"].append((time.thread_time() - thread) * 1000)
        samples["wall"].append((time.perf_counter() - wall) * 1000)
    return samples


def profile(name: str, action: Callable[[], None], calls: int = 100) -> None:
    """Where this thread's CPU goes (`--profile`): the functions taking most of it, their own time first."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for _ in range(calls):
        action()
    profiler.disable()
    print(f"--- {name}: {calls} calls, by own thread CPU")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def summary(name: str, samples: dict[str, list[float]]) -> dict[str, float]:
    return {
        f"{name} process cpu ms": statistics.median(samples["process"]),
        f"{name} process cpu p90 ms": percentile(samples["process"], 90),
        f"{name} thread cpu ms": statistics.median(samples["thread"]),
        f"{name} wall ms": statistics.median(samples["wall"]),
    }


if __name__ == "__main__":
    sys.exit(main())
