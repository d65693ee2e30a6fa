"""The Google Calendar v3 resources Kaleno sends and reads, as TypedDicts: only the fields it uses.

Google's client library builds its methods from the discovery document at run time and answers untyped
JSON; these name what we put in a request and what we look at in an answer (total=False: Google leaves out
what a `fields` mask or a deleted event does not carry).
https://developers.google.com/calendar/api/v3/reference
"""

from __future__ import annotations

from typing import TypedDict


class EventTime(TypedDict, total=False):
    dateTime: str  # RFC 3339
    timeZone: str


class Attendee(TypedDict, total=False):
    email: str
    displayName: str
    self: bool  # this attendee is the calendar's owner: the host
    responseStatus: str


class ConferenceSolutionKey(TypedDict):
    type: str


class ConferenceRequestStatus(TypedDict, total=False):
    statusCode: str  # "pending", "success", "failure"


class CreateConferenceRequest(TypedDict, total=False):
    requestId: str
    conferenceSolutionKey: ConferenceSolutionKey
    status: ConferenceRequestStatus


class ConferenceData(TypedDict, total=False):
    createRequest: CreateConferenceRequest


class ExtendedProperties(TypedDict, total=False):
    private: dict[str, str]


class Reminders(TypedDict):
    useDefault: bool


class Event(TypedDict, total=False):
    """One of our own events, as written (insert, patch) and as read back (`_OUR_FIELDS`)."""

    id: str
    status: str  # "confirmed", "cancelled"
    summary: str
    description: str
    location: str
    start: EventTime
    end: EventTime
    attendees: list[Attendee]
    extendedProperties: ExtendedProperties
    transparency: str
    guestsCanModify: bool
    guestsCanSeeOtherGuests: bool
    guestsCanInviteOthers: bool
    reminders: Reminders
    conferenceData: ConferenceData
    hangoutLink: str


class Events(TypedDict, total=False):
    """A page of events.list (ours only, by private marker), or just the calendar's zone."""

    items: list[Event]
    nextPageToken: str
    timeZone: str


class CalendarListEntry(TypedDict, total=False):
    id: str
    summary: str
    primary: bool
    accessRole: str  # "owner", "writer", "reader", "freeBusyReader"


class CalendarList(TypedDict, total=False):
    items: list[CalendarListEntry]
    nextPageToken: str


class WatchChannel(TypedDict, total=False):
    """A push channel: what events.watch is asked for and answers (and channels.stop is given)."""

    id: str
    type: str
    address: str
    token: str
    expiration: int | str  # milliseconds since the epoch: sent as a number, answered as a string
    resourceId: str


class CalendarId(TypedDict):
    id: str


class FreeBusyRequest(TypedDict):
    timeMin: str
    timeMax: str
    items: list[CalendarId]


class TimePeriod(TypedDict):
    start: str
    end: str


class FreeBusyError(TypedDict, total=False):
    domain: str
    reason: str  # "notFound", "internalError", ...


class FreeBusyCalendar(TypedDict, total=False):
    busy: list[TimePeriod]
    errors: list[FreeBusyError]


class FreeBusy(TypedDict, total=False):
    calendars: dict[str, FreeBusyCalendar]
