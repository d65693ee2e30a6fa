"""Host-local weeks (ISO, Monday first) and calendar months: what weekly and monthly limits count in.

Also the numbered places of the booked-minute limits (below).

A period is named by its first day (the `bookings_per_week` / `bookings_per_month` keys of the slot engine)
and, in claim ids, by its ISO name (`week_name`, `month_name` in shared/domain/claims.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


# --- booked minutes (daily_minutes_limit, weekly_minutes_limit) -------------------------------------------
# A limit of L minutes is L / 5 numbered 5-minute places in the host-local day or ISO week; a booking of D
# minutes holds D / 5 consecutive places (a run), every one a claim created with it under "must not exist",
# so racing bookings can never hold more than L minutes (the runs' names: `minute_run` in claims.py).
MINUTES_PER_PLACE = 5


def first_free_run(held: Iterable[tuple[int, int]], count: int, capacity: int) -> int | None:
    """The lowest first place of `count` consecutive places within 1..`capacity` that no held run
    (first, count) touches; None when none fits. Lowest first, so bookings of one length never fragment
    the places: a length that fits the free minutes always finds a run."""
    candidate = 1
    for first, length in sorted(held):
        if first - candidate >= count:
            break
        candidate = max(candidate, first + length)
    return candidate if candidate + count - 1 <= capacity else None
