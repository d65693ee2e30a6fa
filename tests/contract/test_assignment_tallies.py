"""Round-robin tallies (BusyMonthRepository.tally, read by `snapshots(..., tallies_of=...)`): one counter per
(team type, member), read with the members' snapshots, changed by transforms that racing units all land;
a cancelled assignment is given back, days past the window go with the next assignment, idle tallies with
the purge, and a member's export and erasure reach theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.offsets import epoch_seconds
from shared.domain.tallies import RECENT_DAYS, AssignmentTally, TallyChange, day_number
from shared.services.ports import UnitOfWork
from tests.contract.conftest import Store
from tests.unit.fakes import a_host, a_page

TYPE = "et0123456789"
OTHER_TYPE = "etabcdefabcd"
NOW = datetime(2027, 3, 8, 10, tzinfo=UTC)
AT = epoch_seconds(NOW)
DAY = 86_400


def members(store: Store) -> Store:
    """Hosts h1 and h2 with their pages at "ada" and "bo"."""

    def added(uow: UnitOfWork) -> None:
        for host_id, slug in (("h1", "ada"), ("h2", "bo")):
            uow.hosts.add(a_host(host_id, slug=slug))
            uow.pages.add(slug, a_page(host_id))

    store.commit(added)
    return store


def tallies(store: Store, event_type_id: str = TYPE) -> dict[str, AssignmentTally | None]:
    read = store.read(lambda uow: uow.months.snapshots(["h1", "h2"], NOW, NOW + timedelta(days=1), event_type_id))
    return {host_id: snapshot.assignments for host_id, snapshot in read.items()}


def assigned(store: Store, host_id: str, at: int, read: AssignmentTally | None = None) -> None:
    store.commit(lambda uow: uow.months.tally(TallyChange.assigned(host_id, TYPE, read, at)))


def test_no_tally_reads_as_nobody_assigned_and_none_rides_unless_asked(store: Store) -> None:
    members(store)

    assert tallies(store) == {"h1": AssignmentTally(), "h2": AssignmentTally()}
    plain = store.read(lambda uow: uow.months.snapshots(["h1"], NOW, NOW + timedelta(days=1)))
    assert plain["h1"].assignments is None
    assert plain["h1"].slug == "ada"  # a round-robin booking books the member's page by it, with no lookup


def test_assignments_count_by_day_and_keep_the_latest_instant(store: Store) -> None:
    members(store)
    assigned(store, "h1", AT)
    assigned(store, "h1", AT + 3600)
    assigned(store, "h1", AT - 2 * DAY)

    found = tallies(store)

    assert found["h1"] == AssignmentTally(((day_number(AT) - 2, 1), (day_number(AT), 2)), AT + 3600)
    assert found["h1"] is not None
    assert found["h1"].count(AT) == 3
    assert found["h2"] == AssignmentTally()
    assert tallies(store, OTHER_TYPE)["h1"] == AssignmentTally()  # per team type


def test_racing_assignments_of_one_member_all_land(store: Store) -> None:
    members(store)
    racers = store.uow(), store.uow(), store.uow()
    with racers[0] as a, racers[1] as b, racers[2] as c:
        for number, unit in enumerate((a, b, c)):
            unit.months.snapshots(["h1"], NOW, NOW + timedelta(days=1), TYPE)
            unit.months.tally(TallyChange.assigned("h1", TYPE, None, AT + number))
        c.commit()
        a.commit()
        b.commit()

    assert tallies(store)["h1"] == AssignmentTally(((day_number(AT), 3),), AT + 2)


def test_a_cancelled_assignment_is_given_back_and_the_latest_instant_stays(store: Store) -> None:
    members(store)
    assigned(store, "h1", AT)
    assigned(store, "h1", AT + 60)
    store.commit(lambda uow: uow.months.tally(TallyChange.given_back("h1", TYPE, AT)))

    assert tallies(store)["h1"] == AssignmentTally(((day_number(AT), 1),), AT + 60)
    store.commit(lambda uow: uow.months.tally(TallyChange.given_back("h1", TYPE, AT + 60)))
    assert tallies(store)["h1"] == AssignmentTally((), AT + 60)  # a day at zero is no day


def test_days_past_the_window_go_with_the_next_assignment(store: Store) -> None:
    members(store)
    old = AT - RECENT_DAYS * DAY
    assigned(store, "h1", old)
    store.commit(lambda uow: uow.months.tally(TallyChange.given_back("h1", TYPE, old - DAY)))  # a dropped day
    read = tallies(store)["h1"]
    assert read is not None
    assert read.count(AT) == 0

    assigned(store, "h1", AT, read)

    assert tallies(store)["h1"] == AssignmentTally(((day_number(AT), 1),), AT)


def test_the_purge_drops_tallies_idle_for_the_whole_window(store: Store) -> None:
    members(store)
    assigned(store, "h1", AT - (RECENT_DAYS + 1) * DAY)
    assigned(store, "h2", AT - DAY)

    purged = store.read(lambda uow: uow.months.purge(ended_before=NOW))

    assert purged == {"months_deleted": 0, "assignment_tallies_deleted": 1}
    assert tallies(store) == {"h1": AssignmentTally(), "h2": AssignmentTally(((day_number(AT) - 1, 1),), AT - DAY)}


def test_a_members_export_and_erasure_reach_their_tallies(store: Store) -> None:
    members(store)
    assigned(store, "h1", AT)
    store.commit(lambda uow: uow.months.tally(TallyChange.assigned("h1", OTHER_TYPE, None, AT)))
    assigned(store, "h2", AT)

    exported = store.read(lambda uow: uow.months.export_subject("h1"))

    assert sorted(exported, key=lambda record: record["team_event_type"]) == [
        {
            "team_event_type": event_type_id,
            "assignments_by_day": {"2027-03-08": 1},
            "last_assigned_at": "2027-03-08T10:00:00+00:00",
        }
        for event_type_id in sorted((TYPE, OTHER_TYPE))
    ]
    assert store.commit(lambda uow: uow.months.erase_subject("h1")) == 2
    assert store.read(lambda uow: uow.months.export_subject("h1")) == []
    assert tallies(store)["h2"] == AssignmentTally(((day_number(AT), 1),), AT)
