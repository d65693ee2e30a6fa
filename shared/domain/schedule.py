"""A host's weekly hours and date overrides, in the host's own time zone.

Shape (CONTRACT.md): `{"time_zone": "Area/City", "weekly": {"mon": [["09:00","17:00"]], ...},
"overrides": {"YYYY-MM-DD": [["10:00","12:00"]] or []}, "time_off": [{"first_day": "YYYY-MM-DD", "last_day":
"YYYY-MM-DD", "reason"?: "..."}]}`. Times are "HH:MM" on the 5-minute grid, an end may be "24:00" (midnight at
the end of the day). An override replaces the weekly rule for that date; an empty override is a day off. A
day's ranges are stored sorted; overlapping ranges are refused.

Time off is a list of host-local date ranges, both days included: every date inside one offers nothing,
whatever the weekly rule or an override says. Entries may overlap (each keeps its own reason; nothing is
merged in what is stored, only in the lookup) and are stored sorted by first day. The reason is the host's
own note: it is part of the schedule the host reads and exports, never of anything shown to invitees.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Annotated, Literal, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import WithJsonSchema

from shared.domain.calendar_span import CalendarDay
from shared.domain.errors import refused
from shared.domain.language import N_
from shared.domain.text import ONE_LINE, STORED
from shared.domain.time_zones import ZoneName

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
_MINUTE = timedelta(minutes=1)
_MAX_RANGES_PER_DAY = 48  # far beyond real use; bounds the engine's work per day
MAX_TIME_OFF_ENTRIES = 100
MAX_TIME_OFF_DAYS = 366  # a year off, leap day included
MAX_REASON_LENGTH = 200
MAX_OVERRIDES = 366  # dates with their own hours: a year of them (time off covers longer runs of days)
TimeOffReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON_LENGTH), ONE_LINE]


@lru_cache(maxsize=512)
def minutes_of(clock: str) -> int:
    """Minutes since local midnight of a validated "HH:MM" ("24:00" is 1440)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_clock(value: str) -> str:
    if not _CLOCK.fullmatch(value) or minutes_of(value) > 24 * 60:
        raise refused("clock-invalid", "'{value}' is not a time between 00:00 and 24:00 written HH:MM", value=value)
    if minutes_of(value) % 5:
        raise refused("clock-off-grid", "{value} is not on a 5-minute boundary", value=value)
    return value


def _check_range(value: tuple[str, str]) -> tuple[str, str]:
    start, end = value
    if minutes_of(end) <= minutes_of(start):
        raise refused("end-not-after-start", "end {end} must be after start {start}", start=start, end=end)
    return value


def _check_day(ranges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ordered = sorted(ranges, key=lambda time_range: minutes_of(time_range[0]))
    for (start_a, end_a), (start_b, end_b) in pairwise(ordered):
        if minutes_of(start_b) < minutes_of(end_a):  # touching ranges (12:00 then 12:00) are fine
            first, second = f"{start_a}-{end_a}", f"{start_b}-{end_b}"
            raise refused("hours-overlap", "ranges {first} and {second} overlap", first=first, second=second)
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


def _few_overrides(overrides: dict[date, list[TimeRange]], info: ValidationInfo) -> dict[date, list[TimeRange]]:
    stored = isinstance(info.context, dict) and info.context.get(STORED)  # read as it was accepted
    if len(overrides) > MAX_OVERRIDES and not stored:
        raise refused("too-many-dates", "at most {max_length} dates", max_length=MAX_OVERRIDES)
    return overrides


Overrides = Annotated[
    dict[CalendarDay, DayRanges],
    AfterValidator(_few_overrides),
    Field(json_schema_extra={"maxProperties": MAX_OVERRIDES}),
]


class LocalWindow(NamedTuple):
    """Availability on one day as naive wall-clock datetimes in the host zone; `end` may be next 00:00."""

    start: datetime
    end: datetime


class TimeOff(BaseModel):
    """Host-local dates `first_day`..`last_day` (both included) with nothing offered; `reason` is for the host."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_day: CalendarDay
    last_day: CalendarDay
    reason: TimeOffReason | None = Field(default=None, description="The host's own note: never shown to invitees.")

    @field_validator("last_day")
    @classmethod
    def _within_a_year_of_the_first_day(cls, last_day: date, info: ValidationInfo) -> date:
        first_day = info.data.get("first_day")
        if first_day is None:  # the first day was refused already, on its own field
            return last_day
        if last_day < first_day:
            raise refused(
                "last-day-before-first",
                "last day {last} is before first day {first}",
                first=str(first_day),
                last=str(last_day),
            )
        if (last_day - first_day).days >= MAX_TIME_OFF_DAYS:
            raise refused("time-off-too-long", "time off lasts at most {days} days", days=MAX_TIME_OFF_DAYS)
        return last_day


def _sorted_time_off(entries: list[TimeOff]) -> list[TimeOff]:
    return sorted(entries, key=lambda entry: (entry.first_day, entry.last_day))


TimeOffList = Annotated[list[TimeOff], Field(max_length=MAX_TIME_OFF_ENTRIES), AfterValidator(_sorted_time_off)]


def _merged_spans(entries: list[TimeOff]) -> tuple[list[int], list[int]]:
    """Time off as disjoint (first, last) day ordinals, sorted: a day is off when the span starting at or
    before it reaches it. Overlapping and adjacent entries are merged, so one bisect answers."""
    firsts: list[int] = []
    lasts: list[int] = []
    for entry in sorted(entries, key=lambda entry: (entry.first_day, entry.last_day)):  # stored sorted: cheap
        first, last = entry.first_day.toordinal(), entry.last_day.toordinal()
        if lasts and first <= lasts[-1] + 1:
            lasts[-1] = max(lasts[-1], last)
        else:
            firsts.append(first)
            lasts.append(last)
    return firsts, lasts


class Schedule(BaseModel):
    """Weekly hours plus per-date overrides and time off, read in `time_zone`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: ZoneName
    weekly: dict[Weekday, DayRanges] = Field(default_factory=dict)
    overrides: Overrides = Field(default_factory=dict)
    time_off: TimeOffList = Field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # ZoneInfo caches instances per key

    def is_off(self, local_date: date) -> bool:
        """Whether `local_date` lies in one of the host's time off ranges."""
        if not self.time_off:
            return False
        source, (firsts, lasts) = self._off_lookup
        if source is not self.time_off:  # a `model_copy` replaced the list after the lookup was built
            firsts, lasts = _merged_spans(self.time_off)
        day = local_date.toordinal()
        at = bisect_right(firsts, day) - 1
        return at >= 0 and day <= lasts[at]

    @cached_property
    def _off_lookup(self) -> tuple[list[TimeOff], tuple[list[int], list[int]]]:
        # Built once per schedule (pages are cached per stored version); pydantic compares, dumps and
        # hashes fields only, so the cached value changes nothing else.
        return self.time_off, _merged_spans(self.time_off)

    def ranges_on(self, local_date: date) -> list[tuple[str, str]]:
        """The "HH:MM" ranges that apply on `local_date`: none in time off, else its override if any, else
        its weekday's rule."""
        if self.time_off and self.is_off(local_date):
            return []
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


# --- several schedules per host -------------------------------------------------------------------------
MAX_SCHEDULES = 20  # the default schedule included
DEFAULT_SCHEDULE_ID = "default"
# A new host's default schedule is named in the language they signed up in (shared/services/onboarding.py); a page
# stored before then, or without a name, reads the English.
DEFAULT_SCHEDULE_NAME = N_("Working hours")
ScheduleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), ONE_LINE]


class NamedSchedule(Schedule):
    """One of a host's schedules ("Mornings", "Office hours"): a name and its hours. Event types point at one
    by id; the host's default schedule (the one `/hosts/me/schedule` has always served) has the id "default"."""

    name: ScheduleName


class ScheduleCreate(BaseModel):
    """POST body: a name, and hours if given (else weekdays 09:00-17:00 in the host's time zone)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ScheduleName
    time_zone: ZoneName | None = None
    weekly: dict[Weekday, DayRanges] | None = None
    overrides: Overrides = Field(default_factory=dict)
    time_off: TimeOffList = Field(default_factory=list)


class ScheduleUpdate(BaseModel):
    """PATCH body: only the fields present change (none may be null)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ScheduleName | None = None
    time_zone: ZoneName | None = None
    weekly: dict[Weekday, DayRanges] | None = None
    overrides: Overrides | None = None
    time_off: TimeOffList | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # defaults are not validated: None here is an explicit null
            raise refused("null-not-allowed", "this field cannot be null; omit it to keep it")
        return value

    def applied_to(self, schedule: NamedSchedule) -> NamedSchedule:
        return NamedSchedule.model_validate({**schedule.model_dump(), **self.model_dump(exclude_unset=True)})
