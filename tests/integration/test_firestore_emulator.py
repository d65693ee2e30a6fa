"""The Firestore behaviours our booking design relies on, checked on the official emulator."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from google.api_core.exceptions import AlreadyExists, Conflict
from google.cloud import firestore


def test_contended_transaction_is_retried_until_every_increment_lands(db: Any) -> None:
    counter = db.collection("counters").document(f"c-{uuid.uuid4().hex}")
    counter.set({"n": 0})
    attempts: list[int] = []

    @firestore.transactional
    def increment(transaction: Any) -> None:
        attempts.append(1)
        snapshot = counter.get(transaction=transaction)
        transaction.update(counter, {"n": snapshot.get("n") + 1})

    def worker() -> None:
        client = firestore.Client(project=db.project)
        for _ in range(2):
            increment(client.transaction(max_attempts=20))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counter.get().get("n") == 6
    assert len(attempts) > 6, "contention forced at least one retry"


def test_batch_with_a_failed_must_not_exist_precondition_writes_nothing(db: Any) -> None:
    suffix = uuid.uuid4().hex
    taken = db.collection("slot_claims").document(f"h-{suffix}:1000")
    taken.create({"booking": "first"})
    batch = db.batch()
    batch.create(db.collection("slot_claims").document(f"h-{suffix}:0955"), {"booking": "second"})
    batch.create(taken, {"booking": "second"})
    batch.create(db.collection("bookings").document(f"b-{suffix}"), {"status": "confirmed"})

    with pytest.raises((AlreadyExists, Conflict)):
        batch.commit()

    assert not db.collection("slot_claims").document(f"h-{suffix}:0955").get().exists
    assert not db.collection("bookings").document(f"b-{suffix}").get().exists
    assert taken.get().get("booking") == "first"
