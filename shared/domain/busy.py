"""The busy mirror's shape: a host's Google busy times, kept one UTC month at a time.

An interval crossing a month boundary is split so each month holds its own part: reading the months a
range touches is then enough. How a month is stored is the adapter's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from shared.domain.intervals import Interval, as_utc, merge


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


def month_end(key: str) -> datetime:
    """When the UTC month "YYYY-MM" ends (the start of the next one)."""
    year, month = map(int, key.split("-"))
    return _next_month(datetime(year, month, 1, tzinfo=UTC))


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


def _month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(month_start: datetime) -> datetime:
    return datetime(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1, tzinfo=UTC)
