from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.firestore.codec import (
    booked_overlapping,
    busy_overlapping,
    decode_busy,
    encode_booked,
    encode_busy,
    legacy_booked,
)
from shared.domain.busy import month_keys, split_by_month
from shared.domain.intervals import Interval, SpanSet, merge
from shared.domain.offer import BookedSpan
from shared.domain.offsets import epoch_seconds
from tests.unit.builders import span, utc


def test_month_keys_list_the_utc_months_a_range_touches() -> None:
    keys = month_keys(utc("2027-11-20T00:00"), utc("2028-02-01T00:00"))

    assert keys == ["2027-11", "2027-12", "2028-01"]  # February starts exactly at the (excluded) end


def test_month_keys_use_utc_not_the_offset_of_the_arguments() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")

    keys = month_keys(datetime(2027, 4, 1, 5, tzinfo=tokyo), datetime(2027, 4, 1, 10, tzinfo=tokyo))

    assert keys == ["2027-03", "2027-04"]  # 20:00Z on March 31 .. 01:00Z on April 1


def test_an_interval_crossing_a_month_boundary_is_split_between_both_months() -> None:
    new_year = span("2027-12-31T22:00", "2028-01-01T02:00")

    months = split_by_month([new_year, span("2027-12-01T09:00", "2027-12-01T10:00")])

    assert months == {
        "2027-12": [span("2027-12-01T09:00", "2027-12-01T10:00"), span("2027-12-31T22:00", "2028-01-01T00:00")],
        "2028-01": [span("2028-01-01T00:00", "2028-01-01T02:00")],
    }


def test_a_month_is_packed_as_little_endian_int64_pairs_of_epoch_seconds() -> None:
    packed = encode_busy([span("2027-01-01T00:00", "2027-01-01T01:00")])

    assert packed == (1798761600).to_bytes(8, "little") + (1798765200).to_bytes(8, "little")


def test_encoding_rounds_starts_down_and_ends_up_so_busy_never_shrinks() -> None:
    start, end = (
        utc("2027-01-01T00:00") + timedelta(microseconds=700),
        utc("2027-01-01T00:30") + timedelta(microseconds=1),
    )

    decoded = decode_busy(encode_busy([Interval(start, end)]))

    assert decoded == [Interval(utc("2027-01-01T00:00"), utc("2027-01-01T00:30") + timedelta(seconds=1))]


_BASE = datetime(2027, 1, 20, tzinfo=UTC)
_busy = st.builds(
    lambda start, length: Interval(_BASE + timedelta(seconds=start), _BASE + timedelta(seconds=start + length)),
    st.integers(0, 80 * 86400),
    st.integers(1, 20 * 86400),
)


@given(st.lists(_busy, max_size=12))
def test_splitting_by_month_then_encoding_round_trips_the_busy_time(intervals: list[Interval]) -> None:
    months = split_by_month(intervals)

    decoded = {key: decode_busy(encode_busy(month)) for key, month in months.items()}

    assert decoded == months
    assert merge(part for parts in decoded.values() for part in parts) == merge(intervals)
    for key, parts in decoded.items():
        assert all(f"{part.start:%Y-%m}" == key and part.end <= _next_month_start(part.start) for part in parts)
        assert set(month_keys(parts[0].start, parts[-1].end)) == {key}


def _next_month_start(moment: datetime) -> datetime:
    return (moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)


def _seconds(text: str) -> int:
    return epoch_seconds(utc(text))


@given(st.lists(_busy, max_size=12), st.integers(0, 80 * 86400), st.integers(1, 20 * 86400))
def test_a_range_read_of_a_packed_month_returns_exactly_the_busy_times_overlapping_it(
    intervals: list[Interval], offset: int, length: int
) -> None:
    month = merge(intervals)
    start, end = epoch_seconds(_BASE) + offset, epoch_seconds(_BASE) + offset + length
    found = SpanSet()

    busy_overlapping(encode_busy(month), start, end, found)

    expected = [
        (epoch_seconds(i.start), epoch_seconds(i.end))
        for i in month
        if epoch_seconds(i.start) < end and start < epoch_seconds(i.end)
    ]
    assert list(found) == expected


def a_span(start: str, minutes: int = 30, *, booking: str = "0" * 31 + "1", day_claim: str | None = None) -> BookedSpan:
    return BookedSpan(
        occupied_start=_seconds(start) - 600,
        occupied_end=_seconds(start) + minutes * 60 + 600,
        start=_seconds(start),
        booking_id=booking,
        event_type_id="et0123456789",
        day_claim=day_claim,
    )


def test_a_booked_span_is_one_fixed_size_element_that_sorts_by_time() -> None:
    early, late = a_span("2027-06-01T09:00"), a_span("2027-06-01T10:00", booking="f" * 32)

    packed = [encode_booked("h1", late), encode_booked("h1", early)]

    assert {len(element) for element in packed} == {47}
    assert sorted(packed) == [encode_booked("h1", early), encode_booked("h1", late)]


@pytest.mark.parametrize(
    ("start", "zone_day"),
    [("2027-06-01T23:30", "20270602"), ("2027-06-01T12:00", "20270601"), ("2027-06-01T01:00", "20270531")],
)
def test_a_booked_span_with_its_day_place_round_trips(start: str, zone_day: str) -> None:
    span = a_span(start, day_claim=f"h1:et0123456789:{zone_day}:place288")

    (decoded,) = booked_overlapping("h1", [encode_booked("h1", span)], 0, 1 << 62)

    assert decoded == span


def test_only_the_booked_spans_overlapping_the_range_are_returned_in_time_order() -> None:
    spans = [a_span(f"2027-06-{day:02}T09:00", booking=f"{day:032x}") for day in range(1, 29)]
    elements: list[bytes | str] = [encode_booked("h1", span) for span in reversed(spans)]

    found = booked_overlapping("h1", elements, _seconds("2027-06-10T09:40"), _seconds("2027-06-12T08:51"))

    assert found == spans[10:12]  # the 10th ends at 09:40, not after it; the 12th occupies from 08:50


def test_spans_stored_as_strings_before_the_packed_form_are_still_read() -> None:
    old = a_span("2027-06-02T09:00", booking="a" * 32, day_claim="h1:et0123456789:20270602:place1")
    new = a_span("2027-06-01T09:00")

    found = booked_overlapping("h1", [legacy_booked(old), encode_booked("h1", new)], 0, 1 << 62)

    assert found == [new, old]
    assert legacy_booked(old) == f"{'a' * 32}|et0123456789|{old.start}|{old.occupied_start}|{old.occupied_end}|" + (
        "h1:et0123456789:20270602:place1"
    )


def test_a_day_place_of_another_host_is_refused_rather_than_packed_wrong() -> None:
    span = a_span("2027-06-01T09:00", day_claim="h2:et0123456789:20270601:place1")

    with pytest.raises(ValueError, match="not a day place of this host"):
        encode_booked("h1", span)


@pytest.mark.parametrize(
    ("start", "day", "week", "month"),
    [
        ("2027-05-31T23:30", None, "w2027-W22", "m2027-06"),  # the host is ahead of UTC: 1 June, Tuesday
        ("2027-06-01T01:00", "20270531", "w2027-W22", "m2027-05"),  # behind UTC: 31 May, with its day place
        ("2027-01-03T12:00", None, "w2026-W53", "m2027-01"),  # ISO week of the previous year
    ],
)
def test_a_booked_span_with_week_and_month_places_round_trips_in_four_more_bytes(
    start: str, day: str | None, week: str, month: str
) -> None:
    span = a_span(start, day_claim=f"h1:et0123456789:{day}:place3" if day else None)._replace(
        period_claims=(f"h1:et0123456789:{week}:place2000", f"h1:et0123456789:{month}:place1")
    )
    plain = a_span("2027-06-02T09:00", booking="f" * 32)

    elements: list[bytes | str] = [encode_booked("h1", span), encode_booked("h1", plain)]
    found = booked_overlapping("h1", elements, 0, 1 << 62)

    assert [len(element) for element in elements] == [51, 47]
    assert found == sorted([span, plain])


def test_a_month_place_alone_round_trips() -> None:
    span = a_span("2027-06-30T23:00")._replace(period_claims=("h1:et0123456789:m2027-07:place4",))

    assert booked_overlapping("h1", [encode_booked("h1", span)], 0, 1 << 62) == [span]


@pytest.mark.parametrize(
    "claims",
    [
        ("h2:et0123456789:w2027-W22:place1",),  # another host
        ("h1:et0123456789:w2027-W30:place1",),  # not the booking's week
        ("h1:et0123456789:w2027-W22:place1", "h1:et0123456789:m2027-07:place1"),  # week and month disagree
        ("h1:et0123456789:m2027-06:place2048",),  # beyond 11 bits
    ],
)
def test_a_period_place_that_cannot_be_packed_faithfully_is_refused(claims: tuple[str, ...]) -> None:
    span = a_span("2027-06-01T09:00")._replace(period_claims=claims)

    with pytest.raises(ValueError, match=r"place|cannot be packed|do not name"):
        encode_booked("h1", span)


@pytest.mark.parametrize(
    ("start", "day", "week"),
    [
        ("2027-05-31T23:30", "d20270601", "w2027-W22"),  # the host is ahead of UTC: Tuesday 1 June
        ("2027-06-01T01:00", "d20270531", "w2027-W22"),  # behind UTC: Monday 31 May
        ("2027-01-03T12:00", "d20270103", "w2026-W53"),  # ISO week of the previous year
    ],
)
def test_a_booked_span_with_runs_of_minute_places_round_trips_in_six_more_bytes(
    start: str, day: str, week: str
) -> None:
    runs = (f"h1:et0123456789:{day}:min13+12", f"h1:et0123456789:{week}:min2005+12")
    span = a_span(start)._replace(minute_places=runs)
    with_periods = span._replace(
        booking_id="e" * 32,
        start=span.start + 7200,
        occupied_start=span.occupied_start + 7200,
        occupied_end=span.occupied_end + 7200,
        minute_places=runs[1:],
        period_claims=(f"h1:et0123456789:{week}:place3",),
    )

    elements: list[bytes | str] = [encode_booked("h1", span), encode_booked("h1", with_periods)]
    found = booked_overlapping("h1", elements, 0, 1 << 62)

    assert [len(element) for element in elements] == [57, 57]
    assert found == [span, with_periods]


@pytest.mark.parametrize(
    "runs",
    [
        ("h2:et0123456789:d20270601:min1+6",),  # another host
        ("h1:et0123456789:d20270610:min1+6",),  # not the booking's day
        ("h1:et0123456789:d20270601:min1+6", "h1:et0123456789:w2027-W22:min1+12"),  # two lengths
        ("h1:et0123456789:d20270601:min1+6", "h1:et0123456789:d20270601:min7+6"),  # two runs in one day
    ],
)
def test_a_minute_run_that_cannot_be_packed_faithfully_is_refused(runs: tuple[str, ...]) -> None:
    span = a_span("2027-06-01T09:00")._replace(minute_places=runs)

    with pytest.raises(ValueError, match=r"run|cannot be packed|one length|do not name"):
        encode_booked("h1", span)
