"""HostRepository and BookingPageRepository: must-not-exist adds, conditional saves, queries, and what a
subject's export and erasure reach."""

from __future__ import annotations

import pytest

from shared.domain.booking_page import BookingPage
from shared.domain.host import ConnectionState, Host
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store, Write
from tests.unit.fakes import a_host, a_page


def hosts_added(*hosts: Host) -> Write:
    def write(uow: UnitOfWork) -> None:
        for host in hosts:
            uow.hosts.add(host)

    return write


def pages_added(*pages: tuple[str, BookingPage]) -> Write:
    def write(uow: UnitOfWork) -> None:
        for slug, page in pages:
            uow.pages.add(slug, page)

    return write


# --- hosts -----------------------------------------------------------------------------------------------
def test_a_host_is_added_once(store: Store) -> None:
    store.commit(lambda uow: uow.hosts.add(a_host("h1")))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.hosts.add(a_host("h1", slug="other")))

    assert store.read(lambda uow: uow.hosts.get("h1")) == a_host("h1")
    assert store.read(lambda uow: uow.hosts.get("h2")) is None


def test_a_host_changed_since_it_was_read_is_not_saved_over(store: Store) -> None:
    store.commit(lambda uow: uow.hosts.add(a_host("h1")))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.hosts.get("h1"), b.hosts.get("h1")
        assert read_by_a is not None
        assert read_by_b is not None
        b.hosts.save(read_by_b.model_copy(update={"display_name": "Ada L."}))
        b.commit()
        a.hosts.save(read_by_a.model_copy(update={"slug": "ada-l"}))
        with pytest.raises(Contention):
            a.commit()

    now = store.read(lambda uow: uow.hosts.get("h1"))
    assert now is not None
    assert (now.display_name, now.slug) == ("Ada L.", "ada")


def test_a_host_saved_without_a_read_is_written_as_it_is(store: Store) -> None:
    store.commit(lambda uow: uow.hosts.add(a_host("h1")))
    store.commit(lambda uow: uow.hosts.save(a_host("h1", slug="moved")))

    now = store.read(lambda uow: uow.hosts.get("h1"))
    assert now is not None
    assert now.slug == "moved"


def test_connected_hosts_and_the_walk_over_every_host(store: Store) -> None:
    hosts = [
        a_host("hc"),
        a_host("ha", state=ConnectionState.DISCONNECTED),
        a_host("hb"),
        a_host("hd", state=ConnectionState.NOT_CONNECTED),
    ]
    store.commit(hosts_added(*hosts))

    assert sorted(host.id for host in store.read(lambda uow: uow.hosts.connected())) == ["hb", "hc"]
    with store.uow() as uow:
        walk = [[h.id for h in uow.hosts.page(after, 3)] for after in (None, "hc", "hd", "a")]
    assert walk == [["ha", "hb", "hc"], ["hd"], [], ["ha", "hb", "hc"]]


def test_a_hosts_export_and_erasure(store: Store) -> None:
    store.commit(hosts_added(a_host("h1"), a_host("h2")))

    assert store.read(lambda uow: uow.hosts.export_subject("h1")) == [a_host("h1").model_dump(mode="json")]
    assert store.commit(lambda uow: uow.hosts.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.hosts.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.hosts.export_subject("h1")) == []
    assert store.read(lambda uow: uow.hosts.get("h2")) == a_host("h2")


# --- booking pages -------------------------------------------------------------------------------------
def test_a_slug_is_taken_once(store: Store) -> None:
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.pages.add("ada", a_page("h2")))

    assert store.read(lambda uow: uow.pages.get("ada")) == a_page("h1")
    assert store.read(lambda uow: uow.pages.get("bob")) is None


def test_a_page_changed_since_it_was_read_is_not_saved_over(store: Store) -> None:
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.pages.get("ada"), b.pages.get("ada")
        assert read_by_a is not None
        assert read_by_b is not None
        b.pages.save("ada", read_by_b.model_copy(update={"display_name": "Ada L."}))
        b.commit()
        a.pages.save("ada", read_by_a.model_copy(update={"display_name": "Ada Lovelace"}))
        with pytest.raises(Contention):
            a.commit()

    now = store.read(lambda uow: uow.pages.get("ada"))
    assert now is not None
    assert now.display_name == "Ada L."


def test_a_slug_read_as_free_must_still_be_free_when_saved(store: Store) -> None:
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        assert a.pages.get("ada") is None
        assert b.pages.get("ada") is None
        b.pages.add("ada", a_page("h2"))
        b.commit()
        a.pages.save("ada", a_page("h1"))
        with pytest.raises(AlreadyStored):
            a.commit()

    assert store.read(lambda uow: uow.pages.get("ada")) == a_page("h2")


def test_a_removed_page_is_gone_and_its_slug_free(store: Store) -> None:
    store.commit(lambda uow: uow.pages.add("ada", a_page("h1")))
    store.commit(lambda uow: uow.pages.remove("ada"))

    assert store.read(lambda uow: uow.pages.get("ada")) is None
    store.commit(lambda uow: uow.pages.add("ada", a_page("h2")))


def test_a_hosts_export_and_erasure_reach_its_pages(store: Store) -> None:
    store.commit(pages_added(("a", a_page("h1")), ("b", a_page("h1")), ("c", a_page("h2"))))

    exported = store.read(lambda uow: uow.pages.export_subject("h1"))
    assert sorted(exported, key=lambda page: page["slug"]) == [
        {"slug": slug, **a_page("h1").model_dump(mode="json")} for slug in ("a", "b")
    ]
    assert store.commit(lambda uow: uow.pages.erase_subject("h1")) == 2
    assert store.commit(lambda uow: uow.pages.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.pages.get("c")) == a_page("h2")
