"""BusyMonthRepository: Google's busy mirror and our bookings' spans, one UTC month a record; merges that
never contend; what the purge, an export and an erasure reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.booking import Booking, CoHost
from shared.domain.intervals import Interval, SpanSet
from shared.domain.offer import AvailabilitySnapshot, BookedSpan
from shared.domain.offsets import epoch_seconds
from tests.contract.conftest import Store
from tests.contract.records import MONDAY_10, booking, day_place
from tests.unit.fakes import a_page

SLUG = "ada"
MARCH = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
SPRING = Interval(MARCH.start, datetime(2027, 5, 1, tzinfo=UTC))  # March and April
SYNCED = datetime(2027, 3, 1, 6, tzinfo=UTC)


@pytest.fixture
def paged(store: Store) -> Store:
    """Host h1 with its booking page at "ada"."""
    store.commit(lambda uow: uow.pages.add(SLUG, a_page("h1")))
    return store


def busy(store: Store, window: Interval = SPRING) -> SpanSet:
    """The busy instants the snapshot holds, normalized: the adapter may hand back touching spans (a busy
    time cut at a month's start) where the fake merges them, the same time either way."""
    return SpanSet.of(snapshot(store, window).busy)


def snapshot(store: Store, window: Interval = SPRING) -> AvailabilitySnapshot:
    found = store.read(lambda uow: uow.months.snapshot(SLUG, window.start, window.end))
    assert found is not None
    return found


def seconds(*intervals: Interval) -> SpanSet:
    return SpanSet.of((epoch_seconds(i.start), epoch_seconds(i.end)) for i in intervals)


def spans(store: Store, window: Interval = SPRING) -> list[str]:
    return [span.booking_id for span in snapshot(store, window).booked]


def moved(store: Store, before: Booking | None, after: Booking | None) -> None:
    store.commit(lambda uow: uow.months.move_span(before, after))


def test_no_snapshot_of_a_slug_nobody_has(paged: Store) -> None:
    assert paged.read(lambda uow: uow.months.snapshot("nobody", SPRING.start, SPRING.end)) is None


def test_the_busy_mirror_is_replaced_month_by_month_and_read_where_it_overlaps(paged: Store) -> None:
    crossing = Interval(datetime(2027, 3, 31, 22, tzinfo=UTC), datetime(2027, 4, 1, 2, tzinfo=UTC))
    early = Interval(datetime(2027, 3, 2, 9, tzinfo=UTC), datetime(2027, 3, 2, 10, tzinfo=UTC))
    paged.commit(lambda uow: uow.months.replace_busy("h1", SPRING, [early, crossing], SYNCED))

    assert busy(paged) == seconds(early, crossing)
    # what overlaps the asked range, as stored: cut at the month's start, not at the range's
    assert busy(paged, Interval(datetime(2027, 4, 1, 1, tzinfo=UTC), SPRING.end)) == seconds(
        Interval(MARCH.end, crossing.end)
    )

    paged.commit(lambda uow: uow.months.replace_busy("h1", MARCH, [early], SYNCED))  # March again: April stays
    assert busy(paged) == seconds(early, Interval(MARCH.end, crossing.end))


def test_a_bookings_span_follows_it_and_goes_when_it_holds_no_time(paged: Store) -> None:
    first = booking(1, day_claim=day_place("20270308", 1))
    moved(paged, None, first)

    assert snapshot(paged).booked == [_span(first)]
    assert spans(paged, Interval(first.end, SPRING.end)) == []

    later = booking(1, datetime(2027, 4, 12, 9, tzinfo=UTC))
    moved(paged, first, later)
    assert snapshot(paged).booked == [_span(later)]

    moved(paged, later, later.cancelled(None))
    assert snapshot(paged).booked == []


def test_a_reassigned_bookings_span_leaves_its_old_holders_month_for_the_new_ones(paged: Store) -> None:
    paged.commit(lambda uow: uow.pages.add("bo", a_page("h2")))
    first = booking(1)
    moved(paged, None, first)

    moved(paged, first, first.model_copy(update={"host_id": "h2"}))

    assert snapshot(paged).booked == []
    bos = paged.read(lambda uow: uow.months.snapshot("bo", SPRING.start, SPRING.end))
    assert bos is not None
    assert [span.booking_id for span in bos.booked] == [first.id]


def test_a_span_added_twice_is_held_once(paged: Store) -> None:
    first = booking(1)
    moved(paged, None, first)
    moved(paged, None, first)  # a retried commit

    assert spans(paged) == [first.id]
    moved(paged, first, None)
    assert spans(paged) == []


def test_merges_of_the_same_month_by_racing_units_all_land(paged: Store) -> None:
    meeting = Interval(datetime(2027, 3, 9, 9, tzinfo=UTC), datetime(2027, 3, 9, 10, tzinfo=UTC))
    racers = paged.uow(), paged.uow(), paged.uow()
    with racers[0] as a, racers[1] as b, racers[2] as c:
        for unit in (a, b, c):
            assert unit.months.snapshot(SLUG, MARCH.start, MARCH.end) is not None
        a.months.replace_busy("h1", MARCH, [meeting], SYNCED)
        b.months.move_span(None, booking(1))
        c.months.move_span(None, booking(2, MONDAY_10 + timedelta(hours=2)))
        c.commit()
        b.commit()
        a.commit()

    assert busy(paged) == seconds(meeting)
    assert spans(paged) == [booking(1).id, booking(2).id]


def test_clearing_the_mirror_keeps_the_months_holding_bookings(paged: Store) -> None:
    april = Interval(datetime(2027, 4, 6, 9, tzinfo=UTC), datetime(2027, 4, 6, 10, tzinfo=UTC))
    paged.commit(lambda uow: uow.months.replace_busy("h1", SPRING, [april], SYNCED))
    moved(paged, None, booking(1))

    assert paged.commit(lambda uow: uow.months.clear_busy("h1")) == 2

    assert busy(paged) == SpanSet()
    assert spans(paged) == [booking(1).id]
    assert [record["month"] for record in paged.read(lambda uow: uow.months.export_subject("h1"))] == ["2027-03"]
    assert paged.commit(lambda uow: uow.months.clear_busy("h1")) == 0


def test_the_purge_drops_every_hosts_months_that_ended(paged: Store) -> None:
    paged.commit(lambda uow: uow.months.replace_busy("h1", SPRING, [], SYNCED))
    paged.commit(lambda uow: uow.months.replace_busy("h2", MARCH, [], SYNCED))
    moved(paged, None, booking(1))

    purged = paged.read(lambda uow: uow.months.purge(ended_before=MARCH.end + timedelta(days=1)))
    assert purged == {"months_deleted": 2, "assignment_tallies_deleted": 0}
    assert [record["month"] for record in paged.read(lambda uow: uow.months.export_subject("h1"))] == ["2027-04"]


def test_a_hosts_export_and_erasure_reach_every_month(paged: Store) -> None:
    meeting = Interval(datetime(2027, 4, 6, 9, tzinfo=UTC), datetime(2027, 4, 6, 10, tzinfo=UTC))
    paged.commit(lambda uow: uow.months.replace_busy("h1", SPRING, [meeting], SYNCED))
    paged.commit(lambda uow: uow.months.replace_busy("h2", MARCH, [meeting], SYNCED))
    moved(paged, None, booking(1))

    exported = paged.read(lambda uow: uow.months.export_subject("h1"))

    assert sorted(exported, key=lambda record: record["month"]) == [
        {"month": "2027-03", "busy": [], "bookings": [booking(1).id]},
        {
            "month": "2027-04",
            "busy": [{"start": "2027-04-06T09:00:00+00:00", "end": "2027-04-06T10:00:00+00:00"}],
            "bookings": [],
        },
    ]

    assert paged.commit(lambda uow: uow.months.erase_subject("h1")) == 2
    assert paged.read(lambda uow: uow.months.export_subject("h1")) == []
    assert paged.read(lambda uow: len(uow.months.export_subject("h2"))) == 1
    assert paged.commit(lambda uow: uow.months.erase_subject("h1")) == 0


def _span(booking: Booking) -> BookedSpan:
    return BookedSpan(
        occupied_start=epoch_seconds(booking.occupied_start),
        occupied_end=epoch_seconds(booking.occupied_end),
        start=epoch_seconds(booking.start),
        booking_id=booking.id,
        event_type_id=booking.event_type_id,
        day_claim=booking.day_claim,
    )


def test_a_month_whose_spans_all_left_goes_with_its_busy_times(paged: Store) -> None:
    moved(paged, None, booking(1))
    moved(paged, booking(1), None)
    paged.commit(lambda uow: uow.months.replace_busy("h1", MARCH, [], SYNCED))

    assert paged.commit(lambda uow: uow.months.clear_busy("h1")) == 1
    assert paged.read(lambda uow: uow.months.export_subject("h1")) == []


def test_a_collective_bookings_span_is_kept_in_every_members_months(paged: Store) -> None:
    paged.commit(lambda uow: uow.pages.add("bo", a_page("h2")))
    co_host = CoHost(host_id="h2", places=(day_place("20270308", 1, "h2"),))
    together = booking(7, day_claim=day_place("20270308", 1), team_id="tm" + "0" * 20, co_hosts=(co_host,))

    moved(paged, None, together)

    bo = paged.read(lambda uow: uow.months.snapshot("bo", SPRING.start, SPRING.end))
    assert bo is not None
    assert [(span.booking_id, span.day_claim) for span in bo.booked] == [(together.id, day_place("20270308", 1, "h2"))]
    assert snapshot(paged).booked == [_span(together)]
    moved(paged, together, together.cancelled(None))
    assert snapshot(paged).booked == []
    assert paged.read(lambda uow: uow.months.snapshot("bo", SPRING.start, SPRING.end)).booked == []  # type: ignore[union-attr]
