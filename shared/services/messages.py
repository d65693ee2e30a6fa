"""What Kaleno's own mail says: one plain-text and one HTML part per message, built from the booking.

Each message holds what its reader needs and nothing more: the invitee gets their time (in their zone),
the place, their own manage link and an .ics; the host gets the time (in their zone), who booked and the
answers. Every value is escaped in the HTML part.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from shared.domain.booking import Booking, BookingChange, BookingStatus
from shared.services.records import Attachment, OutgoingMail

MESSAGE_DOMAIN = "kaleno.app"


@dataclass(frozen=True)
class Recipients:
    """Who is told, and the links they need (the manage link is the invitee's alone)."""

    host_name: str
    host_email: str
    host_zone: str
    manage_link: str
    dashboard_link: str


def message_id(*parts: object) -> str:
    """Derived from what the message announces: a resent message has the same id."""
    return f"<{'.'.join(str(part) for part in parts)}@{MESSAGE_DOMAIN}>"


def when(booking: Booking, zone: str) -> str:
    """"Tuesday, 1 December 2026, 10:00–10:30 (Europe/Lisbon)" in the reader's zone."""
    tz = ZoneInfo(zone)
    start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
    return f"{start:%A, %-d %B %Y, %H:%M}–{end:%H:%M} ({zone})"


def invitee_notice(booking: Booking, people: Recipients, ics: bytes) -> OutgoingMail:
    """Confirmation, new time, or cancellation, for the invitee."""
    title, zone = booking.event_title, booking.invitee.time_zone
    if booking.change is BookingChange.CANCELLED:
        subject = f"Cancelled: {title} with {people.host_name}"
        lines = [f"Your {title} with {people.host_name} on {when(booking, zone)} is cancelled."]
        lines += _reason(booking)
        lines += [f"Book another time: {people.manage_link}"]
    else:
        verb = "Confirmed" if booking.change is BookingChange.CREATED else "New time"
        subject = f"{verb}: {title} with {people.host_name}, {when(booking, zone)}"
        lines = [f"{title} with {people.host_name}", f"When: {when(booking, zone)}"]
        lines += _place(booking)
        lines += [f"Reschedule or cancel: {people.manage_link}", "The attached file adds it to your calendar."]
    invite = Attachment(filename="invite.ics", content_type="text/calendar; method=PUBLISH", data=ics)
    return _mail(booking.invitee.email, subject, lines, message_id(booking.id, booking.version, "invitee"), (invite,))


def host_notice(booking: Booking, people: Recipients) -> OutgoingMail:
    """New booking, new time, or cancellation, for the host (with who booked and their answers)."""
    title, invitee = booking.event_title, booking.invitee
    kind = {BookingChange.CREATED: "New booking", BookingChange.RESCHEDULED: "Rescheduled"}.get(
        booking.change, "Cancelled"
    )
    subject = f"{kind}: {title} with {invitee.name}, {when(booking, people.host_zone)}"
    lines = [f"{kind}: {title} with {invitee.name} <{invitee.email}>", f"When: {when(booking, people.host_zone)}"]
    lines += _place(booking)
    lines += [f"{answer.label}: {answer.text()}" for answer in booking.answers]
    lines += [f"Note: {booking.notes}"] if booking.notes else []
    lines += _reason(booking) if booking.change is BookingChange.CANCELLED else []
    lines += [f"Your bookings: {people.dashboard_link}"]
    return _mail(people.host_email, subject, lines, message_id(booking.id, booking.version, "host"))


def reminder(booking: Booking, people: Recipients) -> OutgoingMail:
    zone = booking.invitee.time_zone
    subject = f"Reminder: {booking.event_title} with {people.host_name}, {when(booking, zone)}"
    lines = [f"A reminder of your {booking.event_title} with {people.host_name}", f"When: {when(booking, zone)}"]
    lines += _place(booking)
    lines += [f"Reschedule or cancel: {people.manage_link}"]
    start = int(booking.start.timestamp())
    return _mail(booking.invitee.email, subject, lines, message_id(booking.id, start, "reminder"))


def connection_alert(host_id: str, email: str, reason: str, incident: str, reconnect_link: str) -> OutgoingMail:
    """The host's calendar stopped working for Kaleno: what it means and the one link that fixes it."""
    why = {
        "google_access_revoked": "Google no longer lets Kaleno use your calendar (the access was removed).",
        "sync_failing": "Kaleno has repeatedly failed to write bookings to your calendar.",
    }.get(reason, "Kaleno can no longer reach your calendar.")
    lines = [
        why,
        "Until you reconnect, invitees cannot see your free times and new bookings may not reach your calendar.",
        f"Reconnect: {reconnect_link}",
    ]
    return _mail(email, "Action needed: reconnect your calendar to Kaleno", lines, message_id(host_id, incident))


def _place(booking: Booking) -> list[str]:
    return [f"Where: {booking.meeting_place}"] if booking.meeting_place else []


def _reason(booking: Booking) -> list[str]:
    by_host = booking.status is BookingStatus.CANCELLED_BY_HOST
    lines = ["The host removed it from their calendar."] if by_host else []
    return lines + ([f"Reason: {booking.cancel_reason}"] if booking.cancel_reason else [])


def _mail(
    to: str, subject: str, lines: list[str], key: str, attachments: tuple[Attachment, ...] = ()
) -> OutgoingMail:
    text = "\n\n".join(lines) + "\n\n— Kaleno\n"
    paragraphs = "".join(f"<p>{_linked(line)}</p>" for line in lines)
    body_style = "font-family:sans-serif;overflow-wrap:anywhere"  # a long link wraps on a phone instead of widening
    html = f'<!doctype html><html><body style="{body_style}">{paragraphs}<p>— Kaleno</p></body></html>'
    return OutgoingMail(to=to, subject=subject, text=text, html=html, message_id=key, attachments=attachments)


def _linked(line: str) -> str:
    """A line ending in a link shows it as one; everything else is text, escaped."""
    label, sep, url = line.rpartition(": ")
    if sep and url.startswith(("https://", "http://")) and " " not in url:
        return f'{escape(label)}: <a href="{escape(url)}">{escape(url)}</a>'
    return escape(line)
