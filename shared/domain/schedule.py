"""A host's weekly hours and date overrides, in the host's own time zone.

Shape (CONTRACT.md): `{"time_zone": "Area/City", "weekly": {"mon": [["09:00","17:00"]], ...},
"overrides": {"YYYY-MM-DD": [["10:00","12:00"]] or []}}`. Times are "HH:MM" on the 5-minute grid, an end
may be "24:00" (midnight at the end of the day). An override replaces the weekly rule for that date; an
empty override is a day off. A day's ranges are stored sorted; overlapping ranges are refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Literal, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import WithJsonSchema

from shared.domain.calendar_span import CalendarDay
from shared.domain.time_zones import ZoneName

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
_MINUTE = timedelta(minutes=1)
_MAX_RANGES_PER_DAY = 48  # far beyond real use; bounds the engine's work per day


@lru_cache(maxsize=512)
def minutes_of(clock: str) -> int:
    """Minutes since local midnight of a validated "HH:MM" ("24:00" is 1440)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_clock(value: str) -> str:
    if not _CLOCK.fullmatch(value) or minutes_of(value) > 24 * 60:
        raise ValueError(f"{value!r} is not a time between 00:00 and 24:00 written HH:MM")
    if minutes_of(value) % 5:
        raise ValueError(f"{value} is not on a 5-minute boundary")
    return value


def _check_range(value: tuple[str, str]) -> tuple[str, str]:
    start, end = value
    if minutes_of(end) <= minutes_of(start):
        raise ValueError(f"end {end} must be after start {start}")
    return value


def _check_day(ranges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ordered = sorted(ranges, key=lambda time_range: minutes_of(time_range[0]))
    for (start_a, end_a), (start_b, end_b) in pairwise(ordered):
        if minutes_of(start_b) < minutes_of(end_a):  # touching ranges (12:00 then 12:00) are fine
            raise ValueError(f"ranges {start_a}-{end_a} and {start_b}-{end_b} overlap on this day")
    return ordered


CLOCK_PATTERN = "^(([01][0-9]|2[0-3]):[0-5][05]|24:00)$"  # HH:MM on the 5-minute grid, up to 24:00
ClockTime = Annotated[str, AfterValidator(_check_clock)]
# Described as a pair of clock times (`items` rather than 2020-12's `prefixItems`: both places hold the same
# kind of value, and every OpenAPI tool reads `items`).
_CLOCK_SCHEMA = {"type": "string", "pattern": CLOCK_PATTERN}
TimeRange = Annotated[
    tuple[ClockTime, ClockTime],
    AfterValidator(_check_range),
    WithJsonSchema({"type": "array", "items": _CLOCK_SCHEMA, "minItems": 2, "maxItems": 2}),
]
DayRanges = Annotated[list[TimeRange], Field(max_length=_MAX_RANGES_PER_DAY), AfterValidator(_check_day)]


class LocalWindow(NamedTuple):
    """Availability on one day as naive wall-clock datetimes in the host zone; `end` may be next 00:00."""

    start: datetime
    end: datetime


class Schedule(BaseModel):
    """Weekly hours plus per-date overrides, read in `time_zone`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: ZoneName
    weekly: dict[Weekday, DayRanges] = Field(default_factory=dict)
    overrides: dict[CalendarDay, DayRanges] = Field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # ZoneInfo caches instances per key

    def ranges_on(self, local_date: date) -> list[tuple[str, str]]:
        """The "HH:MM" ranges that apply on `local_date`: its override if any, else its weekday's rule."""
        if local_date in self.overrides:
            return self.overrides[local_date]
        return self.weekly.get(WEEKDAYS[local_date.weekday()], [])

    def windows_on(self, local_date: date) -> list[LocalWindow]:
        """The availability windows of `local_date` as wall-clock datetimes in the host zone, sorted."""
        midnight = datetime(local_date.year, local_date.month, local_date.day)
        return [
            LocalWindow(midnight + _MINUTE * minutes_of(start), midnight + _MINUTE * minutes_of(end))
            for start, end in self.ranges_on(local_date)
        ]
