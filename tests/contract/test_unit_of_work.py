"""The unit of work itself, whatever the repositories: writes are staged until `commit()`, all or none
across repositories, and only inside `with uow:`."""

from __future__ import annotations

import pytest

from shared.services.errors import AlreadyStored
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store
from tests.contract.records import MONDAY_10, booking
from tests.unit.fakes import a_host, a_page


def test_a_unit_reads_what_was_committed_not_what_it_staged(store: Store) -> None:
    with store.uow() as uow:
        uow.hosts.add(a_host("h1"))
        assert uow.hosts.get("h1") is None
        uow.commit()
        assert uow.hosts.get("h1") == a_host("h1")


def test_a_failed_commit_leaves_nothing_of_any_repository(store: Store) -> None:
    store.commit(lambda uow: uow.bookings.add(booking(1), None))

    def everything(uow: UnitOfWork) -> None:
        uow.hosts.add(a_host("h1"))
        uow.pages.add("ada", a_page("h1"))
        uow.months.move_span(None, booking(2, MONDAY_10))
        uow.bookings.add(booking(2, MONDAY_10), None)  # its time is taken: the whole commit fails

    with pytest.raises(AlreadyStored):
        store.commit(everything)

    assert store.read(lambda uow: (uow.hosts.get("h1"), uow.pages.get("ada"))) == (None, None)
    assert store.read(lambda uow: uow.months.export_subject("h1")) == []


def test_writes_and_commits_happen_inside_with(store: Store) -> None:
    uow = store.uow()
    with pytest.raises(RuntimeError):
        uow.hosts.add(a_host("h1"))
    with pytest.raises(RuntimeError):
        uow.commit()
    with uow:
        uow.hosts.add(a_host("h1"))  # dropped: never committed
    assert store.read(lambda unit: unit.hosts.get("h1")) is None
