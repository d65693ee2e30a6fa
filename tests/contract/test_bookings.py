"""BookingRepository: bookings with their must-not-exist claims on time and places, the conditional save,
group sessions, Idempotency-Keys, listings, and what a subject's export and erasure reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.booking import Booking, BookingStatus, CoHost, SyncState
from shared.domain.claims import claim_ids, seat_claim
from shared.domain.intervals import Interval
from shared.services.errors import AlreadyStored, Contention
from shared.services.ports import UnitOfWork
from shared.services.records import HostListing, IdempotencyRecord
from tests.contract.conftest import Store, Write
from tests.contract.records import MONDAY_10, SESSION, SESSION_TIME, booking, day_place, opened, seat_booking


def key(booking: Booking, name: str = "k1") -> IdempotencyRecord:
    return IdempotencyRecord(
        key_hash=f"{name:>064}", request_hash="r" * 64, booking_id=booking.id, expires_at=booking.end
    )


def added(*bookings: Booking) -> Write:
    def write(uow: UnitOfWork) -> None:
        for each in bookings:
            uow.bookings.add(each, None)

    return write


def keyed(*bookings: Booking) -> Write:
    """Added with Idempotency-Keys k1, k2, ..."""

    def write(uow: UnitOfWork) -> None:
        for number, each in enumerate(bookings, start=1):
            uow.bookings.add(each, key(each, f"k{number}"))

    return write


def taken(store: Store, claims: list[str]) -> set[str]:
    return store.read(lambda uow: uow.bookings.places_taken(claims))


# --- must-not-exist creates ----------------------------------------------------------------------------
def test_a_booking_is_stored_with_its_claims_its_places_and_its_key(store: Store) -> None:
    first = booking(1, day_claim=day_place("20270308", 1))
    store.commit(lambda uow: uow.bookings.add(first, key(first)))

    assert store.read(lambda uow: uow.bookings.get(first.id)) == first
    assert store.read(lambda uow: uow.bookings.idempotency(key(first).key_hash)) == key(first)
    granules = claim_ids("h1", Interval(first.occupied_start, first.occupied_end))
    assert len(granules) == 6
    assert taken(store, [*granules, day_place("20270308", 1), day_place("20270308", 2)]) == {
        *granules,
        day_place("20270308", 1),
    }
    assert store.read(lambda uow: uow.bookings.get(f"{9:032x}")) is None


def test_an_overlapping_booking_fails_its_whole_commit_and_leaves_nothing_of_it(store: Store) -> None:
    store.commit(added(booking(1)))
    overlapping = booking(2, MONDAY_10 + timedelta(minutes=20), day_claim=day_place("20270308", 2))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.bookings.add(overlapping, key(overlapping)))

    assert store.read(lambda uow: uow.bookings.get(overlapping.id)) is None
    assert store.read(lambda uow: uow.bookings.idempotency(key(overlapping).key_hash)) is None
    later_granules = claim_ids("h1", Interval(MONDAY_10 + timedelta(minutes=30), overlapping.occupied_end))
    assert taken(store, [*later_granules, day_place("20270308", 2)]) == set()
    assert store.read(lambda uow: uow.bookings.get(booking(1).id)) == booking(1)


def test_a_day_place_is_held_by_one_booking_however_far_apart_their_times(store: Store) -> None:
    store.commit(added(booking(1, day_claim=day_place("20270308", 1))))

    with pytest.raises(AlreadyStored):
        store.commit(added(booking(2, MONDAY_10 + timedelta(hours=3), day_claim=day_place("20270308", 1))))

    assert store.read(lambda uow: uow.bookings.get(booking(2).id)) is None


def test_an_idempotency_key_is_used_once(store: Store) -> None:
    first, second = booking(1), booking(2, MONDAY_10 + timedelta(hours=2))
    store.commit(lambda uow: uow.bookings.add(first, key(first)))

    with pytest.raises(AlreadyStored):
        store.commit(lambda uow: uow.bookings.add(second, key(first)))

    assert store.read(lambda uow: uow.bookings.get(second.id)) is None


def test_of_two_units_racing_for_the_same_time_the_first_commit_wins(store: Store) -> None:
    first, second = booking(1), booking(2, MONDAY_10 + timedelta(minutes=25))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        assert a.bookings.places_taken(first.claims()) == set()
        assert b.bookings.places_taken(second.claims()) == set()
        b.bookings.add(second, None)
        b.commit()
        a.bookings.add(first, None)
        with pytest.raises(AlreadyStored):
            a.commit()

    assert store.read(lambda uow: (uow.bookings.get(first.id), uow.bookings.get(second.id))) == (None, second)


# --- conditional saves ---------------------------------------------------------------------------------
def moved(before: Booking, start: datetime, day_claim: str | None = None) -> Booking:
    meeting = Interval(start, start + timedelta(minutes=30))
    return before.moved(meeting, meeting, day_claim)


def test_a_saved_booking_takes_its_new_claims_and_gives_back_the_old(store: Store) -> None:
    first = booking(1, day_claim=day_place("20270308", 1))
    store.commit(added(first))
    later = MONDAY_10 + timedelta(hours=2)

    def reschedule(uow: UnitOfWork) -> None:
        found = uow.bookings.get(first.id)
        assert found is not None
        uow.bookings.save(moved(found, later, day_place("20270308", 2)))

    store.commit(reschedule)

    assert taken(store, first.claims()) == set()
    now = store.read(lambda uow: uow.bookings.get(first.id))
    assert now is not None
    assert now.start == later
    assert now.version == 2
    assert taken(store, now.claims()) == set(now.claims())
    store.commit(added(booking(2, day_claim=day_place("20270308", 1))))  # the time and the place are free again


def test_a_save_onto_time_another_booking_holds_fails_whole(store: Store) -> None:
    first, second = booking(1), booking(2, MONDAY_10 + timedelta(hours=2))
    store.commit(added(first, second))

    def onto_second(uow: UnitOfWork) -> None:
        found = uow.bookings.get(first.id)
        assert found is not None
        uow.bookings.save(moved(found, second.start + timedelta(minutes=10)))

    with pytest.raises(AlreadyStored):
        store.commit(onto_second)

    assert store.read(lambda uow: uow.bookings.get(first.id)) == first
    assert taken(store, first.claims()) == set(first.claims())


def test_a_booking_changed_since_it_was_read_is_not_saved_over(store: Store) -> None:
    first = booking(1)
    store.commit(added(first))
    racers = store.uow(), store.uow()
    with racers[0] as a, racers[1] as b:
        read_by_a, read_by_b = a.bookings.get(first.id), b.bookings.get(first.id)
        assert read_by_a is not None
        assert read_by_b is not None
        b.bookings.save(read_by_b.cancelled("changed plans"))
        b.commit()
        a.bookings.save(moved(read_by_a, MONDAY_10 + timedelta(hours=1)))
        with pytest.raises(Contention):
            a.commit()

    now = store.read(lambda uow: uow.bookings.get(first.id))
    assert now is not None
    assert now.status is BookingStatus.CANCELLED
    assert now.start == MONDAY_10
    assert taken(store, [*first.claims(), *moved(first, MONDAY_10 + timedelta(hours=1)).claims()]) == set()


def test_only_a_booking_read_in_the_unit_can_be_saved(store: Store) -> None:
    store.commit(added(booking(1)))

    with store.uow() as uow, pytest.raises(RuntimeError):
        uow.bookings.save(booking(1).cancelled(None))  # no commit needed: refused at once


def test_nothing_is_written_without_a_commit(store: Store) -> None:
    with store.uow() as uow:
        uow.bookings.add(booking(1), None)

    assert store.read(lambda uow: uow.bookings.get(booking(1).id)) is None
    assert taken(store, booking(1).claims()) == set()


# --- queries ---------------------------------------------------------------------------------------------
DAYS = [MONDAY_10 + timedelta(days=n) for n in range(5)]


def five_bookings() -> list[Booking]:
    found = [booking(n + 1, day) for n, day in enumerate(DAYS)]
    found[1] = found[1].cancelled(None)
    found[3] = found[3].model_copy(update={"event_type_id": "et9876543210"})
    return found


def listed(store: Store, **listing: Any) -> list[str]:
    ask = HostListing(**listing)
    return [b.id for b in store.read(lambda uow: uow.bookings.of_host("h1", ask))]


def ids(*numbers: int) -> list[str]:
    return [f"{n:032x}" for n in numbers]


def test_a_hosts_bookings_are_listed_by_end_a_page_at_a_time(store: Store) -> None:
    store.commit(added(*five_bookings(), booking(9, DAYS[2] + timedelta(hours=1), host_id="h2")))
    now = DAYS[2]

    assert listed(store, now=now) == ids(3, 4, 5)
    assert listed(store, now=now, upcoming=False) == ids(2, 1)
    assert listed(store, now=DAYS[0], limit=2) == ids(1, 2)
    assert listed(store, now=DAYS[0], limit=2, after_booking_id=ids(2)[0]) == ids(3, 4)
    assert listed(store, now=DAYS[0], after_booking_id=ids(9)[0]) == ids(1, 2, 3, 4, 5)  # another host's cursor
    assert listed(store, now=DAYS[0], status=BookingStatus.CANCELLED) == ids(2)
    # a cursor of this host's that the filter leaves out still marks a place in the order
    assert listed(store, now=DAYS[0], status=BookingStatus.CONFIRMED, after_booking_id=ids(2)[0]) == ids(3, 4, 5)
    assert listed(store, now=DAYS[4], upcoming=False, limit=2, after_booking_id=ids(3)[0]) == ids(2, 1)
    assert listed(store, now=DAYS[0], event_type_id="et9876543210") == ids(4)
    assert listed(store, now=DAYS[0], ends_from=DAYS[1], ends_before=DAYS[3]) == ids(2, 3)


def test_a_teams_bookings_are_listed_by_end_a_page_at_a_time_all_or_one_holders(store: Store) -> None:
    team = "tm0123456789abcdef0123"
    store.commit(
        added(
            booking(1, DAYS[0], team_id=team),
            booking(2, DAYS[1], host_id="h2", team_id=team),
            booking(3, DAYS[2], team_id=team),
            booking(4, DAYS[3]),  # Ada's own, not the team's
            booking(5, DAYS[4], team_id="tm999999999999999999999"),
            # a collective booking: Ada holds it beside its organiser
            booking(6, DAYS[4] + timedelta(days=1), host_id="h3", team_id=team, co_hosts=(CoHost(host_id="h1"),)),
        )
    )

    def of_team(holder: str | None = None, **listing: Any) -> list[str]:
        ask = HostListing(**listing)
        return [b.id for b in store.read(lambda uow: uow.bookings.of_team(team, ask, holder))]

    assert of_team(now=DAYS[0]) == ids(1, 2, 3, 6)
    assert of_team("h1", now=DAYS[0]) == ids(1, 3, 6)  # a collective booking is each holder's own
    assert of_team(now=DAYS[0], limit=1, after_booking_id=ids(1)[0]) == ids(2)
    assert of_team(now=DAYS[0], after_booking_id=ids(5)[0]) == ids(1, 2, 3, 6)  # another team's cursor
    assert of_team(now=DAYS[4] + timedelta(days=2), upcoming=False) == ids(6, 3, 2, 1)
    assert of_team(now=DAYS[0], ends_before=DAYS[2]) == ids(1, 2)


def test_bookings_made_with_an_address_are_found_at_every_host(store: Store) -> None:
    other = booking(3, host_id="h2")
    store.commit(added(booking(1), booking(2, DAYS[1], invitee=other.invitee.model_copy(update={"email": "x@y.z"}))))
    store.commit(added(other))

    found = store.read(lambda uow: uow.bookings.of_address("ines@example.org"))
    assert sorted(b.id for b in found) == ids(1, 3)


def test_the_sweeper_finds_bookings_still_pending_and_those_that_failed(store: Store) -> None:
    pending, synced, failed = booking(1), booking(2, DAYS[1]), booking(3, DAYS[2])
    synced = synced.with_sync_outcome(SyncState.SYNCED, 1, None, MONDAY_10)
    failed = failed.with_sync_outcome(SyncState.FAILED, None, "google_unavailable", MONDAY_10)
    store.commit(added(pending, synced, failed))

    long_after = datetime(2100, 1, 1, tzinfo=UTC)
    assert sorted(b.id for b in store.read(lambda uow: uow.bookings.sync_unsettled(long_after))) == ids(1, 3)
    long_before = datetime(2000, 1, 1, tzinfo=UTC)
    assert [b.id for b in store.read(lambda uow: uow.bookings.sync_unsettled(long_before))] == ids(3)


def test_the_purge_drops_expired_keys_and_claims_and_ended_bookings(store: Store) -> None:
    early, late = booking(1), booking(2, DAYS[3])
    store.commit(keyed(early, late))

    counts = store.read(lambda uow: uow.bookings.purge(now=DAYS[1], ended_before=DAYS[1]))

    assert counts == {"idempotency_deleted": 1, "slot_claims_deleted": 6, "bookings_deleted": 1}
    assert store.read(lambda uow: (uow.bookings.get(early.id), uow.bookings.get(late.id))) == (None, late)
    assert taken(store, [*early.claims(), *late.claims()]) == set(late.claims())
    assert store.read(lambda uow: uow.bookings.idempotency(key(late, "k2").key_hash)) == key(late, "k2")


# --- a subject's records ---------------------------------------------------------------------------------
def test_a_hosts_export_and_erasure_reach_its_bookings_claims_keys_and_sessions(store: Store) -> None:
    mine, theirs = booking(1, DAYS[1], day_claim=day_place("20270309", 1)), booking(2, host_id="h2")
    store.commit(keyed(mine, theirs))
    store.commit(opened)

    exported = store.read(lambda uow: uow.bookings.export_subject("h1"))
    by_id = {record["id"]: record for record in exported}
    assert sorted(by_id) == sorted([mine.id, seat_booking(1, 1).id])
    assert by_id[mine.id] == mine.model_dump(mode="json", exclude={"manage_token_hash"})

    erased = []
    while count := store.commit(lambda uow: uow.bookings.erase_subject("h1")):
        erased.append(count)
    assert sum(erased) == 2
    assert store.read(lambda uow: uow.bookings.export_subject("h1")) == []
    assert taken(store, [*mine.claims(), *claim_ids("h1", SESSION_TIME), SESSION, seat_claim(SESSION, 1)]) == set()
    assert store.read(lambda uow: uow.bookings.idempotency(key(mine, "k1").key_hash)) is None
    assert store.read(lambda uow: uow.bookings.get(theirs.id)) == theirs
    assert store.read(lambda uow: uow.bookings.idempotency(key(theirs, "k2").key_hash)) == key(theirs, "k2")


def held_by(store: Store, host: str) -> list[Booking]:
    return store.read(lambda uow: uow.bookings.of_host(host, HostListing(now=DAYS[0])))


def exported_by(store: Store, host: str) -> list[dict[str, Any]]:
    return store.read(lambda uow: uow.bookings.export_subject(host))


def test_a_collective_booking_holds_every_members_claims_and_each_member_lists_and_exports_it(store: Store) -> None:
    together = booking(
        7,
        day_claim=day_place("20270308", 1),
        team_id="tm" + "0" * 20,
        co_hosts=(CoHost(host_id="h2", calendar_id="bo@example.com", places=(day_place("20270308", 1, "h2"),)),),
    )
    store.commit(added(together))

    assert store.read(lambda uow: uow.bookings.get(together.id)) == together
    granules = {
        host: claim_ids(host, Interval(together.occupied_start, together.occupied_end)) for host in ("h1", "h2")
    }
    both = [*granules["h1"], *granules["h2"], day_place("20270308", 1), day_place("20270308", 1, "h2")]
    assert taken(store, both) == set(both)
    with pytest.raises(AlreadyStored):  # Bo's own booking of that time
        store.commit(added(booking(8, host_id="h2")))
    for host in ("h1", "h2"):
        assert [b.id for b in held_by(store, host)] == [together.id]
        assert [found["id"] for found in exported_by(store, host)] == [together.id]

    def cancel(uow: UnitOfWork) -> None:
        uow.bookings.get(together.id)
        uow.bookings.save(together.cancelled(None))

    store.commit(cancel)
    assert taken(store, both) == set()


def test_erasing_a_co_host_leaves_the_collective_booking_to_the_others_without_anything_of_theirs(
    store: Store,
) -> None:
    bo = CoHost(host_id="h2", calendar_id="bo@example.com", places=(day_place("20270308", 1, "h2"),))
    together = booking(7, team_id="tm" + "0" * 20, co_hosts=(bo,), mailed={"host": 1, "host-h2": 1})
    bos_own = booking(8, DAYS[1], host_id="h2")
    store.commit(added(together, bos_own))

    erased = []
    while count := store.commit(lambda uow: uow.bookings.erase_subject("h2")):
        erased.append(count)

    assert sum(erased) == 2  # Bo's own booking erased, the collective one rewritten without Bo
    left = store.read(lambda uow: uow.bookings.get(together.id))
    assert left is not None
    assert left == together.model_copy(update={"co_hosts": (), "mailed": {"host": 1}})
    assert store.read(lambda uow: uow.bookings.get(bos_own.id)) is None
    bos_claims = [*claim_ids("h2", Interval(together.occupied_start, together.occupied_end)), *bo.places]
    assert taken(store, bos_claims) == set()
    assert taken(store, together.claims()) == set(left.claims())  # Ada's time stays held
    assert held_by(store, "h2") == []
    assert exported_by(store, "h2") == []
    assert [b.id for b in held_by(store, "h1")] == [together.id]
