"""SessionRepository: group sessions beside the claims on their time (opened once, joined without contention,
saved and closed on condition they are unchanged), with the one-to-one bookings and seat claims beside them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.claims import claim_ids, seat_claim
from shared.domain.seats import Session
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store, Write
from tests.contract.records import MONDAY_10, SESSION, SESSION_TIME, booking, opened, seat_booking
from tests.contract.test_bookings import added, taken


def test_a_session_holds_the_time_and_its_bookings_their_seats(store: Store) -> None:
    store.commit(opened)

    session = store.read(lambda uow: uow.sessions.session(SESSION))
    assert session is not None
    assert (session.host_id, session.occupied_start, session.occupied_end) == ("h1", MONDAY_10, SESSION_TIME.end)
    assert session.seats == {1: seat_booking(1, 1).id}
    granules = claim_ids("h1", SESSION_TIME)
    assert taken(store, [*granules, seat_claim(SESSION, 1), seat_claim(SESSION, 2)]) == {
        *granules,
        seat_claim(SESSION, 1),
    }
    with pytest.raises(AlreadyStored):
        store.commit(added(booking(2, MONDAY_10 + timedelta(minutes=15))))  # a one-to-one booking on its time


def test_a_session_cannot_be_opened_twice(store: Store) -> None:
    store.commit(opened)

    def open_again(uow: UnitOfWork) -> None:
        uow.sessions.open_session(Session.opened(SESSION, "h1", SESSION_TIME, 2, seat_booking(2, 2).id))
        uow.bookings.add(seat_booking(2, 2), None)

    with pytest.raises(AlreadyStored):
        store.commit(open_again)

    assert store.read(lambda uow: uow.bookings.get(seat_booking(2, 2).id)) is None
    session = store.read(lambda uow: uow.sessions.session(SESSION))
    assert session is not None
    assert session.seats == {1: seat_booking(1, 1).id}


def test_joiners_take_different_seats_without_contending_and_one_seat_once(store: Store) -> None:
    store.commit(opened)

    def join(number: int, seat: int) -> Write:
        def write(uow: UnitOfWork) -> None:
            uow.sessions.join_session(SESSION, seat, seat_booking(number, seat).id)
            uow.bookings.add(seat_booking(number, seat), None)

        return write

    racers = store.uow(), store.uow(), store.uow()
    with racers[0] as a, racers[1] as b, racers[2] as c:
        for unit in (a, b, c):
            assert unit.sessions.session(SESSION) is not None
        join(2, 2)(b)
        b.commit()
        join(3, 3)(a)
        a.commit()
        join(4, 2)(c)
        with pytest.raises(AlreadyStored):
            c.commit()

    session = store.read(lambda uow: uow.sessions.session(SESSION))
    assert session is not None
    assert session.seats == {1: seat_booking(1, 1).id, 2: seat_booking(2, 2).id, 3: seat_booking(3, 3).id}
    in_session = store.read(lambda uow: uow.sessions.of_session(SESSION))
    assert sorted(b.id for b in in_session) == [seat_booking(n, n).id for n in (1, 2, 3)]


def test_a_closed_session_releases_its_time_and_takes_no_joiner(store: Store) -> None:
    store.commit(opened)

    def close(uow: UnitOfWork) -> None:
        session = uow.sessions.session(SESSION)
        assert session is not None
        uow.sessions.close_session(session)

    store.commit(close)

    assert store.read(lambda uow: uow.sessions.session(SESSION)) is None
    assert taken(store, claim_ids("h1", SESSION_TIME)) == set()
    with pytest.raises(Contention):
        store.commit(lambda uow: uow.sessions.join_session(SESSION, 2, seat_booking(2, 2).id))


def test_a_session_changed_since_it_was_read_is_neither_saved_nor_closed(store: Store) -> None:
    store.commit(opened)
    racers = store.uow(), store.uow()
    with racers[0] as leaver, racers[1] as joiner:
        session = leaver.sessions.session(SESSION)
        assert session is not None
        joiner.sessions.join_session(SESSION, 2, seat_booking(2, 2).id)
        joiner.commit()
        leaver.sessions.close_session(session)  # its last booking left, as it read it
        with pytest.raises(Contention):
            leaver.commit()

    with store.uow() as uow:
        session = uow.sessions.session(SESSION)
        assert session is not None
        store.commit(lambda other: other.sessions.join_session(SESSION, 3, seat_booking(3, 3).id))
        uow.sessions.save_session(session.model_copy(update={"seats": {2: seat_booking(2, 2).id}}))
        with pytest.raises(Contention):
            uow.commit()

    after = store.read(lambda uow: uow.sessions.session(SESSION))
    assert after is not None
    assert sorted(after.seats) == [1, 2, 3]
