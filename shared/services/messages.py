"""What Kaleno's own mail says: one HTML part (a card: the facts, then buttons) and its plain-text twin,
both rendered from one `Letter` by the Jinja2 templates in shared/templates/mail/ (HTML autoescaped, its CSS
inlined by css-inline, as mail clients drop <style> blocks).

Each message holds what its reader needs and nothing more: the invitee gets their time (in their zone),
the place, buttons to join, reschedule or cancel (their own manage link) and an .ics; the host gets the
time (in their zone), who booked and the answers. Links are buttons in the HTML, never raw URLs as text.
Subjects are one line (shared/domain/text.py) and become a header only through shared/adapters/smtp_mail.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from shared.domain.booking import Booking, BookingChange, BookingStatus
from shared.domain.booking_form import LocationKind
from shared.domain.host import Host
from shared.domain.policy import PolicyVersion
from shared.domain.text import as_one_line
from shared.services.records import Attachment, OutgoingMail

MESSAGE_DOMAIN = "kaleno.app"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "mail"
FOOTER = "Sent by Kaleno, the booking service."


@dataclass(frozen=True)
class Recipients:
    """Who is told, and the links they need (the manage link is the invitee's alone)."""

    host_name: str
    host_email: str
    host_zone: str
    manage_link: str
    dashboard_link: str


@dataclass(frozen=True)
class Envelope:
    """Who a message goes to, its one-line subject, its id and its attachments: what is not the letter."""

    to: str
    subject: str
    message_id: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Button:
    label: str
    url: str


@dataclass(frozen=True)
class Letter:
    """A message's content: a heading, a few sentences, the facts, the buttons (the first is the main
    one), small print, and the footer."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    buttons: tuple[Button, ...] = ()
    notes: tuple[str, ...] = ()
    footer: str = FOOTER


def message_id(*parts: object) -> str:
    """Derived from what the message announces: a resent message has the same id."""
    return f"<{'.'.join(str(part) for part in parts)}@{MESSAGE_DOMAIN}>"


def when(booking: Booking, zone: str) -> str:
    """ "Tuesday, 1 December 2026, 10:00–10:30 (Europe/Lisbon)" in the reader's zone."""
    tz = ZoneInfo(zone)
    start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
    return f"{start:%A, %-d %B %Y, %H:%M}–{end:%H:%M} ({zone})"


def with_action(manage_link: str, action: str) -> str:
    """The manage link opening one step (reschedule, cancel): the action goes before the #token fragment,
    which never leaves the browser."""
    base, hash_mark, fragment = manage_link.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}action={action}{hash_mark}{fragment}"


def invitee_notice(booking: Booking, people: Recipients, ics: bytes) -> OutgoingMail:
    """Confirmation, new time, or cancellation, for the invitee."""
    title, host, zone = booking.event_title, people.host_name, booking.invitee.time_zone
    if booking.change is BookingChange.CANCELLED:
        subject = f"Cancelled: {title} with {host}"
        letter = Letter(
            heading="Your booking is cancelled",
            paragraphs=("This meeting will not take place. You are welcome to book another time.",),
            facts=(Fact("What", f"{title} with {host}"), Fact("When", when(booking, zone)), *_reason(booking)),
            buttons=(Button("Book another time", people.manage_link),),
        )
    elif booking.change is BookingChange.REASSIGNED:
        subject = f"New host: {title} with {host}, {when(booking, zone)}"
        letter = Letter(
            heading="Your booking is now with another host",
            paragraphs=(f"Same time, same meeting: {host} will meet you instead.",),
            facts=_facts(booking, host, zone),
            buttons=(*_join(booking), *_manage(people)),
            notes=("The attached file updates it in your calendar.",),
        )
    else:
        created = booking.change is BookingChange.CREATED
        subject = f"{'Confirmed' if created else 'New time'}: {title} with {host}, {when(booking, zone)}"
        letter = Letter(
            heading="Your booking is confirmed" if created else "Your booking has a new time",
            facts=_facts(booking, host, zone),
            buttons=(*_join(booking), *_manage(people)),
            notes=("The attached file adds it to your calendar.",),
        )
    invite = Attachment(filename="invite.ics", content_type="text/calendar; method=PUBLISH", data=ics)
    key = message_id(booking.id, booking.version, "invitee")
    return compose(Envelope(booking.invitee.email, subject, key, (invite,)), letter)


def host_notice(booking: Booking, people: Recipients) -> OutgoingMail:
    """New booking, new time, or cancellation, for the host (with who booked and their answers)."""
    title, invitee, zone = booking.event_title, booking.invitee, people.host_zone
    change = BookingChange.REASSIGNED if booking.previous_host_id else booking.change  # new to this host
    kind = {
        BookingChange.CREATED: "New booking",
        BookingChange.RESCHEDULED: "Rescheduled",
        BookingChange.REASSIGNED: "Assigned to you",
    }.get(change, "Cancelled")
    cancelled = booking.change is BookingChange.CANCELLED
    facts = [*_facts(booking, invitee.name, zone), Fact("Invitee", invitee.name), Fact("Email", invitee.email)]
    facts += [Fact(answer.label, answer.text()) for answer in booking.answers]
    facts += [Fact("Note", booking.notes)] if booking.notes else []
    facts += _reason(booking) if cancelled else []
    heading = {
        BookingChange.CREATED: "You have a new booking",
        BookingChange.RESCHEDULED: "A booking has a new time",
        BookingChange.REASSIGNED: "A team booking was handed to you",
    }
    letter = Letter(
        heading=heading.get(change, "A booking is cancelled"),
        facts=tuple(facts),
        buttons=(*(() if cancelled else _join(booking)), Button("Your bookings", people.dashboard_link)),
    )
    subject = f"{kind}: {title} with {invitee.name}, {when(booking, zone)}"
    return compose(Envelope(people.host_email, subject, message_id(booking.id, booking.version, "host")), letter)


def handed_on_notice(booking: Booking, previous: Recipients, new_host_name: str) -> OutgoingMail:
    """For the member a team booking was taken from: it is no longer theirs (its event leaves their calendar)."""
    title, invitee, zone = booking.event_title, booking.invitee, previous.host_zone
    letter = Letter(
        heading="A team booking was handed to someone else",
        paragraphs=(f"{new_host_name} now meets {invitee.name} at this time; it leaves your calendar.",),
        facts=(*_facts(booking, invitee.name, zone), Fact("Now with", new_host_name)),
        buttons=(Button("Your bookings", previous.dashboard_link),),
    )
    subject = f"Handed on: {title} with {invitee.name}, {when(booking, zone)}"
    key = message_id(booking.id, booking.version, "previous-host")
    return compose(Envelope(previous.host_email, subject, key), letter)


def reminder(booking: Booking, people: Recipients) -> OutgoingMail:
    title, host, zone = booking.event_title, people.host_name, booking.invitee.time_zone
    subject = f"Reminder: {title} with {host}, {when(booking, zone)}"
    letter = Letter(
        heading="Your booking is coming up",
        facts=_facts(booking, host, zone),
        buttons=(*_join(booking), *_manage(people)),
    )
    start = int(booking.start.timestamp())
    return compose(Envelope(booking.invitee.email, subject, message_id(booking.id, start, "reminder")), letter)


def connection_alert(host: Host, reason: str, incident: str, reconnect_link: str) -> OutgoingMail:
    """The host's calendar stopped working for Kaleno: what it means and the one link that fixes it."""
    why = {
        "google_access_revoked": "Google no longer lets Kaleno use your calendar (the access was removed).",
        "sync_failing": "Kaleno has repeatedly failed to write bookings to your calendar.",
    }.get(reason, "Kaleno can no longer reach your calendar.")
    letter = Letter(
        heading="Reconnect your calendar",
        paragraphs=(
            why,
            "Until you reconnect, invitees cannot see your free times and new bookings may not reach your calendar.",
        ),
        buttons=(Button("Reconnect", reconnect_link),),
    )
    subject = "Action needed: reconnect your calendar to Kaleno"
    return compose(Envelope(host.email, subject, message_id(host.id, incident)), letter)


def mail_failed_alert(booking: Booking, people: Recipients) -> OutgoingMail:
    """The relay refused the invitee's notice for good: the host hears it once, with who to contact."""
    invitee, zone = booking.invitee, people.host_zone
    what = {
        BookingChange.CANCELLED: "cancellation",
        BookingChange.RESCHEDULED: "new time",
        BookingChange.REASSIGNED: "new host",
    }.get(booking.change, "confirmation")
    letter = Letter(
        heading=f"Your invitee did not get their {what}",
        paragraphs=(
            f"The mail service refused the {what} we sent to {invitee.name}, so they have not been told by mail.",
            "Please contact them yourself; the booking itself is unchanged.",
        ),
        facts=(*_facts(booking, invitee.name, zone), Fact("Invitee", invitee.name), Fact("Email", invitee.email)),
        buttons=(Button("Your bookings", people.dashboard_link),),
    )
    subject = f"Action needed: {invitee.name} did not get the {what} for {booking.event_title}"
    key = message_id(booking.id, booking.version, "mail-failed")
    return compose(Envelope(people.host_email, subject, key), letter)


def _facts(booking: Booking, other: str, zone: str) -> tuple[Fact, ...]:
    """What, when (in the reader's zone) and where: a link to join is a button, never text."""
    place = booking.meeting_place
    if place and _join(booking):
        place = "Google Meet" if _is_meet(booking) else "Online (use the Join button)"
    where = (Fact("Where", place),) if place else ()
    return (Fact("What", f"{booking.event_title} with {other}"), Fact("When", when(booking, zone)), *where)


def _is_meet(booking: Booking) -> bool:
    return booking.location is not None and booking.location.kind is LocationKind.GOOGLE_MEET


def _join(booking: Booking) -> tuple[Button, ...]:
    """The meeting's own link (a Meet once Google made it, or the host's video link)."""
    location = booking.location
    link = booking.meeting_url or (location.value if location and location.kind is LocationKind.LINK else None)
    return (Button("Join", link),) if link else ()


def _manage(people: Recipients) -> tuple[Button, ...]:
    link = people.manage_link
    return Button("Reschedule", with_action(link, "reschedule")), Button("Cancel", with_action(link, "cancel"))


def _reason(booking: Booking) -> list[Fact]:
    by_host = booking.status is BookingStatus.CANCELLED_BY_HOST
    facts = [Fact("Cancelled", "The host removed it from their calendar.")] if by_host else []
    return facts + ([Fact("Reason", booking.cancel_reason)] if booking.cancel_reason else [])


def compose(envelope: Envelope, letter: Letter) -> OutgoingMail:
    """One message from a letter: the HTML card (CSS inlined) and its plain-text twin."""
    subject = as_one_line(envelope.subject)  # text stored before names were checked may still hold a line break
    html = _inliner().inline(_template("message.html").render(subject=subject, letter=letter))
    text = _template("message.txt").render(subject=subject, letter=letter)
    return OutgoingMail(
        to=envelope.to,
        subject=subject,
        text=text,
        html=html,
        message_id=envelope.message_id,
        attachments=envelope.attachments,
    )


def _mail(envelope: Envelope, lines: list[str]) -> OutgoingMail:
    """The simple way to a message (its subject the heading): each line a sentence, and a line
    "Label: https://…" a button."""
    paragraphs, buttons = [], []
    for line in lines:
        label, sep, url = line.rpartition(": ")
        if sep and url.startswith(("https://", "http://")) and " " not in url:
            buttons.append(Button(label, url))
        else:
            paragraphs.append(line)
    letter = Letter(heading=envelope.subject, paragraphs=tuple(paragraphs), buttons=tuple(buttons))
    return compose(envelope, letter)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),  # the .txt twin is plain text: nothing to escape
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template(name: str) -> Template:
    return _environment().get_template(name)


@cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(load_remote_stylesheets=False)


def closure_notice(booking: Booking, host_name: str, ics: bytes) -> OutgoingMail:
    """A booking cancelled because its host closed their account or can no longer take bookings: why, and
    an .ics (METHOD:CANCEL, the booking's own UID) that removes it from the invitee's calendar."""
    title, zone = booking.event_title, booking.invitee.time_zone
    why = {
        "account_closed": f"{host_name} closed their Kaleno account, so this meeting will not take place.",
        "host_disconnected": f"{host_name} can no longer take bookings through Kaleno, so this meeting will not "
        "take place.",
    }[booking.closure or "account_closed"]
    lines = [
        f"Your {title} with {host_name} on {when(booking, zone)} is cancelled.",
        why,
        "The attached file removes it from your calendar.",
    ]
    cancel = Attachment(filename="cancel.ics", content_type="text/calendar; method=CANCEL", data=ics)
    key = message_id(booking.id, booking.version, "closure")
    return _mail(Envelope(booking.invitee.email, f"Cancelled: {title} with {host_name}", key, (cancel,)), lines)


def address_proof(email: str, link: str, proof_id: str) -> OutgoingMail:
    """The one-time link that proves its reader receives mail at `email` (rights over all its bookings)."""
    lines = [
        "Someone asked to see or manage everything Kaleno holds about this email address: its bookings with "
        "every host.",
        "If it was you, open this link within 30 minutes. It works once. If it was not you, ignore this mail: "
        "nothing happens without the link.",
        f"Your privacy rights: {link}",
    ]
    return _mail(Envelope(email, "Your Kaleno privacy link", message_id("address-proof", proof_id)), lines)


@dataclass(frozen=True)
class TeamInvite:
    """Who is asked to join which team, by whom, and the link that accepts (it works once)."""

    email: str
    team_name: str
    inviter_name: str
    invitation_id: str


def team_invitation(invite: TeamInvite, link: str) -> OutgoingMail:
    """A host asked another person to join their team on Kaleno."""
    lines = [
        f"{invite.inviter_name} invited you to join the team {invite.team_name} on Kaleno.",
        "Open the link within 7 days, signed in with this address's Google account and with your calendar "
        "connected. It works once. If you do not want to join, ignore this mail.",
        f"Join the team: {link}",
    ]
    key = message_id("team-invitation", invite.invitation_id)
    return _mail(Envelope(invite.email, f"Join {invite.team_name} on Kaleno", key), lines)


@dataclass(frozen=True)
class MemberDisconnected:
    """An admin or owner of `team_name` is told that one member's calendar is no longer connected."""

    email: str
    recipient_id: str
    team_id: str
    team_name: str
    member_name: str
    incident: str  # the member's access incident, so a resent message has the same id


def member_disconnected(notice: MemberDisconnected, dashboard_link: str) -> OutgoingMail:
    """A team member's calendar stopped working for Kaleno: what the team's pages do meanwhile."""
    lines = [
        f"{notice.member_name}'s calendar is no longer connected to Kaleno.",
        f"Until they connect it again, {notice.team_name}'s event types leave them out: invitees are not offered "
        "their times and no new booking goes to them.",
        f"Open your dashboard: {dashboard_link}",
    ]
    key = message_id("team-member-disconnected", notice.team_id, notice.incident, notice.recipient_id)
    subject = f"{notice.member_name}'s calendar is no longer connected ({notice.team_name})"
    return _mail(Envelope(notice.email, subject, key), lines)


def policy_notice(host: Host, policy: PolicyVersion, policy_link: str) -> OutgoingMail:
    """A significant change to the privacy policy, told to a host once per version."""
    lines = [
        f"Kaleno's privacy policy changed on {policy.version}.",
        *([policy.changes] if policy.changes else []),
        "It applies to you as a host and to the invitees who book with you.",
        f"Read the policy: {policy_link}",
    ]
    key = message_id(host.id, "policy", policy.version)
    return _mail(Envelope(host.email, "Kaleno's privacy policy has changed", key), lines)
