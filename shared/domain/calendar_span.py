"""The calendar dates and instants Kaleno accepts from outside: within the years 2000 to 2999.

Python's calendar ends at years 1 and 9999, and every request does arithmetic around the dates it is given
(a zone's UTC offset, the day after the last one, the booking window, the month documents around a time):
`9999-12-31` or `0001-01-01T00:00:00+14:00` would overflow in the middle of it. Nothing bookable lies
outside this span, so such input is refused at the edge (422 naming the field) and the rest of the code
never meets it. The OpenAPI document states the same span as a pattern on the year.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic.json_schema import WithJsonSchema

from shared.domain.errors import refused

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)

_YEAR = "2[0-9]{3}"
_MONTH_DAY = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DAY_PATTERN = f"^{_YEAR}-{_MONTH_DAY}$"
INSTANT_PATTERN = f"^{_YEAR}-{_MONTH_DAY}T"  # the rest is RFC 3339 (`format: date-time`), offset required

_EARLIEST, _LATEST = str(EARLIEST_DAY), str(LATEST_DAY)


def _check_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise refused(
            "date-out-of-range", "dates must lie between {earliest} and {latest}", earliest=_EARLIEST, latest=_LATEST
        )
    return value


def _check_instant(value: datetime) -> datetime:
    if not EARLIEST_DAY <= value.date() <= LATEST_DAY:  # the date as written, before any zone arithmetic
        raise refused(
            "date-out-of-range", "times must lie between {earliest} and {latest}", earliest=_EARLIEST, latest=_LATEST
        )
    return value


CalendarDay = Annotated[
    date,
    AfterValidator(_check_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_check_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
