"""A booking as an RFC 5545 calendar file, for the invitee's own calendar ("add to calendar")."""

from __future__ import annotations

from datetime import datetime

from shared.domain.booking import Booking


def booking_ics(booking: Booking, host_name: str, manage_link: str, now: datetime) -> bytes:
    """One VEVENT with a stable UID (the Google event's id) and SEQUENCE (the booking's version), so a
    calendar that imports a later file updates the event rather than adding a second one."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Kaleno//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    # The booking's own id, also for a seat in a group session (whose Google event is shared and changes when
    # the seat moves to another session): one invitee's calendar entry, updated by every later file.
    event.add("uid", f"{booking.EVENT_ID_PREFIX}{booking.id}@kaleno.app")
    event.add("dtstamp", now)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("sequence", booking.version)
    event.add("summary", f"{booking.event_title} with {host_name}")
    event.add("description", f"Reschedule or cancel: {manage_link}")
    event.add("url", manage_link)
    if booking.meeting_place:
        event.add("location", booking.meeting_place)
    event.add("status", "CONFIRMED" if booking.holds_time else "CANCELLED")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
