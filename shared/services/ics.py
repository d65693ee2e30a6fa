"""A booking as an RFC 5545 calendar file, for the invitee's own calendar ("add to calendar").

Every file of one booking — the one mailed with each notice, `GET /bookings/{id}/ics`, and the cancellation
mailed when the host closes — carries the same UID, and a SEQUENCE that grows with the booking's version, so
a calendar that imports a later file updates (or removes) the one entry instead of adding a second.
The words Kaleno writes into it (SUMMARY, DESCRIPTION) are in the invitee's language (the booking's `locale`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.domain.booking import Booking
from shared.i18n import translations

IcsMethod = Literal["PUBLISH", "CANCEL"]
# Every file names the same organizer (RFC 5546 asks for one in PUBLISH and CANCEL alike): calendars that
# process a CANCEL match it, with the UID, against the entry an earlier file made.
ORGANIZER = "mailto:bookings@kaleno.app"


def booking_uid(booking: Booking) -> str:
    """The booking's own id, also for a seat in a group session (whose Google event is shared and changes when
    the seat moves to another session): one invitee's calendar entry, updated by every later file."""
    return f"{booking.EVENT_ID_PREFIX}{booking.id}@kaleno.app"


def booking_ics(booking: Booking, host_name: str, manage_link: str | None, now: datetime) -> bytes:
    """One VEVENT with the booking's UID and SEQUENCE (its version), linking to its manage page if given."""
    return _calendar_file(booking, host_name, manage_link, now, "PUBLISH")


def cancellation_ics(booking: Booking, host_name: str, now: datetime) -> bytes:
    """The file that removes the entry (the booking is cancelled, so its version, and SEQUENCE, is higher than
    any file sent before)."""
    return _calendar_file(booking, host_name, None, now, "CANCEL")


def _calendar_file(
    booking: Booking, host_name: str, manage_link: str | None, now: datetime, method: IcsMethod
) -> bytes:
    from icalendar import Calendar, Event, vCalAddress

    calendar = Calendar()
    calendar.add("prodid", "-//Kaleno//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("sequence", booking.version)
    _ = translations(booking.locale, "messages").gettext
    event.add("summary", _("{title} with {other}").format(title=booking.event_title, other=host_name))
    organizer = vCalAddress(ORGANIZER)
    organizer.params["cn"] = host_name
    event.add("organizer", organizer)
    if manage_link:
        event.add("description", _("Reschedule or cancel: {link}").format(link=manage_link))
        event.add("url", manage_link)
    if booking.meeting_place:
        event.add("location", booking.meeting_place)
    event.add("status", "CONFIRMED" if booking.holds_time and method == "PUBLISH" else "CANCELLED")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
