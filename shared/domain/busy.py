"""The compact busy mirror: a host's Google busy times, one document per UTC month.

A month document holds two parallel lists of epoch seconds, `starts` and `ends` (Firestore rejects
nested arrays, and plain integers keep a 2,000-interval month small). An interval crossing a month
boundary is split so each month holds its own part: reading the months a range touches is then enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from shared.domain.intervals import EPOCH, Interval, as_utc, by_start, merge

_SECOND = timedelta(seconds=1)


class EncodedMonth(TypedDict):
    """One month of busy times as stored: `starts[i]`..`ends[i]` is one interval, in epoch seconds."""

    starts: list[int]
    ends: list[int]


def month_key(moment: datetime) -> str:
    """The "YYYY-MM" UTC month holding `moment`."""
    return f"{as_utc(moment):%Y-%m}"


def month_keys(start: datetime, end: datetime) -> list[str]:
    """The "YYYY-MM" UTC months that the half-open range [start, end) touches, in order."""
    keys: list[str] = []
    month = _month_start(as_utc(start))
    while month < as_utc(end):
        keys.append(month_key(month))
        month = _next_month(month)
    return keys


def split_by_month(intervals: Iterable[Interval]) -> dict[str, list[Interval]]:
    """Busy intervals grouped by UTC month, merged and sorted; crossing intervals are cut at month starts."""
    months: dict[str, list[Interval]] = {}
    for interval in merge(intervals):
        start = interval.start
        while start < interval.end:
            end = min(interval.end, _next_month(_month_start(start)))
            months.setdefault(month_key(start), []).append(Interval(start, end))
            start = end
    return months


def encode_month(intervals: Iterable[Interval]) -> EncodedMonth:
    """Intervals as parallel epoch-second lists; starts round down and ends up, so busy never shrinks."""
    ordered = sorted(intervals, key=by_start)
    return {
        "starts": [(interval.start - EPOCH) // _SECOND for interval in ordered],
        "ends": [-((EPOCH - interval.end) // _SECOND) for interval in ordered],
    }


def decode_month(encoded: EncodedMonth) -> list[Interval]:
    """The intervals of a stored month document."""
    starts, ends = encoded["starts"], encoded["ends"]
    if len(starts) != len(ends):
        raise ValueError(f"busy month has {len(starts)} starts but {len(ends)} ends")
    pairs = zip(starts, ends, strict=True)
    return [Interval(EPOCH + start * _SECOND, EPOCH + end * _SECOND) for start, end in pairs]


def _month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(month_start: datetime) -> datetime:
    return datetime(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1, tzinfo=UTC)
