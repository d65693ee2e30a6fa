"""A 60-second load run with the per-client limits on, as in production.

A scripted bot (one client address) floods POST /bookings and slot reads; ordinary visitors (each its own
address) read a month of slots and book one slot each, at a person's pace. Both solve the bot gate's
proof-of-work challenges when asked, as the booking page does. Expected: the bot gets 429s
and books no more than its allowance (10 per 60 s); ordinary traffic gets none; no two confirmed
bookings overlap afterwards. Run: `.venv/bin/python -m bench.load` (prints one line per figure).
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from bench.common import StackProcess, signed_in_host
from bench.proof import post_solving

DURATION = 60.0
VISITORS = 8  # concurrent ordinary visitors, each a new address every round
EVERY_DAY = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def confirmed_spans() -> list[tuple[datetime, datetime]]:
    """Every confirmed booking's occupied time, read from the emulator itself (no listing cap)."""
    from google.cloud import firestore

    bookings = firestore.Client(project="kaleno-local").collection("bookings").stream()
    found = [doc.to_dict() or {} for doc in bookings]
    return sorted((b["occupied_start"], b["occupied_end"]) for b in found if b["status"] == "confirmed")


def main() -> int:
    # One instance: the local stack has no Cloud Armor edge (infra/edge.tf) counting a client's requests
    # across instances, so the limiter inside the one instance stands for it.
    stack = StackProcess.start(KALENO_CLIENT_LIMITS_ENABLED="true", KALENO_INSTANCES="1")
    try:
        api, email = stack.api, "load-host@example.com"
        stack.google.create_account(email, "Load", time_zone="UTC")
        host = signed_in_host(stack, email)
        host.patch(f"{api}/hosts/me", json={"slug": "load"}).raise_for_status()
        host.put(f"{api}/hosts/me/schedule", json={"time_zone": "UTC", "weekly": EVERY_DAY}).raise_for_status()
        host.post(
            f"{api}/hosts/me/event-types",
            json={"slug": "call", "title": "Call", "duration_minutes": 30, "invitee_open_limit": 100},
        ).raise_for_status()
        first = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=2)
        slots = [first + timedelta(days=i // 24, minutes=30 * (i % 24)) for i in range(24 * 50)]
        # The bot cycles through the first weeks; visitors take fresh times after them.
        bot_starts, visitor_starts = itertools.cycle(slots[: 24 * 14]), iter(slots[24 * 14 :])
        lock = threading.Lock()
        bot, visitors = Counter[str](), Counter[str]()
        deadline = time.monotonic() + DURATION

        def next_start(starts: Iterator[datetime]) -> datetime:
            with lock:
                return next(starts)

        def book(client: str, start: datetime) -> int:
            body = {
                "host": "load",
                "event_type": "call",
                "start": start.isoformat(),
                "invitee": {"name": "Load", "email": f"{uuid.uuid4().hex[:10]}@example.org", "time_zone": "UTC"},
            }
            headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": client}
            return post_solving(f"{api}/bookings", body, headers, timeout=30).status_code

        def read(client: str) -> int:
            day = first.date()
            params = {"from": day.isoformat(), "to": (day + timedelta(days=30)).isoformat(), "tz": "Europe/Berlin"}
            url = f"{api}/bookings/pages/load/call/slots"
            return requests.get(url, params=params, headers={"X-Forwarded-For": client}, timeout=30).status_code

        def run_bot() -> None:
            while time.monotonic() < deadline:
                status = book("203.0.113.66", next_start(bot_starts))
                with lock:
                    bot[f"book {status}"] += 1
                status = read("203.0.113.66")
                with lock:
                    bot[f"read {status}"] += 1

        def run_visitor(index: int) -> None:
            for round_ in itertools.count():
                if time.monotonic() >= deadline:
                    return
                client = f"198.51.{index}.{round_ % 250 + 1}"
                statuses = [read(client), read(client), book(client, next_start(visitor_starts))]
                with lock:
                    for kind, status in zip(("read", "read", "book"), statuses, strict=True):
                        visitors[f"{kind} {status}"] += 1
                time.sleep(1.0)  # a person looks at the page before clicking

        with ThreadPoolExecutor(VISITORS + 2) as pool:
            futures = [pool.submit(run_bot), pool.submit(run_bot)]
            futures += [pool.submit(run_visitor, index) for index in range(VISITORS)]
            for future in futures:
                future.result()
        spans = confirmed_spans()
    finally:
        stack.stop()

    overlaps = sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    allowance = 10 * (int(DURATION // 60) + 1)  # a 60 s sliding window: at most two windows touch the run
    print(f"bot:      {dict(sorted(bot.items()))}")
    print(f"visitors: {dict(sorted(visitors.items()))}")
    refused_visitors = visitors["book 429"] + visitors["read 429"]
    print(f"bot bookings {bot['book 201']} (allowance {allowance}), visitor 429s {refused_visitors}")
    print(f"confirmed bookings {len(spans)}, overlapping pairs {overlaps}")
    ok = bot["book 429"] > 0 and bot["book 201"] <= allowance and refused_visitors == 0
    ok = ok and overlaps == 0 and visitors["book 201"] > 0 and set(visitors) <= {"book 201", "read 200"}
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
