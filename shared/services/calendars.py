"""The host's choice of calendars: which count as busy (conflict calendars) and which receives bookings.

Listing needs the calendar-list permission, asked for only when the host opens the setting; without it
the host keeps working on the primary calendar. A new choice takes effect at once: channels follow the
conflict calendars and the busy mirror is refreshed over them before the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain.calendars import CALENDAR_LIST_SCOPE, CalendarChoice, CalendarChoiceRequest, ListedCalendar
from shared.domain.calendars import choose_calendars as choose
from shared.domain.errors import CalendarListNotGranted, HostNotConnected, HostNotFound
from shared.domain.host import Host
from shared.logging import log_event, log_exception
from shared.services.busy_refresh import refresh_busy, refresh_soon
from shared.services.channels import start_watching
from shared.services.connection import access_revoked
from shared.services.contention import retried
from shared.services.errors import CalendarAccessRevoked, GoogleRejected, GoogleUnavailable
from shared.services.ports import Ports

# Where the host grants the calendar list (the dashboard's button opens it and comes back to the setting).
CONSENT_PATH = "/oauth/start?purpose=calendars&return_to=/dashboard/calendars"  # the dashboard's Calendars section


@dataclass(frozen=True)
class HostCalendars:
    listed: list[ListedCalendar]
    choice: CalendarChoice


def host_calendars(host: Host, ports: Ports) -> HostCalendars:
    """The host's calendars as Google lists them now, with the stored choice."""
    return HostCalendars(_listed(host, ports.now(), ports), host.calendars)


@dataclass(frozen=True)
class ChooseCalendars:
    """What the host asked: these conflict calendars and this write calendar."""

    host: Host
    wanted: CalendarChoiceRequest


def choose_calendars(command: ChooseCalendars, deps: Ports) -> HostCalendars:
    host, wanted, now = command.host, command.wanted, deps.now()
    listed = _listed(host, now, deps)
    uow = deps.uow()

    def change() -> tuple[Host, Host]:
        with uow:
            before = uow.hosts.get(host.id)
            page = uow.pages.get(before.slug) if before is not None else None
            if before is None or page is None:
                raise HostNotFound("no such host")
            after = before.model_copy(update={"calendars": choose(before.calendars, listed, wanted)})
            if after != before:
                uow.hosts.save(after)
                # New bookings record the write calendar from the page they are made on (no extra read).
                uow.pages.save(after.slug, page.writing_to(after.calendars.write))
                uow.commit()
            return before, after

    before, after = retried(change)
    if after.calendars.watched != before.calendars.watched and after.calendar_usable:
        # New calendars get their channels before the old ones stop; calendars no longer chosen lose theirs.
        start_watching(host.id, deps)
    if after.calendars.conflict != before.calendars.conflict and after.calendar_usable:
        _refresh_now(after, now, deps)
    log_event("calendars_chosen", host_id=host.id, conflict_count=len(after.calendars.conflict))
    return HostCalendars(listed, after.calendars)


def _listed(host: Host, now: datetime, ports: Ports) -> list[ListedCalendar]:
    if not host.may_list_calendars:
        raise CalendarListNotGranted(CALENDAR_LIST_SCOPE, CONSENT_PATH)
    if not host.calendar_usable:
        raise HostNotConnected("connect your Google Calendar first")
    try:
        return _list(host, now, ports)
    except CalendarListNotGranted:
        # An access token minted (on this instance) before the host granted the list lacks the scope: mint
        # a new one; refused again means the permission was withdrawn in Google since.
        ports.calendar_access.forget(host.id)
        return _list(host, now, ports)


def _list(host: Host, now: datetime, ports: Ports) -> list[ListedCalendar]:
    try:
        return ports.calendar_list.calendars(host.id)
    except CalendarAccessRevoked as error:
        access_revoked(host.id, now, ports)
        raise HostNotConnected("Google no longer accepts Kaleno's access: reconnect your calendar") from error
    except GoogleRejected as error:
        if error.status == 403:
            raise CalendarListNotGranted(CALENDAR_LIST_SCOPE, CONSENT_PATH) from error
        raise


def _refresh_now(host: Host, now: datetime, ports: Ports) -> None:
    """The page reflects the new conflict calendars as soon as the save answers; if Google cannot answer
    now, the choice still stands and the refresh runs in the background.

    Racing saves: this refresh reads the choice as stored after this save, and is stamped later than any
    refresh stored before that read, so a refresh over an earlier choice cannot win over the last one
    (refresh_busy also drops an answer whose calendars are no longer the choice)."""
    uow = ports.uow()
    current = uow.hosts.get(host.id)
    if current is None or not current.calendar_usable:
        return
    stored_at = current.sync.synced_at
    started = now if stored_at is None or now > stored_at else stored_at + timedelta(milliseconds=1)
    try:
        refresh_busy(current, started, ports)
    except (GoogleUnavailable, CalendarAccessRevoked) as error:
        log_exception("calendars_refresh_deferred", error, host_id=host.id)
        refresh_soon(host.id, f"calendars-{int(now.timestamp())}", ports.tasks)
