"""Host-local weeks (ISO, Monday first) and calendar months: what weekly and monthly limits count in.

Also the numbered places of the booked-minute limits (below).

A period is named by its first day (the `bookings_per_week` / `bookings_per_month` keys of the slot engine)
and, in claim ids, by its ISO name: `w2027-W10`, `m2027-03`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def week_name(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"w{year:04d}-W{week:02d}"


def month_name(day: date) -> str:
    return f"m{day:%Y-%m}"


def period_place(host_id: str, event_type_id: str, period: str, number: int) -> str:
    """The claim id of one numbered place in a week or month (`period`: `week_name` / `month_name`)."""
    return f"{host_id}:{event_type_id}:{period}:place{number}"


# --- booked minutes (daily_minutes_limit, weekly_minutes_limit) -------------------------------------------
# A limit of L minutes is L / 5 numbered 5-minute places in the host-local day or ISO week; a booking of D
# minutes holds D / 5 consecutive places (a run), every one a claim created with it under "must not exist",
# so racing bookings can never hold more than L minutes. The run is named by its first place and length:
# `{host}:{type}:{period}:min{first}+{count}` (`period`: `day_name` or `week_name`).
MINUTES_PER_PLACE = 5


def day_name(day: date) -> str:
    return f"d{day:%Y%m%d}"


def minute_run(host_id: str, event_type_id: str, period: str, first: int, count: int) -> str:
    return f"{minute_run_prefix(host_id, event_type_id, period)}{first}+{count}"


def minute_run_prefix(host_id: str, event_type_id: str, period: str) -> str:
    return f"{host_id}:{event_type_id}:{period}:min"


def _split_run(run: str) -> tuple[str, int, int]:
    """(`{host}:{type}:{period}`, first place, count) of a run named by `minute_run`."""
    head, _, places = run.rpartition(":min")
    first, _, count = places.partition("+")
    return head, int(first), int(count)


def parse_minute_run(run: str) -> tuple[str, int, int]:
    """(period name, first place, count) of a run named by `minute_run`."""
    head, first, count = _split_run(run)
    return head.rpartition(":")[2], first, count


def places_of_run(run: str) -> list[str]:
    """The claim ids of every place of a run: `{host}:{type}:{period}:min{n}`."""
    head, first, count = _split_run(run)
    return [f"{head}:min{number}" for number in range(first, first + count)]


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
