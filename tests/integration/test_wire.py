"""The wire-form read and create of the unit of work (shared/adapters/firestore/wire.py) store and read
exactly what the official client does, on the official emulator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud import firestore

from shared.adapters.firestore import FirestoreUnitOfWork
from shared.services.errors import AlreadyStored

EVERY_KIND = {
    "nothing": None,
    "yes": True,
    "count": 7,
    "big": -(2**62),
    "ratio": 0.25,
    "text": "Zoë 🗓",
    "packed": b"\x00\xff\x10",
    "at": datetime(2027, 3, 8, 9, 30, 15, 123456, tzinfo=UTC),
    "naive": datetime(2027, 3, 8, 9, 30),  # UTC, as the library reads it
    "list": [1, "two", None, {"four": 4}],
    "empty_list": [],
    "map": {"2026-12-24": ["09:00-17:00"], "inner": {"deep": True}, "kind": "x"},
    "empty_map": {},
}


def fresh(db: Any) -> Any:
    return db.collection("wire").document(uuid.uuid4().hex)


def test_a_create_in_wire_form_stores_what_the_library_stores(db: Any) -> None:
    ours, theirs = fresh(db), fresh(db)
    uow = FirestoreUnitOfWork(db)
    with uow:
        uow.create(ours, {**EVERY_KIND, "created_at": firestore.SERVER_TIMESTAMP})
        uow.commit()
    theirs.create({**EVERY_KIND, "created_at": firestore.SERVER_TIMESTAMP})

    stored, expected = ours.get().to_dict(), theirs.get().to_dict()

    assert stored is not None
    assert expected is not None
    assert isinstance(stored.pop("created_at"), datetime)
    assert isinstance(expected.pop("created_at"), datetime)
    assert stored == expected
    assert stored["at"] == EVERY_KIND["at"]
    naive = EVERY_KIND["naive"]
    assert isinstance(naive, datetime)
    assert stored["naive"] == naive.replace(tzinfo=UTC)


def test_a_create_in_wire_form_fails_the_commit_when_the_document_exists(db: Any) -> None:
    existing = fresh(db)
    existing.set({"a": 1})
    uow = FirestoreUnitOfWork(db)

    with uow:
        uow.create(existing, {"a": 2})
        with pytest.raises(AlreadyStored):
            uow.commit()

    assert existing.get().to_dict() == {"a": 1}


def test_a_value_firestore_cannot_hold_is_refused_before_anything_is_sent(db: Any) -> None:
    uow = FirestoreUnitOfWork(db)

    with uow, pytest.raises(TypeError):
        uow.create(fresh(db), {"when": datetime(2027, 3, 8).date()})


def test_a_wire_read_answers_as_the_library_reads_and_fetches_only_the_fields_asked(db: Any) -> None:
    present, missing = fresh(db), fresh(db)
    present.set(EVERY_KIND)
    uow = FirestoreUnitOfWork(db)

    everything = uow.read_fields([present, missing], list(EVERY_KIND))
    some = uow.read_fields([present], ["packed", "map.inner"])[present.path]

    snapshot = present.get()
    assert everything[present.path].to_dict() == snapshot.to_dict()
    assert everything[present.path].update_time == snapshot.update_time
    assert everything[present.path].id == present.id
    assert not everything[missing.path].exists
    assert everything[missing.path].to_dict() is None
    assert some.to_dict() == {"packed": b"\x00\xff\x10", "map": {"inner": {"deep": True}}}
    packed = some.value("packed")
    assert packed is not None
    assert packed.bytes_value == b"\x00\xff\x10"
    assert some.value("text") is None
