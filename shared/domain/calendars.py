"""Which of the host's Google calendars count as busy (conflict calendars) and which one receives bookings
(the write calendar).

`primary` stands for the host's primary calendar (Google lists it under the host's email, which may
change); any other id is Google's own calendar id. Calendar names are never stored: the dashboard lists
them live from Google.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.errors import FieldProblem, InvalidCalendarChoice

PRIMARY = "primary"
MAX_CONFLICT_CALENDARS = 10  # one free/busy query takes up to 50; each chosen calendar is also a watch channel
# Listing calendars needs its own, narrow permission, asked for only when the host opens the setting.
CALENDAR_LIST_SCOPE = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"

CalendarId = Annotated[str, StringConstraints(min_length=1, max_length=254, pattern=r"^[^\s/\\]+$")]


class ListedCalendar(BaseModel):
    """One entry of the host's calendar list, as Google answers it (summary shown, never stored)."""

    model_config = ConfigDict(frozen=True)

    id: str
    summary: str
    primary: bool = False
    owned: bool = False  # accessRole "owner": Kaleno may write booking events there (calendar.events.owned)


class CalendarChoice(BaseModel):
    """The host's choice as stored. `event_calendars` remembers every calendar booking events were ever
    written to (the write calendar's history), so changes the host makes there in Google keep being seen."""

    model_config = ConfigDict(frozen=True)

    conflict: tuple[str, ...] = (PRIMARY,)
    write: str = PRIMARY
    event_calendars: tuple[str, ...] = (PRIMARY,)

    @property
    def watched(self) -> tuple[str, ...]:
        """Calendars with a watch channel: every conflict calendar (its busy times) and the write calendar
        (the host editing a booking's event there), each once."""
        return self.conflict if self.write in self.conflict else (*self.conflict, self.write)


class CalendarChoiceRequest(BaseModel):
    """PUT /hosts/me/calendars: ids as `GET /hosts/me/calendars` lists them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    conflict: list[CalendarId] = Field(
        max_length=MAX_CONFLICT_CALENDARS,
        description="Calendars whose busy times block slots (none: only Kaleno's own bookings do).",
    )
    write: CalendarId = Field(description="The calendar new bookings are written to: one the host owns.")


def choose_calendars(
    current: CalendarChoice, listed: list[ListedCalendar], wanted: CalendarChoiceRequest
) -> CalendarChoice:
    """Check the request against the host's calendar list and return the new choice (stored with `primary`
    for the primary calendar, duplicates dropped); every unusable id is named in one error."""
    by_id = {calendar.id: calendar for calendar in listed}
    problems: list[FieldProblem] = []

    def stored_id(calendar_id: str, field: str) -> str | None:
        if calendar_id == PRIMARY:
            return PRIMARY
        calendar = by_id.get(calendar_id)
        if calendar is None:
            problems.append(FieldProblem(field, "calendar-unknown"))
            return None
        return PRIMARY if calendar.primary else calendar.id

    conflict: list[str] = []
    for index, calendar_id in enumerate(wanted.conflict):
        found = stored_id(calendar_id, f"conflict.{index}")
        if found is not None and found not in conflict:
            conflict.append(found)
    write = stored_id(wanted.write, "write")
    if write is not None and write != PRIMARY and not by_id[wanted.write].owned:
        problems.append(FieldProblem("write", "calendar-not-owned"))
    if problems or write is None:
        raise InvalidCalendarChoice(problems)
    written = current.event_calendars if write in current.event_calendars else (*current.event_calendars, write)
    return CalendarChoice(conflict=tuple(conflict), write=write, event_calendars=written)
