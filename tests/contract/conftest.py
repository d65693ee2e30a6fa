"""The contract suite: every test here runs twice, against the dict-backed fake of the unit of work
(tests/unit/fakes.py) and against the Firestore adapter on the official emulator. The same expectations
on both keep the fake honest: a use case tested against the fake behaves so in production.

A `Store` hands out fresh units of work over one database, as function instances share Firestore: two
units interleaved by hand (read in A, read in B, commit B, commit A) are two racing requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from devstack.stack import LocalStack
from shared.services.ports import UnitOfWork
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork

T = TypeVar("T")
Write = Callable[[UnitOfWork], object]  # what one unit of work does before its commit


@dataclass(frozen=True)
class Store:
    kind: str  # "fake" or "firestore"
    uow: Callable[[], UnitOfWork]  # a fresh unit of work over the store's one database

    def commit(self, write: Callable[[UnitOfWork], T]) -> T:
        """One unit of work that writes and commits; what `write` answered."""
        with self.uow() as uow:
            answer = write(uow)
            uow.commit()
            return answer

    def read(self, look: Callable[[UnitOfWork], T]) -> T:
        """What a fresh unit of work sees (no commit)."""
        with self.uow() as uow:
            return look(uow)


_WARMED: list[LocalStack] = []


def _warm_up(stack: LocalStack) -> None:
    """The emulator's first reset after it starts can outlast the 10 s `clean_stack` allows it on a busy
    machine (its JVM loads the code then): one patient reset first, so the first test does not error."""
    if stack in _WARMED or stack.emulator is None:
        return
    for _ in range(3):
        try:
            stack.emulator.clear()
            break
        except OSError:  # a timeout, a refused connection: the emulator is still warming up
            continue
    _WARMED.append(stack)


def _subject_key() -> str:
    return "contract-subject-key"  # the ledger's HMAC key (Secret Manager's, in production)


@pytest.fixture(params=["fake", "firestore"])
def store(request: pytest.FixtureRequest, stack: LocalStack) -> Store:
    # `stack` (session-wide) is asked for here, not looked up below: started first, its environment is the
    # one each test's `isolated_env` saves and puts back.
    if request.param == "fake":
        database = FakeDatabase()
        return Store("fake", lambda: FakeUnitOfWork(database))
    from shared.adapters.firestore import FirestoreCaches, FirestoreUnitOfWork

    _warm_up(stack)
    client: Any = request.getfixturevalue("db")  # the emulator, emptied for this test
    caches = FirestoreCaches()  # one function instance's
    return Store("firestore", lambda: FirestoreUnitOfWork(client, caches, subject_key=_subject_key))
