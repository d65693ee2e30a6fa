from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.firestore.codec import decode_busy, encode_busy
from shared.domain.busy import month_keys, split_by_month
from shared.domain.intervals import Interval, merge
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
