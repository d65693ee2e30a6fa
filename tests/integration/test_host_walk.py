"""Walking every host a page at a time (the policy notice): the emulator and the fake agree on the order
and on where a page after a cursor starts."""

from __future__ import annotations

from typing import Any

from shared.adapters.firestore import FirestoreUnitOfWork
from shared.services.ports import UnitOfWork
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork, a_host


def test_pages_of_hosts_follow_the_id_order_from_a_cursor_in_firestore_as_in_the_fake(db: Any) -> None:
    hosts = [a_host(host_id, slug=f"s-{host_id}") for host_id in ("hc", "ha", "he", "hb", "hd")]
    stores: list[UnitOfWork] = [FirestoreUnitOfWork(db), FakeUnitOfWork(FakeDatabase())]
    for uow in stores:
        with uow:
            for host in hosts:
                uow.hosts.add(host)
            uow.commit()

    walks = [[[h.id for h in uow.hosts.page(after, 2)] for after in (None, "hb", "hd", "he")] for uow in stores]

    assert walks[0] == [["ha", "hb"], ["hc", "hd"], ["he"], []]
    assert walks[1] == walks[0]
