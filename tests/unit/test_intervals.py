from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.errors import InvalidInterval, NaiveDatetime
from shared.domain.intervals import DisjointIntervals, Interval, SpanSet, clip, merge, overlaps
from tests.unit.builders import span, utc


def test_interval_refuses_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetime, match="has no time zone"):
        Interval(datetime(2027, 1, 1, 9), datetime(2027, 1, 1, 10, tzinfo=UTC))


@pytest.mark.parametrize("end", ["2027-01-01T09:00", "2027-01-01T08:00"])
def test_interval_end_must_be_after_start(end: str) -> None:
    with pytest.raises(InvalidInterval, match="is not after start"):
        Interval(utc("2027-01-01T09:00"), utc(end))


def test_interval_is_stored_in_utc() -> None:
    berlin = ZoneInfo("Europe/Berlin")

    interval = Interval(datetime(2027, 6, 1, 9, tzinfo=berlin), datetime(2027, 6, 1, 10, tzinfo=berlin))

    assert interval.start.tzinfo is UTC
    assert interval == span("2027-06-01T07:00", "2027-06-01T08:00")


def test_back_to_back_intervals_do_not_overlap() -> None:
    morning, late_morning = span("2027-01-01T09:00", "2027-01-01T10:00"), span("2027-01-01T10:00", "2027-01-01T11:00")

    assert not overlaps(morning, late_morning)
    assert overlaps(morning, span("2027-01-01T09:59", "2027-01-01T10:30"))


def test_merge_joins_overlapping_and_touching_intervals_and_sorts() -> None:
    intervals = [
        span("2027-01-01T13:00", "2027-01-01T14:00"),
        span("2027-01-01T09:00", "2027-01-01T10:00"),
        span("2027-01-01T10:00", "2027-01-01T10:30"),
        span("2027-01-01T09:15", "2027-01-01T09:45"),
    ]

    merged = merge(intervals)

    assert merged == [span("2027-01-01T09:00", "2027-01-01T10:30"), span("2027-01-01T13:00", "2027-01-01T14:00")]


def test_clip_keeps_only_the_parts_inside_the_bounds() -> None:
    bounds = span("2027-01-01T10:00", "2027-01-01T12:00")
    intervals = [
        span("2027-01-01T09:00", "2027-01-01T10:30"),
        span("2027-01-01T11:00", "2027-01-01T11:30"),
        span("2027-01-01T12:00", "2027-01-01T13:00"),
    ]

    clipped = clip(intervals, bounds)

    assert clipped == [span("2027-01-01T10:00", "2027-01-01T10:30"), span("2027-01-01T11:00", "2027-01-01T11:30")]


_BASE = utc("2027-01-01T00:00")
_intervals = st.builds(
    lambda start, length: Interval(_BASE + timedelta(minutes=start), _BASE + timedelta(minutes=start + length)),
    st.integers(0, 600),
    st.integers(1, 120),
)


@given(st.lists(_intervals, max_size=20), _intervals)
def test_disjoint_intervals_answer_overlap_like_a_scan_of_every_interval(
    intervals: list[Interval], query: Interval
) -> None:
    index = DisjointIntervals(intervals)

    found = index.overlaps(query.start, query.end)

    assert found == any(query.overlaps(interval) for interval in intervals)


@given(st.lists(_intervals, max_size=20))
def test_merge_covers_the_same_instants_with_disjoint_sorted_intervals(intervals: list[Interval]) -> None:
    merged = merge(intervals)

    assert all(a.end < b.start for a, b in pairwise(merged))
    for minute in range(0, 730, 7):
        probe = _BASE + timedelta(minutes=minute, seconds=30)
        inside_any = any(i.start <= probe < i.end for i in intervals)
        assert inside_any == any(m.start <= probe < m.end for m in merged)


_seconds = st.tuples(st.integers(0, 600), st.integers(1, 120)).map(lambda pair: (pair[0], pair[0] + pair[1]))


def _covered(spans: list[tuple[int, int]]) -> set[int]:
    return {second for start, end in spans for second in range(start, end)}


@given(st.lists(_seconds, max_size=20))
def test_a_span_set_is_sorted_disjoint_and_covers_what_it_was_given(spans: list[tuple[int, int]]) -> None:
    merged = SpanSet.of(spans)

    assert all(a_end < b_start for (_, a_end), (b_start, _) in pairwise(merged))
    assert all(start < end for start, end in merged)
    assert _covered(list(merged)) == _covered(spans)


@given(st.lists(_seconds, max_size=20), _seconds, _seconds)
def test_adding_and_removing_spans_is_union_and_difference(
    spans: list[tuple[int, int]], added: tuple[int, int], removed: tuple[int, int]
) -> None:
    merged = SpanSet.of(spans)

    merged.add(*added)
    merged.remove(*removed)

    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(merged))
    assert _covered(list(merged)) == (_covered(spans) | _covered([added])) - _covered([removed])


@given(st.lists(_seconds, max_size=20), _seconds)
def test_span_set_overlap_is_a_scan_of_every_span(spans: list[tuple[int, int]], query: tuple[int, int]) -> None:
    merged = SpanSet.of(spans)

    assert merged.overlaps(*query) == any(start < query[1] and query[0] < end for start, end in spans)


def test_a_copy_of_a_span_set_changes_alone() -> None:
    original = SpanSet.of([(0, 10)])

    copy = original.copy()
    copy.add(20, 30)

    assert list(original) == [(0, 10)]
    assert list(copy) == [(0, 10), (20, 30)]
