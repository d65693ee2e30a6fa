"""The host's own settings: profile, event types and schedules (all kept on the booking page)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.deadlines import leaving
from shared.domain import ids
from shared.domain.booking_page import BookingPage, default_schedule
from shared.domain.errors import EventTypeNotFound, SlugTaken
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.host import Host, HostProfileUpdate
from shared.domain.schedule import NamedSchedule, Schedule, ScheduleCreate, ScheduleUpdate
from shared.logging import log_exception
from shared.services.busy_refresh import busy_window, refresh_busy, refresh_soon
from shared.services.contention import retried
from shared.services.errors import AlreadyStored
from shared.services.links import withdraw_links
from shared.services.ports import Ports, UnitOfWork

FALLBACK_SECONDS = 1.0  # of a save's deadline, kept from the mirror extension for queueing it instead


@dataclass(frozen=True)
class UpdateProfile:
    """The host changed their display name, page address, time zone or onboarding state."""

    host: Host
    patch: HostProfileUpdate


def update_profile(command: UpdateProfile, deps: Ports) -> Host:
    """The host and their page change together; a new slug is claimed in the same commit (must be free)."""
    host, uow = command.host, deps.uow()
    changes = command.patch.changes()

    def update() -> Host:
        with uow:
            before = uow.hosts.get(host.id)
            page = uow.pages.get(host.slug) if before else None
            if before is None or page is None:
                raise EventTypeNotFound("this host has no booking page")
            after = before.model_copy(update=changes)
            page = page.following_profile(before, after)
            if after.slug != before.slug:
                uow.pages.add(after.slug, page)
                uow.pages.remove(before.slug)
            else:
                uow.pages.save(after.slug, page)
            uow.hosts.save(after)
            try:
                uow.commit()
            except AlreadyStored as error:
                raise SlugTaken(f"the slug '{after.slug}' is taken") from error
            return after

    return retried(update)


def slug_available(host: Host, slug: str, deps: Ports) -> bool:
    """Free for this host: no page or team uses it, or it is already theirs. (A save can still lose a race: it
    claims the slug in its own commit and answers 409 then.)"""
    uow = deps.uow()
    return slug == host.slug or (uow.pages.get(slug) is None and uow.teams.by_slug(slug) is None)


def list_event_types(host: Host, deps: Ports) -> dict[str, EventType]:
    return _page(host, deps.uow()).event_types


@dataclass(frozen=True)
class CreateEventType:
    """The host added an event type."""

    host: Host
    event_type: EventType


@dataclass(frozen=True)
class UpdateEventType:
    """The host changed some fields of one of their event types."""

    host: Host
    event_type_id: str
    patch: EventTypeUpdate


@dataclass(frozen=True)
class DeleteEventType:
    """The host removed one of their event types."""

    host: Host
    event_type_id: str


def create_event_type(command: CreateEventType, deps: Ports) -> str:
    event_type_id = ids.event_type_id()
    host = command.host
    page = _change_page(host, lambda page: page.with_event_type(event_type_id, command.event_type), deps.uow())
    _extend_mirror_if_needed(host, page, deps.now(), deps)
    return event_type_id


def update_event_type(command: UpdateEventType, deps: Ports) -> EventType:
    event_type_id = command.event_type_id

    def change(page: BookingPage) -> BookingPage:
        return page.with_event_type(event_type_id, page.event_type(event_type_id).updated(command.patch))

    page = _change_page(command.host, change, deps.uow())
    _extend_mirror_if_needed(command.host, page, deps.now(), deps)
    return page.event_types[event_type_id]


def delete_event_type(command: DeleteEventType, deps: Ports) -> int:
    """Existing bookings stay; the type's open single-use links are revoked (`withdraw_links`): how many."""
    host, event_type_id, uow = command.host, command.event_type_id, deps.uow()
    _change_page(host, lambda page: page.without_event_type(event_type_id), uow)
    return withdraw_links(host, event_type_id, deps.now(), uow)


def _extend_mirror_if_needed(host: Host, page: BookingPage, now: datetime, ports: Ports) -> None:
    """A longer booking window needs busy times further ahead: the mirror is extended before the save
    answers (one free/busy call), so the host's own first look is complete. If Google cannot answer now,
    the save still stands and the refresh runs in the background."""
    covered = page.calendar.horizon_end
    if not host.calendar_usable or (covered is not None and covered >= busy_window(now, page.horizon_days).end):
        return
    try:
        with leaving(FALLBACK_SECONDS):  # a Google that hangs still leaves time to queue the refresh
            refresh_busy(host, now, ports)
    except Exception as error:  # best effort: the event type is saved either way
        log_exception("mirror_extension_deferred", error, host_id=host.id)
        with contextlib.suppress(Exception):
            refresh_soon(host.id, f"horizon{page.horizon_days}-{int(now.timestamp()) // 60}", ports.tasks)


def event_type(host: Host, event_type_id: str, deps: Ports) -> EventType:
    return _page(host, deps.uow()).event_type(event_type_id)


def schedule(host: Host, deps: Ports) -> Schedule:
    return _page(host, deps.uow()).schedule


@dataclass(frozen=True)
class ReplaceSchedule:
    """The host replaced the default schedule's hours, overrides and time off."""

    host: Host
    schedule: Schedule


def replace_schedule(command: ReplaceSchedule, deps: Ports) -> Schedule:
    return _change_page(command.host, lambda page: page.with_hours(command.schedule), deps.uow()).schedule


# --- named schedules (the default one is `schedule` above, id "default") ---------------------------------
def list_schedules(host: Host, deps: Ports) -> tuple[BookingPage, dict[str, NamedSchedule]]:
    page = _page(host, deps.uow())
    return page, page.named_schedules()


def named_schedule(host: Host, schedule_id: str, deps: Ports) -> tuple[BookingPage, NamedSchedule]:
    page = _page(host, deps.uow())
    return page, page.named_schedule(schedule_id)


@dataclass(frozen=True)
class CreateSchedule:
    """The host added a named schedule."""

    host: Host
    body: ScheduleCreate


@dataclass(frozen=True)
class ReplaceNamedSchedule:
    """The host replaced one named schedule's name and hours."""

    host: Host
    schedule_id: str
    schedule: NamedSchedule


@dataclass(frozen=True)
class UpdateSchedule:
    """The host changed some fields of one named schedule."""

    host: Host
    schedule_id: str
    patch: ScheduleUpdate


@dataclass(frozen=True)
class DeleteSchedule:
    """The host removed one named schedule."""

    host: Host
    schedule_id: str


def create_schedule(command: CreateSchedule, deps: Ports) -> tuple[str, BookingPage]:
    """A new schedule; without hours it starts as weekdays 09:00-17:00 in the host's zone."""
    host, body = command.host, command.body
    schedule_id = f"sc{secrets.token_hex(5)}"
    hours = default_schedule(body.time_zone or host.time_zone)
    fields = body.model_dump(exclude_none=True)
    schedule = NamedSchedule.model_validate({**hours.model_dump(), **fields})
    return schedule_id, _change_page(host, lambda page: page.with_schedule(schedule_id, schedule), deps.uow())


def replace_named_schedule(command: ReplaceNamedSchedule, deps: Ports) -> BookingPage:
    schedule_id = command.schedule_id

    def change(page: BookingPage) -> BookingPage:
        page.named_schedule(schedule_id)  # raises ScheduleNotFound: PUT replaces, it does not create
        return page.with_schedule(schedule_id, command.schedule)

    return _change_page(command.host, change, deps.uow())


def update_schedule(command: UpdateSchedule, deps: Ports) -> BookingPage:
    schedule_id = command.schedule_id

    def change(page: BookingPage) -> BookingPage:
        return page.with_schedule(schedule_id, command.patch.applied_to(page.named_schedule(schedule_id)))

    return _change_page(command.host, change, deps.uow())


def delete_schedule(command: DeleteSchedule, deps: Ports) -> None:
    """Refused while an event type uses it (checked in the same conditional save as the delete)."""
    _change_page(command.host, lambda page: page.without_schedule(command.schedule_id), deps.uow())


def _change_page(host: Host, change: Callable[[BookingPage], BookingPage], uow: UnitOfWork) -> BookingPage:
    """Read, change, save on condition: concurrent edits never lose each other."""

    def apply() -> BookingPage:
        with uow:
            page = change(_page(host, uow))
            uow.pages.save(host.slug, page)
            uow.commit()
            return page

    return retried(apply)


def _page(host: Host, uow: UnitOfWork) -> BookingPage:
    page = uow.pages.get(host.slug)
    if page is None:
        raise EventTypeNotFound("this host has no booking page")
    return page
