"""The two ways to make a booking exclusive, raced 50-way on the emulator in the same run.

(a) claim documents: one atomic batch creating the booking and one "must not exist" claim per 5-minute
granule (what Kaleno does); (b) a transaction that reads the host's day document, checks for overlap and
writes. Both must let exactly one racer win; the faster correct one is kept.
Run: `.venv/bin/python -m bench.claims_vs_transaction`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from devstack.emulator import FirestoreEmulator

RACERS, ROUNDS, GRANULES = 50, 3, 6


def race(attempt: Callable[[Any, str], bool], client: Any) -> tuple[float, int]:
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        started = time.perf_counter()
        wins = sum(pool.map(lambda _: attempt(client, key), range(RACERS)))
        return time.perf_counter() - started, wins


def with_claims(client: Any, key: str) -> bool:
    from google.api_core.exceptions import AlreadyExists, Conflict

    booking = uuid.uuid4().hex
    batch = client.batch()
    batch.create(client.collection("bookings").document(booking), {"slot": key})
    for granule in range(GRANULES):
        batch.create(client.collection("slot_claims").document(f"{key}:{granule}"), {"booking_id": booking})
    try:
        batch.commit()
    except (AlreadyExists, Conflict):
        return False
    return True


def with_transaction(client: Any, key: str) -> bool:
    from google.api_core.exceptions import Aborted, GoogleAPICallError
    from google.cloud import firestore

    day = client.collection("host_days").document(key)

    @firestore.transactional
    def book(transaction: Any) -> bool:
        snapshot = day.get(transaction=transaction)
        if snapshot.exists and snapshot.get("taken"):
            return False
        booking = client.collection("bookings").document(uuid.uuid4().hex)
        transaction.set(day, {"taken": True})
        transaction.create(booking, {"slot": key})
        return True

    try:
        won: bool = book(client.transaction(max_attempts=50))
    except (Aborted, GoogleAPICallError, ValueError):  # ValueError: "Failed to commit transaction in 50 attempts"
        return False
    return won


def main() -> int:
    emulator = FirestoreEmulator().start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        from google.cloud import firestore

        client = firestore.Client(project="kaleno-local")
        results = {}
        for name, attempt in (("claims batch", with_claims), ("read-then-write transaction", with_transaction)):
            runs = [race(attempt, client) for _ in range(ROUNDS)]
            results[name] = runs
            seconds = statistics.median(run[0] for run in runs)
            print(f"{name:28} median {seconds:5.2f} s over {ROUNDS} races; winners per race {[r[1] for r in runs]}")
    finally:
        emulator.stop()
    correct = all(r[1] == 1 for runs in results.values() for r in runs)
    print("both exactly one winner" if correct else "A RACE HAD NOT EXACTLY ONE WINNER")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
