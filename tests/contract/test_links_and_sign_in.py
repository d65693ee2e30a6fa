"""LinkRepository and SignInRepository: single-use records. A link is ended once (its must-not-exist claim),
an OAuth state taken once (a conditional delete); sessions; purges; a subject's export and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.links import BookingLink
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from shared.services.records import OAuthState, SessionRecord
from tests.contract.conftest import Store, Write

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def a_link(number: int, host_id: str = "h1", event_type_id: str = "et0123456789", **fields: object) -> BookingLink:
    values: dict[str, object] = {
        "id": f"lk{number:020x}",
        "host_id": host_id,
        "event_type_id": event_type_id,
        "token_hash": f"{number:064x}",
        "created_at": NOW + timedelta(minutes=number),
    }
    return BookingLink.model_validate({**values, **fields})


def links_added(*links: BookingLink) -> Write:
    def write(uow: UnitOfWork) -> None:
        for link in links:
            uow.links.add(link)

    return write


# --- single-use links ------------------------------------------------------------------------------------
def test_a_link_is_added_once(store: Store) -> None:
    store.commit(links_added(a_link(1)))

    with pytest.raises(AlreadyStored):
        store.commit(links_added(a_link(1, token_hash="f" * 64)))

    assert store.read(lambda uow: uow.links.get(a_link(1).id)) == a_link(1)
    assert store.read(lambda uow: uow.links.get(a_link(2).id)) is None


def test_of_two_units_ending_the_same_link_the_second_commit_fails_whole(store: Store) -> None:
    store.commit(links_added(a_link(1)))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.links.get(a_link(1).id), b.links.get(a_link(1).id)
        assert read_by_a is not None
        assert read_by_b is not None
        b.links.claim(read_by_b.used_for("b" * 32, NOW))
        b.commit()
        a.links.claim(read_by_a.revoked(NOW))
        a.links.add(a_link(2))  # anything else of that commit goes with it
        with pytest.raises(AlreadyStored):
            a.commit()

    now = store.read(lambda uow: uow.links.get(a_link(1).id))
    assert now is not None
    assert (now.booking_id, now.used_at, now.revoked_at) == ("b" * 32, NOW, None)
    assert store.read(lambda uow: uow.links.get(a_link(2).id)) is None


def test_links_of_an_event_type_newest_first(store: Store) -> None:
    store.commit(links_added(a_link(1), a_link(3), a_link(2), a_link(4, event_type_id="et9876543210"), a_link(5, "h2")))

    found = store.read(lambda uow: uow.links.of_event_type("h1", "et0123456789"))
    assert [link.id for link in found] == [a_link(n).id for n in (3, 2, 1)]


def test_the_purge_drops_links_and_claims_past_their_time(store: Store) -> None:
    used = a_link(1).used_for("b" * 32, NOW)
    expiring, open_ended = a_link(2, expires_at=NOW + timedelta(days=1)), a_link(3)
    store.commit(links_added(a_link(1), expiring, open_ended))
    store.commit(lambda uow: uow.links.claim(used))
    assert used.purge_at is not None
    later = used.purge_at + timedelta(days=2)

    counts = store.read(lambda uow: uow.links.purge(later))

    assert counts == {"booking_links_deleted": 2, "link_claims_deleted": 1}
    assert [link.id for link in store.read(lambda uow: uow.links.of_event_type("h1", "et0123456789"))] == [
        open_ended.id
    ]


def test_a_hosts_export_and_erasure_reach_links_and_their_claims(store: Store) -> None:
    store.commit(links_added(a_link(1), a_link(2), a_link(3, "h2")))
    store.commit(lambda uow: uow.links.claim(a_link(1).revoked(NOW)))

    exported = store.read(lambda uow: uow.links.export_subject("h1"))
    assert sorted(exported, key=lambda link: str(link["id"])) == [
        a_link(1).revoked(NOW).model_dump(mode="json", exclude={"token_hash"}),
        a_link(2).model_dump(mode="json", exclude={"token_hash"}),
    ]
    assert store.commit(lambda uow: uow.links.erase_subject("h1")) == 3  # two links, one claim
    assert store.commit(lambda uow: uow.links.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.links.get(a_link(3).id)) == a_link(3, "h2")
    store.commit(lambda uow: uow.links.claim(a_link(1)))  # its claim went too


# --- OAuth states and sessions ---------------------------------------------------------------------------
STATE = OAuthState(nonce="n", code_verifier="v", return_to="/app", expires_at=NOW + timedelta(minutes=10))


def test_an_oauth_state_is_taken_once(store: Store) -> None:
    store.commit(lambda uow: uow.sign_in.add_state("state-1", STATE))
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.sign_in.add_state("state-1", STATE))

    with store.uow() as uow:
        assert uow.sign_in.take_state("state-1") == STATE  # taken, but not committed: still there
    assert store.commit(lambda uow: uow.sign_in.take_state("state-1")) == STATE
    assert store.commit(lambda uow: uow.sign_in.take_state("state-1")) is None


def test_of_two_units_taking_the_same_state_the_second_commit_fails(store: Store) -> None:
    store.commit(lambda uow: uow.sign_in.add_state("state-1", STATE))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        assert a.sign_in.take_state("state-1") == STATE
        assert b.sign_in.take_state("state-1") == STATE
        b.commit()
        with pytest.raises(Contention):
            a.commit()


def session_record(host_id: str, expires_at: datetime = NOW + timedelta(days=7)) -> SessionRecord:
    return SessionRecord(host_id=host_id, created_at=NOW, expires_at=expires_at)


def test_a_session_is_found_by_its_token_until_it_ends(store: Store) -> None:
    store.commit(lambda uow: uow.sign_in.add_session("token-1", session_record("h1")))
    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.sign_in.add_session("token-1", session_record("h2")))

    assert store.read(lambda uow: uow.sign_in.session("token-1")) == session_record("h1")
    assert store.read(lambda uow: uow.sign_in.session("token-2")) is None
    store.commit(lambda uow: uow.sign_in.end_session("token-1"))
    assert store.read(lambda uow: uow.sign_in.session("token-1")) is None
    store.commit(lambda uow: uow.sign_in.end_session("token-1"))  # ending it again is no error


def test_expired_states_and_sessions_are_purged(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        uow.sign_in.add_state("state-1", STATE)
        uow.sign_in.add_session("token-1", session_record("h1", NOW + timedelta(hours=1)))
        uow.sign_in.add_session("token-2", session_record("h1", NOW + timedelta(days=7)))

    store.commit(arrange)

    counts = store.read(lambda uow: uow.sign_in.purge_expired(NOW + timedelta(days=1)))

    assert counts == {"oauth_states_deleted": 1, "sessions_deleted": 1}
    assert store.read(lambda uow: uow.sign_in.session("token-2")) == session_record("h1", NOW + timedelta(days=7))


def test_a_hosts_export_and_erasure_reach_its_sessions(store: Store) -> None:
    def arrange(uow: UnitOfWork) -> None:
        uow.sign_in.add_session("token-1", session_record("h1"))
        uow.sign_in.add_session("token-2", session_record("h2"))

    store.commit(arrange)

    assert store.read(lambda uow: uow.sign_in.export_subject("h1")) == [session_record("h1").model_dump(mode="json")]
    assert store.commit(lambda uow: uow.sign_in.erase_subject("h1")) == 1
    assert store.commit(lambda uow: uow.sign_in.erase_subject("h1")) == 0
    assert store.read(lambda uow: uow.sign_in.session("token-1")) is None
    assert store.read(lambda uow: uow.sign_in.session("token-2")) == session_record("h2")
