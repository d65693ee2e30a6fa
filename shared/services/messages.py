"""What Kaleno's own mail says: one HTML part (a card: the facts, then buttons) and its plain-text twin,
both rendered from one `Letter` by the Jinja2 templates in shared/templates/mail/ (HTML autoescaped, its CSS
inlined by css-inline, as mail clients drop <style> blocks).

Each message holds what its reader needs and nothing more: the invitee gets their time (in their zone),
the place, buttons to join, reschedule or cancel (their own manage link) and an .ics; the host gets the
time (in their zone), who booked and the answers. Links are buttons in the HTML, never raw URLs as text.
Subjects are one line (shared/domain/text.py) and become a header only through shared/adapters/smtp_mail.py.

Each message is in its reader's language (the `messages` catalogue, shared/i18n.py): the invitee's is the
booking's `locale` (their browser's when they booked), a host's their `locale`, an invited address the inviting
host's, an address proof the request's. Dates, times and lists are Babel's, in that language and the reader's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import css_inline
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from shared.domain.address_proof import PROOF_TTL
from shared.domain.booking import Booking, BookingChange, BookingStatus
from shared.domain.booking_form import LocationKind
from shared.domain.host import Host
from shared.domain.language import DEFAULT_LANGUAGE, N_, Language
from shared.domain.policy import PolicyVersion
from shared.domain.team import INVITATION_TTL
from shared.domain.text import as_one_line
from shared.i18n import BABEL_LOCALES, translations
from shared.services.records import Attachment, OutgoingMail

MESSAGE_DOMAIN = "kaleno.app"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "mail"
FOOTER = N_("Sent by Kaleno, the booking service.")
Words = Callable[[str], str]  # a language's gettext


@dataclass(frozen=True)
class Recipients:
    """Who is told, and the links they need (the manage link is the invitee's alone)."""

    host_name: str
    host_email: str
    host_zone: str
    manage_link: str
    dashboard_link: str
    host_language: Language = DEFAULT_LANGUAGE  # the language of the host's notices (`Host.locale`)


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
    one) and small print; `compose` adds the footer, in the letter's language."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    buttons: tuple[Button, ...] = ()
    notes: tuple[str, ...] = ()
    language: Language = DEFAULT_LANGUAGE


def words(language: Language) -> Words:
    """The gettext of a language's `messages` catalogue: `_ = words(language)`, then `_("English text")`."""
    return translations(language, "messages").gettext


def message_id(*parts: object) -> str:
    """Derived from what the message announces: a resent message has the same id."""
    return f"<{'.'.join(str(part) for part in parts)}@{MESSAGE_DOMAIN}>"


def when(booking: Booking, zone: str, language: Language = DEFAULT_LANGUAGE) -> str:
    """ "Tuesday, 1 December 2026, 10:00–10:30 (Europe/Lisbon)", "Selasa, 1 Desember 2026, 10.00–10.30
    (Asia/Jakarta)": in the reader's zone and language (Babel's names of days and months, and its clock)."""
    tz = ZoneInfo(zone)
    start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
    return f"{day(start.date(), language)}, {clock(start, language)}–{clock(end, language)} ({zone})"


def day(value: date, language: Language) -> str:
    """ "Monday, 7 December 2026", "Senin, 7 Desember 2026"."""
    return format_date(value, "EEEE, d MMMM y", locale=BABEL_LOCALES[language])


def clock(value: datetime, language: Language) -> str:
    """A time of day on the 24-hour clock as the language writes it: "09:30", "09.30"."""
    return format_skeleton("Hm", value, locale=BABEL_LOCALES[language])


def together(names: list[str], language: Language) -> str:
    """Names as one phrase: "Ada, Bo and Cy", "Ada, Bo, dan Cy"."""
    return format_list(names, locale=BABEL_LOCALES[language]) if names else ""


def with_action(manage_link: str, action: str) -> str:
    """The manage link opening one step (reschedule, cancel): the action goes before the #token fragment,
    which never leaves the browser."""
    base, hash_mark, fragment = manage_link.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}action={action}{hash_mark}{fragment}"


def invitee_notice(booking: Booking, people: Recipients, ics: bytes) -> OutgoingMail:
    """Confirmation, new time, or cancellation, for the invitee, in their language."""
    title, host, zone, language = booking.event_title, people.host_name, booking.invitee.time_zone, booking.locale
    _ = words(language)
    at = when(booking, zone, language)
    if booking.change is BookingChange.CANCELLED:
        subject = _("Cancelled: {title} with {host}").format(title=title, host=host)
        letter = Letter(
            heading=_("Your booking is cancelled"),
            paragraphs=(_("This meeting will not take place. You are welcome to book another time."),),
            facts=(
                Fact(_("What"), _("{title} with {other}").format(title=title, other=host)),
                Fact(_("When"), at),
                *_reason(booking, _),
            ),
            buttons=(Button(_("Book another time"), people.manage_link),),
            language=language,
        )
    elif booking.change is BookingChange.REASSIGNED:
        subject = _("New host: {title} with {host}, {when}").format(title=title, host=host, when=at)
        letter = Letter(
            heading=_("Your booking is now with another host"),
            paragraphs=(_("Same time, same meeting: {host} will meet you instead.").format(host=host),),
            facts=_facts(booking, host, zone, language),
            buttons=(*_join(booking, _), *_manage(people, _)),
            notes=(_("The attached file updates it in your calendar."),),
            language=language,
        )
    else:
        created = booking.change is BookingChange.CREATED
        if created:
            subject = _("Confirmed: {title} with {host}, {when}").format(title=title, host=host, when=at)
        else:
            subject = _("New time: {title} with {host}, {when}").format(title=title, host=host, when=at)
        letter = Letter(
            heading=_("Your booking is confirmed") if created else _("Your booking has a new time"),
            facts=_facts(booking, host, zone, language),
            buttons=(*_join(booking, _), *_manage(people, _)),
            notes=(_("The attached file adds it to your calendar."),),
            language=language,
        )
    invite = Attachment(filename="invite.ics", content_type="text/calendar; method=PUBLISH", data=ics)
    key = message_id(booking.id, booking.version, "invitee")
    return compose(Envelope(booking.invitee.email, subject, key, (invite,)), letter)


def host_notice(booking: Booking, people: Recipients) -> OutgoingMail:
    """New booking, new time, or cancellation, for the host (with who booked and their answers), in the host's
    language."""
    title, invitee, zone, language = booking.event_title, booking.invitee, people.host_zone, people.host_language
    _ = words(language)
    change = BookingChange.REASSIGNED if booking.previous_host_id else booking.change  # new to this host
    at = when(booking, zone, language)
    subjects = {
        BookingChange.CREATED: _("New booking: {title} with {invitee}, {when}"),
        BookingChange.RESCHEDULED: _("Rescheduled: {title} with {invitee}, {when}"),
        BookingChange.REASSIGNED: _("Assigned to you: {title} with {invitee}, {when}"),
    }
    subject = subjects.get(change, _("Cancelled: {title} with {invitee}, {when}"))
    cancelled = booking.change is BookingChange.CANCELLED
    facts = [
        *_facts(booking, invitee.name, zone, language),
        Fact(_("Invitee"), invitee.name),
        Fact(_("Email"), invitee.email),
    ]
    facts += [Fact(answer.label, answer.text()) for answer in booking.answers]
    facts += [Fact(_("Note"), booking.notes)] if booking.notes else []
    facts += _reason(booking, _) if cancelled else []
    heading = {
        BookingChange.CREATED: _("You have a new booking"),
        BookingChange.RESCHEDULED: _("A booking has a new time"),
        BookingChange.REASSIGNED: _("A team booking was handed to you"),
    }
    letter = Letter(
        heading=heading.get(change, _("A booking is cancelled")),
        facts=tuple(facts),
        buttons=(*(() if cancelled else _join(booking, _)), Button(_("Your bookings"), people.dashboard_link)),
        language=language,
    )
    subject = subject.format(title=title, invitee=invitee.name, when=at)
    return compose(Envelope(people.host_email, subject, message_id(booking.id, booking.version, "host")), letter)


def handed_on_notice(booking: Booking, previous: Recipients, new_host_name: str) -> OutgoingMail:
    """For the member a team booking was taken from: it is no longer theirs (its event leaves their calendar)."""
    title, invitee, zone, language = booking.event_title, booking.invitee, previous.host_zone, previous.host_language
    _ = words(language)
    letter = Letter(
        heading=_("A team booking was handed to someone else"),
        paragraphs=(
            _("{host} now meets {invitee} at this time; it leaves your calendar.").format(
                host=new_host_name, invitee=invitee.name
            ),
        ),
        facts=(*_facts(booking, invitee.name, zone, language), Fact(_("Now with"), new_host_name)),
        buttons=(Button(_("Your bookings"), previous.dashboard_link),),
        language=language,
    )
    subject = _("Handed on: {title} with {invitee}, {when}").format(
        title=title, invitee=invitee.name, when=when(booking, zone, language)
    )
    key = message_id(booking.id, booking.version, "previous-host")
    return compose(Envelope(previous.host_email, subject, key), letter)


def reminder(booking: Booking, people: Recipients) -> OutgoingMail:
    title, host, zone, language = booking.event_title, people.host_name, booking.invitee.time_zone, booking.locale
    _ = words(language)
    subject = _("Reminder: {title} with {host}, {when}").format(
        title=title, host=host, when=when(booking, zone, language)
    )
    letter = Letter(
        heading=_("Your booking is coming up"),
        facts=_facts(booking, host, zone, language),
        buttons=(*_join(booking, _), *_manage(people, _)),
        language=language,
    )
    start = int(booking.start.timestamp())
    return compose(Envelope(booking.invitee.email, subject, message_id(booking.id, start, "reminder")), letter)


def connection_alert(host: Host, reason: str, incident: str, reconnect_link: str) -> OutgoingMail:
    """The host's calendar stopped working for Kaleno: what it means and the one link that fixes it."""
    _ = words(host.locale)
    why = {
        "google_access_revoked": _("Google no longer lets Kaleno use your calendar (the access was removed)."),
        "sync_failing": _("Kaleno has repeatedly failed to write bookings to your calendar."),
    }.get(reason, _("Kaleno can no longer reach your calendar."))
    letter = Letter(
        heading=_("Reconnect your calendar"),
        paragraphs=(
            why,
            _("Until you reconnect, invitees cannot see your free times and new bookings may not reach your calendar."),
        ),
        buttons=(Button(_("Reconnect"), reconnect_link),),
        language=host.locale,
    )
    subject = _("Action needed: reconnect your calendar to Kaleno")
    return compose(Envelope(host.email, subject, message_id(host.id, incident)), letter)


def mail_failed_alert(booking: Booking, people: Recipients) -> OutgoingMail:
    """The relay refused the invitee's notice for good: the host hears it once, with who to contact."""
    invitee, zone, language = booking.invitee, people.host_zone, people.host_language
    _ = words(language)
    what = {
        BookingChange.CANCELLED: _("cancellation"),
        BookingChange.RESCHEDULED: _("new time"),
        BookingChange.REASSIGNED: _("new host"),
    }.get(booking.change, _("confirmation"))
    letter = Letter(
        heading=_("Your invitee did not get their {what}").format(what=what),
        paragraphs=(
            _("The mail service refused the {what} we sent to {invitee}, so they have not been told by mail.").format(
                what=what, invitee=invitee.name
            ),
            _("Please contact them yourself; the booking itself is unchanged."),
        ),
        facts=(
            *_facts(booking, invitee.name, zone, language),
            Fact(_("Invitee"), invitee.name),
            Fact(_("Email"), invitee.email),
        ),
        buttons=(Button(_("Your bookings"), people.dashboard_link),),
        language=language,
    )
    subject = _("Action needed: {invitee} did not get the {what} for {title}").format(
        invitee=invitee.name, what=what, title=booking.event_title
    )
    key = message_id(booking.id, booking.version, "mail-failed")
    return compose(Envelope(people.host_email, subject, key), letter)


def _facts(booking: Booking, other: str, zone: str, language: Language) -> tuple[Fact, ...]:
    """What, when (in the reader's zone) and where: a link to join is a button, never text."""
    _ = words(language)
    place = booking.meeting_place
    if place and _join(booking, _):
        place = "Google Meet" if _is_meet(booking) else _("Online (use the Join button)")
    where = (Fact(_("Where"), place),) if place else ()
    what = _("{title} with {other}").format(title=booking.event_title, other=other)
    return (Fact(_("What"), what), Fact(_("When"), when(booking, zone, language)), *where)


def _is_meet(booking: Booking) -> bool:
    return booking.location is not None and booking.location.kind is LocationKind.GOOGLE_MEET


def _join(booking: Booking, _: Words) -> tuple[Button, ...]:
    """The meeting's own link (a Meet once Google made it, or the host's video link)."""
    location = booking.location
    link = booking.meeting_url or (location.value if location and location.kind is LocationKind.LINK else None)
    return (Button(_("Join"), link),) if link else ()


def _manage(people: Recipients, _: Words) -> tuple[Button, ...]:
    link = people.manage_link
    return (
        Button(_("Reschedule"), with_action(link, "reschedule")),
        Button(_("Cancel"), with_action(link, "cancel")),
    )


def _reason(booking: Booking, _: Words) -> list[Fact]:
    by_host = booking.status is BookingStatus.CANCELLED_BY_HOST
    facts = [Fact(_("Cancelled"), _("The host removed it from their calendar."))] if by_host else []
    return facts + ([Fact(_("Reason"), booking.cancel_reason)] if booking.cancel_reason else [])


def compose(envelope: Envelope, letter: Letter) -> OutgoingMail:
    """One message from a letter: the HTML card (CSS inlined) and its plain-text twin, in the letter's language."""
    subject = as_one_line(envelope.subject)  # text stored before names were checked may still hold a line break
    context = {"subject": subject, "letter": letter, "lang": letter.language, "footer": words(letter.language)(FOOTER)}
    html = _inliner().inline(_template("message.html").render(context))
    text = _template("message.txt").render(context)
    return OutgoingMail(
        to=envelope.to,
        subject=subject,
        text=text,
        html=html,
        message_id=envelope.message_id,
        attachments=envelope.attachments,
    )


def _mail(envelope: Envelope, paragraphs: list[str], buttons: list[Button], language: Language) -> OutgoingMail:
    """The simple way to a message: its subject the heading, then sentences and buttons."""
    letter = Letter(envelope.subject, tuple(paragraphs), buttons=tuple(buttons), language=language)
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
    title, zone, language = booking.event_title, booking.invitee.time_zone, booking.locale
    _ = words(language)
    why = {
        "account_closed": _("{host} closed their Kaleno account, so this meeting will not take place."),
        "host_disconnected": _(
            "{host} can no longer take bookings through Kaleno, so this meeting will not take place."
        ),
    }[booking.closure or "account_closed"]
    lines = [
        _("Your {title} with {host} on {when} is cancelled.").format(
            title=title, host=host_name, when=when(booking, zone, language)
        ),
        why.format(host=host_name),
        _("The attached file removes it from your calendar."),
    ]
    cancel = Attachment(filename="cancel.ics", content_type="text/calendar; method=CANCEL", data=ics)
    key = message_id(booking.id, booking.version, "closure")
    subject = _("Cancelled: {title} with {host}").format(title=title, host=host_name)
    return _mail(Envelope(booking.invitee.email, subject, key, (cancel,)), lines, [], language)


def address_proof(email: str, link: str, proof_id: str, language: Language = DEFAULT_LANGUAGE) -> OutgoingMail:
    """The one-time link that proves its reader receives mail at `email` (rights over all its bookings), in the
    language of the request that asked for it."""
    _, minutes = words(language), int(PROOF_TTL / timedelta(minutes=1))
    within = translations(language, "messages").ngettext(
        "If it was you, open this link within {count} minute. It works once. If it was not you, ignore this mail: "
        "nothing happens without the link.",
        "If it was you, open this link within {count} minutes. It works once. If it was not you, ignore this mail: "
        "nothing happens without the link.",
        minutes,
    )
    lines = [
        _(
            "Someone asked to see or manage everything Kaleno holds about this email address: its bookings with "
            "every host."
        ),
        within.format(count=minutes),
    ]
    envelope = Envelope(email, _("Your Kaleno privacy link"), message_id("address-proof", proof_id))
    return _mail(envelope, lines, [Button(_("Your privacy rights"), link)], language)


@dataclass(frozen=True)
class TeamInvite:
    """Who is asked to join which team, by whom, and the link that accepts (it works once); in the inviting
    host's language."""

    email: str
    team_name: str
    inviter_name: str
    invitation_id: str
    language: Language = DEFAULT_LANGUAGE


def team_invitation(invite: TeamInvite, link: str) -> OutgoingMail:
    """A host asked another person to join their team on Kaleno."""
    language = invite.language
    _, days = words(language), INVITATION_TTL.days
    within = translations(language, "messages").ngettext(
        "Open the link within {count} day, signed in with this address's Google account and with your calendar "
        "connected. It works once. If you do not want to join, ignore this mail.",
        "Open the link within {count} days, signed in with this address's Google account and with your calendar "
        "connected. It works once. If you do not want to join, ignore this mail.",
        days,
    )
    lines = [
        _("{inviter} invited you to join the team {team} on Kaleno.").format(
            inviter=invite.inviter_name, team=invite.team_name
        ),
        within.format(count=days),
    ]
    key = message_id("team-invitation", invite.invitation_id)
    subject = _("Join {team} on Kaleno").format(team=invite.team_name)
    return _mail(Envelope(invite.email, subject, key), lines, [Button(_("Join the team"), link)], language)


@dataclass(frozen=True)
class MemberDisconnected:
    """An admin or owner of `team_name` is told that one member's calendar is no longer connected."""

    email: str
    recipient_id: str
    team_id: str
    team_name: str
    member_name: str
    incident: str  # the member's access incident, so a resent message has the same id
    language: Language = DEFAULT_LANGUAGE  # the recipient's


def member_disconnected(notice: MemberDisconnected, dashboard_link: str) -> OutgoingMail:
    """A team member's calendar stopped working for Kaleno: what the team's pages do meanwhile."""
    _, member, team = words(notice.language), notice.member_name, notice.team_name
    lines = [
        _("{member}'s calendar is no longer connected to Kaleno.").format(member=member),
        _(
            "Until they connect it again, {team}'s event types leave them out: invitees are not offered "
            "their times and no new booking goes to them."
        ).format(team=team),
    ]
    key = message_id("team-member-disconnected", notice.team_id, notice.incident, notice.recipient_id)
    subject = _("{member}'s calendar is no longer connected ({team})").format(member=member, team=team)
    buttons = [Button(_("Open your dashboard"), dashboard_link)]
    return _mail(Envelope(notice.email, subject, key), lines, buttons, notice.language)


def policy_notice(host: Host, policy: PolicyVersion, policy_link: str) -> OutgoingMail:
    """A significant change to the privacy policy, told to a host once per version, in their language."""
    _ = words(host.locale)
    lines = [
        _("Kaleno's privacy policy changed on {date} (version {version}).").format(
            date=day(policy.published, host.locale),
            version=policy.version,  # the version the policy page shows
        ),
        *([_(policy.changes)] if policy.changes else []),
        _("It applies to you as a host and to the invitees who book with you."),
    ]
    key = message_id(host.id, "policy", policy.version)
    envelope = Envelope(host.email, _("Kaleno's privacy policy has changed"), key)
    return _mail(envelope, lines, [Button(_("Read the policy"), policy_link)], host.locale)
