"""Busy months on the official emulator: packed booked spans kept by ArrayUnion/ArrayRemove, range reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud import firestore

from shared.adapters.firestore import FirestoreUnitOfWork
from shared.adapters.firestore.codec import encode_booked, legacy_booked
from shared.domain.booking import Booking, Invitee
from shared.domain.intervals import Interval
from shared.domain.offer import BookedSpan
from shared.domain.offsets import epoch_seconds
from tests.unit.fakes import a_page

MONDAY = datetime(2027, 3, 8, 9, tzinfo=UTC)
EVENT_TYPE = "et0123456789"


def a_booking(host_id: str, start: datetime, day_claim: str | None = None) -> Booking:
    return Booking(
        id=uuid.uuid4().hex,
        host_id=host_id,
        event_type_id=EVENT_TYPE,
        event_title="Call",
        start=start,
        end=start + timedelta(minutes=30),
        occupied_start=start - timedelta(minutes=10),
        occupied_end=start + timedelta(minutes=40),
        invitee=Invitee(name="Ines", email="ines@example.org", time_zone="UTC"),
        manage_token_hash="0" * 64,
        day_claim=day_claim,
    )


def a_host_page(db: Any) -> tuple[FirestoreUnitOfWork, str, str]:
    host_id, slug = f"h{uuid.uuid4().hex[:12]}", f"s{uuid.uuid4().hex[:12]}"
    uow = FirestoreUnitOfWork(db)
    with uow:
        uow.pages.add(slug, a_page(host_id))
        uow.commit()
    return uow, host_id, slug


def moved(uow: FirestoreUnitOfWork, before: Booking | None, after: Booking | None) -> None:
    with uow:
        uow.months.move_span(before, after)
        uow.commit()


def spans_around(uow: FirestoreUnitOfWork, slug: str, start: datetime, end: datetime) -> list[BookedSpan]:
    snapshot = uow.months.snapshot(slug, start, end)
    assert snapshot is not None
    return snapshot.booked


def test_a_booked_span_is_added_read_back_exactly_and_released(db: Any) -> None:
    uow, host_id, slug = a_host_page(db)
    booking = a_booking(host_id, MONDAY, day_claim=f"{host_id}:{EVENT_TYPE}:20270308:place2")

    moved(uow, None, booking)
    (found,) = spans_around(uow, slug, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1))
    moved(uow, booking, booking.cancelled(None))

    assert found == BookedSpan(
        occupied_start=epoch_seconds(booking.occupied_start),
        occupied_end=epoch_seconds(booking.occupied_end),
        start=epoch_seconds(booking.start),
        booking_id=booking.id,
        event_type_id=EVENT_TYPE,
        day_claim=booking.day_claim,
    )
    assert spans_around(uow, slug, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1)) == []


def test_a_range_read_decodes_only_the_spans_that_overlap_it(db: Any) -> None:
    uow, host_id, slug = a_host_page(db)
    bookings = [a_booking(host_id, MONDAY + timedelta(hours=hours)) for hours in range(0, 24 * 14, 6)]
    with uow:
        for booking in bookings:
            uow.months.move_span(None, booking)
        uow.commit()

    start, end = MONDAY + timedelta(days=3), MONDAY + timedelta(days=4)

    found = spans_around(uow, slug, start, end)

    overlapping = [b.id for b in bookings if b.occupied_start < end and start < b.occupied_end]
    assert [span.booking_id for span in found] == overlapping
    assert len(overlapping) == 5  # 09:00, 15:00, 21:00, 03:00, and the next 09:00's buffer from 08:50


# How a month kept a span before booked spans were kept by day: one array for the month, of strings, then of
# packed elements. Both are read and released as they are.
MONTH_WIDE_FORMS = {
    "string": lambda host_id, span: legacy_booked(span),
    "packed": encode_booked,
}


@pytest.mark.parametrize("form", MONTH_WIDE_FORMS.values(), ids=MONTH_WIDE_FORMS.keys())
def test_a_span_kept_in_the_month_wide_array_of_before_is_read_and_released(
    db: Any, form: Callable[[str, BookedSpan], bytes | str]
) -> None:
    uow, host_id, slug = a_host_page(db)
    booking = a_booking(host_id, MONDAY)
    span = BookedSpan(
        epoch_seconds(booking.occupied_start),
        epoch_seconds(booking.occupied_end),
        epoch_seconds(booking.start),
        booking.id,
        EVENT_TYPE,
    )
    month = db.collection("hosts").document(host_id).collection("months").document("2027-03")
    month.set({"booked": firestore.ArrayUnion([form(host_id, span)])}, merge=True)

    before = spans_around(uow, slug, MONDAY - timedelta(hours=1), MONDAY + timedelta(hours=1))
    moved(uow, booking, booking.cancelled(None))

    assert before == [span]
    assert month.get().get("booked") == []


def test_busy_times_are_read_only_where_asked(db: Any) -> None:
    uow, host_id, slug = a_host_page(db)
    busy = [Interval(MONDAY + timedelta(hours=h), MONDAY + timedelta(hours=h, minutes=20)) for h in range(0, 24 * 30)]
    with uow:
        uow.months.replace_busy(host_id, Interval(MONDAY, MONDAY + timedelta(days=40)), busy, MONDAY)
        uow.commit()

    snapshot = uow.months.snapshot(slug, MONDAY + timedelta(days=2), MONDAY + timedelta(days=2, hours=3))

    assert snapshot is not None
    assert list(snapshot.busy) == [(epoch_seconds(i.start), epoch_seconds(i.end)) for i in busy[48:51]]


def test_spans_are_kept_by_the_day_their_meeting_starts_and_a_read_fetches_only_the_days_it_can_touch(db: Any) -> None:
    uow, host_id, slug = a_host_page(db)
    late = a_booking(host_id, MONDAY + timedelta(hours=14))  # Monday 23:00-23:30, occupied until 23:40
    late = late.model_copy(
        update={"end": late.start + timedelta(hours=12), "occupied_end": late.start + timedelta(hours=16)}
    )
    far = a_booking(host_id, MONDAY + timedelta(days=9))
    moved(uow, None, late)
    moved(uow, None, far)
    month = db.collection("hosts").document(host_id).collection("months").document("2027-03")

    tuesday_morning = spans_around(uow, slug, MONDAY + timedelta(hours=20), MONDAY + timedelta(hours=22))
    fetched = uow.read_fields([month], ["booked_on.d09"])[month.path].to_dict()

    assert [span.booking_id for span in tuesday_morning] == [late.id]  # its meeting began the day before
    assert sorted(month.get().get("booked_on")) == ["d08", "d17"]
    assert fetched == {}  # a day nothing starts on: no field at all, and Monday's and the 17th's stay behind


@pytest.mark.parametrize("hinted", [False, True], ids=["first read of the slug", "slug's host remembered"])
def test_the_snapshot_tells_which_write_places_exist_in_the_same_read(db: Any, hinted: bool) -> None:
    uow, _, slug = a_host_page(db)
    if hinted:
        uow.months.snapshot(slug, MONDAY, MONDAY + timedelta(hours=1))
    key = uuid.uuid4().hex
    places = [f"client:{key}:7:{n}" for n in (1, 2, 3)]
    with uow:
        uow.write_places.take(places[0], MONDAY)
        uow.write_places.take(places[2], MONDAY)
        uow.commit()

    snapshot = uow.months.snapshot(slug, MONDAY, MONDAY + timedelta(hours=1), places)

    assert snapshot is not None
    assert snapshot.places_taken == {places[0], places[2]}
    assert uow.write_places.taken(places) == {places[0], places[2]}


def test_a_write_place_that_exists_fails_the_commit_that_creates_it_again(db: Any) -> None:
    from shared.services.errors import AlreadyStored

    uow = FirestoreUnitOfWork(db)
    place = f"invitee:{uuid.uuid4().hex}:7:1"
    with uow:
        uow.write_places.take(place, MONDAY)
        uow.commit()

    with uow:
        uow.write_places.take(place, MONDAY)
        with pytest.raises(AlreadyStored):
            uow.commit()
