"""One-off migrations on the official emulator: what they write, and that a second run writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from google.cloud import firestore

from shared.adapters.firestore import FirestoreUnitOfWork
from shared.adapters.firestore.migrations import backfill_holder_ids
from shared.services.records import HostListing
from tests.integration.test_months import MONDAY, a_booking


def test_bookings_stored_before_holder_ids_are_listed_again_once_backfilled(db: Any) -> None:
    uow = FirestoreUnitOfWork(db)
    old, new = a_booking("h1", MONDAY), a_booking("h1", MONDAY + timedelta(hours=2))
    with uow:
        uow.bookings.add(old, None)
        uow.bookings.add(new, None)
        uow.commit()
    db.collection("bookings").document(old.id).update({"holder_ids": firestore.DELETE_FIELD})  # as stored before
    listing = HostListing(now=MONDAY - timedelta(days=1))
    assert [found.id for found in uow.bookings.of_host("h1", listing)] == [new.id]  # the old one is lost

    assert backfill_holder_ids(db) == 1

    assert [found.id for found in uow.bookings.of_host("h1", listing)] == [old.id, new.id]
    assert db.collection("bookings").document(old.id).get().get("holder_ids") == ["h1"]
    assert backfill_holder_ids(db) == 0  # idempotent: nothing left to write
