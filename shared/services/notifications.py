"""Kaleno's own mail: booking notices to invitee and host, reminders, and the host's connection alerts.

Everything is sent from Cloud Tasks, so a relay outage only delays mail (the task is retried), and
level-triggered: a task reads the booking as it is when it runs, and the booking records which version
each message was sent for, so a task delivered twice sends once. One confirmation per change reaches the
invitee: with a relay configured, Google is asked not to send its own (Settings.calendar_send_updates).
The booking also keeps where that notice stands (`MailState`: pending, sent, failed, not_sent); a relay that
refuses it for good (5xx) marks it failed and alerts the host once, so a lost confirmation is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.domain.booking import NOTIFIED_CHANGES, Booking, BookingChange, MailState
from shared.domain.host import Host
from shared.logging import log_event
from shared.services import messages, webhooks
from shared.services.changes import change_booking
from shared.services.contention import retried
from shared.services.errors import MailRefused
from shared.services.ics import booking_ics
from shared.services.ports import Links, Mailer, Ports, TaskQueue, UnitOfWork
from shared.services.records import OutgoingMail

QUEUE_FUNCTION = "notifications"
MAX_TASK_DELAY = timedelta(days=29)  # Cloud Tasks schedules at most 30 days ahead: longer waits hop
REMINDER_EARLY = timedelta(minutes=1)  # a reminder task that arrives this early still sends
SYNC_FAILING = "sync-failing"
PREVIOUS_HOST = "previous_host"  # the role of the notice to a reassigned booking's previous holder
MAIL_FAILED = "mail-failed"  # an invitee's notice refused for good: "mail-failed-<booking id>-v<version>"
WEBHOOK_EVENTS = {
    BookingChange.CREATED: "booking.created",
    BookingChange.RESCHEDULED: "booking.rescheduled",
    BookingChange.CANCELLED: "booking.cancelled",
}
# A task for a booking not found yet is retried this often: enqueued alongside the booking's commit, it may
# arrive first (the sync task and the notify task alike).
NOT_YET_STORED_RETRIES = 2


def announce(booking: Booking, tasks: TaskQueue) -> bool:
    """After a committed change: one named task per booking version tells the people involved."""
    if booking.change not in NOTIFIED_CHANGES or booking.mailed.get("invitee", 0) >= booking.version:
        return False
    payload = {"action": "notify_booking", "booking_id": booking.id, "version": booking.version}
    return tasks.enqueue(QUEUE_FUNCTION, payload, name=f"notify-{booking.id}-v{booking.version}")


def alert_host_later(host: Host, tasks: TaskQueue) -> bool:
    """The host lost calendar access: one alert task per incident (a named task)."""
    incident = host.access_incident
    if incident is None or host.last_alert == incident:
        return False
    return _enqueue_alert(host.id, incident, tasks)


def alert_sync_failing(host_id: str, now: datetime, tasks: TaskQueue) -> bool:
    """Writing to the host's calendar keeps failing (a sync gave up after every retry): one alert a day."""
    return _enqueue_alert(host_id, f"{SYNC_FAILING}-{now:%Y%m%d}", tasks)


def _enqueue_alert(host_id: str, incident: str, tasks: TaskQueue) -> bool:
    payload = {"action": "alert_host", "host_id": host_id, "incident": incident}
    return tasks.enqueue(QUEUE_FUNCTION, payload, name=f"alert-{host_id}-{incident}")


class NotYetStored(Exception):
    """The task came before its booking's commit landed (it is enqueued alongside it): ask again."""


@dataclass(frozen=True)
class NotifyBooking:
    """A booking version's notice task; `retries`: how often the queue has retried it (a booking not stored
    yet is asked for again a few times)."""

    booking_id: str
    version: int
    retries: int = 0


def notify(command: NotifyBooking, deps: Ports) -> str:
    """Tell the people (mail) and the host's systems (webhooks) what this booking version did."""
    uow, now, version = deps.uow(), deps.now(), command.version
    booking = uow.bookings.get(command.booking_id)
    if booking is None:
        if command.retries < NOT_YET_STORED_RETRIES:
            raise NotYetStored(command.booking_id)
        return "gone"  # the commit lost
    if booking.version != version:
        return "superseded"  # the newer version's own task tells what is true now
    if booking.closure is not None:
        return "closure"  # the host closed: the closure's own notice tells the invitee (shared/services/closure.py)
    people = _recipients(booking, uow, deps.links)
    if people is None:
        _record_invitee_mail(booking, MailState.NOT_SENT, uow)
        return "not_sent"
    if booking.change in WEBHOOK_EVENTS:  # a reassignment has no webhook event (yet)
        webhooks.announce(webhooks.AnnounceEvent(WEBHOOK_EVENTS[booking.change], booking), deps)
    mailer = deps.mailer
    if mailer is None:
        _record_invitee_mail(booking, MailState.NOT_SENT, uow)
        return "mail_not_configured"
    ics = booking_ics(booking, people.host_name, people.manage_link, now)
    if booking.mailed.get("invitee", 0) < version:
        notice = Notice("invitee", version, messages.invitee_notice(booking, people, ics))
        if not send_once(booking, notice, mailer, uow):
            _enqueue_alert(booking.host_id, f"{MAIL_FAILED}-{booking.id}-v{version}", deps.tasks)
    if booking.mailed.get("host", 0) < version:
        send_once(booking, Notice("host", version, messages.host_notice(booking, people)), mailer, uow)
    if booking.previous_host_id and booking.mailed.get(PREVIOUS_HOST, 0) < version:
        _tell_previous_host(booking, people, mailer, deps)
    for role, co_host in _co_hosts_to_tell(booking, people, uow):
        letter = messages.host_notice(booking, co_host)  # one message each, with its own id
        letter = letter.model_copy(update={"message_id": messages.message_id(booking.id, version, role)})
        send_once(booking, Notice(role, version, letter, "host"), mailer, uow)
    if booking.change in (BookingChange.CREATED, BookingChange.RESCHEDULED) and booking.reminder_minutes:
        remind_later(booking, now, deps.tasks)
    return "sent"


def _tell_previous_host(booking: Booking, people: messages.Recipients, mailer: Mailer, deps: Ports) -> None:
    """The member a reassigned booking was taken from hears it once (recorded by version, as the others)."""
    uow = deps.uow()
    previous = uow.hosts.get(booking.previous_host_id or "")
    if previous is None:
        return
    page = uow.pages.get(previous.slug)
    theirs = messages.Recipients(
        host_name=previous.display_name,
        host_email=previous.email,
        host_zone=page.schedule.time_zone if page else previous.time_zone,
        manage_link=people.manage_link,
        dashboard_link=people.dashboard_link,
        host_language=previous.locale,
    )
    mail = messages.handed_on_notice(booking, theirs, people.host_name)
    send_once(booking, Notice(PREVIOUS_HOST, booking.version, mail), mailer, uow)


def remind_later(booking: Booking, now: datetime, tasks: TaskQueue) -> bool:
    """A reminder task for the booking's current start, at the lead time (hopping when that is far off)."""
    if booking.reminder_minutes is None or not booking.holds_time:
        return False
    due = booking.start - timedelta(minutes=booking.reminder_minutes)
    run_at = min(max(due, now), now + MAX_TASK_DELAY)
    start = int(booking.start.timestamp())
    payload = {"action": "remind", "booking_id": booking.id, "start": start}
    name = f"remind-{booking.id}-{start}-{int(run_at.timestamp())}"
    return tasks.enqueue(QUEUE_FUNCTION, payload, name=name, delay_seconds=(run_at - now).total_seconds())


@dataclass(frozen=True)
class SendReminder:
    """A reminder task: for the booking's start it was made for (Unix seconds)."""

    booking_id: str
    start: int


def remind(command: SendReminder, deps: Ports) -> str:
    """Checked when it runs: the booking still holds that time (not cancelled, not moved)."""
    mailer = deps.mailer
    if mailer is None:
        return "mail_not_configured"
    uow, now, start = deps.uow(), deps.now(), command.start
    booking = uow.bookings.get(command.booking_id)
    if booking is None or not booking.holds_time or int(booking.start.timestamp()) != start:
        return "not_needed"
    if booking.reminder_minutes is None or booking.mailed.get("reminder", 0) == start or now >= booking.start:
        return "not_needed"
    if now < booking.start - timedelta(minutes=booking.reminder_minutes) - REMINDER_EARLY:
        remind_later(booking, now, deps.tasks)  # a hop of a far-off reminder
        return "not_yet"
    people = None if booking.processing_paused else _recipients(booking, uow, deps.links)
    if people is None:
        return "not_sent"
    send_once(booking, Notice("reminder", start, messages.reminder(booking, people)), mailer, uow)
    return "sent"


@dataclass(frozen=True)
class AlertHost:
    """An alert task: the host's incident (a lost connection, a failing sync, a refused notice)."""

    host_id: str
    incident: str


def alert_host(command: AlertHost, deps: Ports) -> str:
    """Tell the host once about the incident, if it is still true."""
    mailer = deps.mailer
    if mailer is None:
        return "mail_not_configured"
    uow, host_id, incident = deps.uow(), command.host_id, command.incident
    if incident.startswith(MAIL_FAILED):
        return _mail_failed_alert(incident, uow, mailer, deps.links)
    host = uow.hosts.get(host_id)
    failing = incident.startswith(SYNC_FAILING)
    # Still true? A disconnect may have been repaired; a failing sync of a disconnected host is that alert's.
    if host is None or (host.access_incident != incident if not failing else not host.connection.is_connected):
        return "not_needed"
    if host.last_alert == incident:
        return "already_sent"
    reason = "sync_failing" if failing else host.connection.reason or "disconnected"
    mailer.send(messages.connection_alert(host, reason, incident, deps.links.reconnect()))

    def record() -> None:
        with uow:
            current = uow.hosts.get(host_id)
            if current is not None:
                uow.hosts.save(current.alerted(incident))
                uow.commit()

    retried(record)
    log_event("host_alerted", host_id=host_id, outcome=reason)
    return "sent"


def _recipients(booking: Booking, uow: UnitOfWork, links: Links) -> messages.Recipients | None:
    """Who is told about the booking; None when nobody may be: restricted, objected to (unless the invitee
    asked for this change themselves) or erased (no processing, no mail), or the host is gone."""
    host = uow.hosts.get(booking.host_id)
    if host is None or host.processing_paused or booking.held_back or booking.anonymised:
        return None
    page = uow.pages.get(host.slug)
    host_name = page.display_name if page else host.display_name
    if booking.co_hosts:  # a collective team booking: the invitee meets every member
        host_name = _together(booking, uow)
    return messages.Recipients(
        host_name=host_name,
        host_email=host.email,
        host_zone=page.schedule.time_zone if page else host.time_zone,
        manage_link=links.manage(booking.id),
        dashboard_link=links.dashboard(),
        host_language=host.locale,
    )


def _together(booking: Booking, uow: UnitOfWork) -> str:
    """Every holder of a collective booking by display name, as one phrase in the invitee's language: "Ada, Bo
    and Cy" (the phrase names the hosts in the invitee's mail and .ics)."""
    names = [host.display_name for holder in booking.holder_ids if (host := uow.hosts.get(holder)) is not None]
    return messages.together(names, booking.locale)


def _co_hosts_to_tell(
    booking: Booking, people: messages.Recipients, uow: UnitOfWork
) -> list[tuple[str, messages.Recipients]]:
    """A collective booking's co-hosts not yet told of this version, each as the host notice's recipient
    (their own address and zone; recorded as sent under `host-{their id}`)."""
    told: list[tuple[str, messages.Recipients]] = []
    for co_host_id in booking.co_host_ids:
        role = f"host-{co_host_id}"
        co_host = uow.hosts.get(co_host_id)
        if booking.mailed.get(role, 0) >= booking.version or co_host is None or co_host.processing_paused:
            continue
        theirs = replace(people, host_email=co_host.email, host_zone=co_host.time_zone, host_language=co_host.locale)
        told.append((role, theirs))
    return told


def _mail_failed_alert(incident: str, uow: UnitOfWork, mailer: Mailer, links: Links) -> str:
    """The host hears once that their invitee's notice was refused: while it is still that booking
    version's notice, and not again once sent (recorded on the booking, by version)."""
    booking_id, _, version = incident.removeprefix(f"{MAIL_FAILED}-").rpartition("-v")
    booking = uow.bookings.get(booking_id)
    if booking is None or str(booking.version) != version or booking.confirmation_mail is not MailState.FAILED:
        return "not_needed"
    if booking.mailed.get(MAIL_FAILED, 0) >= booking.version:
        return "already_sent"
    people = _recipients(booking, uow, links)
    if people is None:
        return "not_sent"
    send_once(booking, Notice(MAIL_FAILED, booking.version, messages.mail_failed_alert(booking, people)), mailer, uow)
    log_event("host_alerted", host_id=booking.host_id, booking_id=booking.id, outcome=MAIL_FAILED)
    return "sent"


def _record_invitee_mail(booking: Booking, state: MailState, uow: UnitOfWork) -> None:
    if booking.invitee_mail is not state:
        change_booking(booking.id, lambda current: current.with_invitee_mail(state), uow)


@dataclass(frozen=True)
class Notice:
    """One message about a booking, recorded on it as sent to `role` for `mark` (a version, or a reminder's
    start), so it is sent once; logged as `kind` (the role by default)."""

    role: str
    mark: int
    mail: OutgoingMail
    kind: str = ""


def send_once(booking: Booking, notice: Notice, mailer: Mailer, uow: UnitOfWork) -> bool:
    """Send, then record it on the booking (the invitee's notice with its state). A relay that refuses for
    good is recorded too, and False returned: retrying would not help. MailDeferred propagates, so the task
    is retried."""
    role, mark = notice.role, notice.mark
    try:
        mailer.send(notice.mail)
        sent, outcome = True, "sent"
    except MailRefused as error:
        sent, outcome = False, f"refused_{error.code}"

    def record(current: Booking) -> Booking:
        marked = current.mailed_for(role, mark)
        if role != "invitee" or current.version != mark:
            return marked
        return marked.with_invitee_mail(MailState.SENT if sent else MailState.FAILED)

    change_booking(booking.id, record, uow)
    log_event("mail_sent", booking_id=booking.id, message_kind=notice.kind or role, outcome=outcome)
    return sent
