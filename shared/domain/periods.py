"""Host-local weeks (ISO, Monday first) and calendar months: what weekly and monthly limits count in.

A period is named by its first day (the `bookings_per_week` / `bookings_per_month` keys of the slot engine)
and, in claim ids, by its ISO name: `w2027-W10`, `m2027-03`.
"""

from __future__ import annotations

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
