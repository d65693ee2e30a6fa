"""The host's own settings: profile, event types and schedules (all kept on the booking page)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
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
from shared.services.ports import Ports, UnitOfWork

FALLBACK_SECONDS = 1.0  # of a save's deadline, kept from the mirror extension for queueing it instead


def update_profile(host: Host, patch: HostProfileUpdate, uow: UnitOfWork) -> Host:
    """The host and their page change together; a new slug is claimed in the same commit (must be free)."""
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)

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


def slug_available(host: Host, slug: str, uow: UnitOfWork) -> bool:
    """Free for this host: no page uses it, or it is already theirs. (A save can still lose a race: it
    claims the slug in its own commit and answers 409 then.)"""
    return slug == host.slug or uow.pages.get(slug) is None


def list_event_types(host: Host, uow: UnitOfWork) -> dict[str, EventType]:
    return _page(host, uow).event_types


def create_event_type(host: Host, event_type: EventType, now: datetime, ports: Ports) -> str:
    event_type_id = ids.event_type_id()
    uow = ports.uow()
    page = _change_page(host, lambda page: page.with_event_type(event_type_id, event_type), uow)
    _extend_mirror_if_needed(host, page, now, uow, ports)
    return event_type_id


def update_event_type(host: Host, event_type_id: str, patch: EventTypeUpdate, now: datetime, ports: Ports) -> EventType:
    def change(page: BookingPage) -> BookingPage:
        return page.with_event_type(event_type_id, page.event_type(event_type_id).updated(patch))

    uow = ports.uow()
    page = _change_page(host, change, uow)
    _extend_mirror_if_needed(host, page, now, uow, ports)
    return page.event_types[event_type_id]


def _extend_mirror_if_needed(host: Host, page: BookingPage, now: datetime, uow: UnitOfWork, ports: Ports) -> None:
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


def delete_event_type(host: Host, event_type_id: str, uow: UnitOfWork) -> None:
    _change_page(host, lambda page: page.without_event_type(event_type_id), uow)


def event_type(host: Host, event_type_id: str, uow: UnitOfWork) -> EventType:
    return _page(host, uow).event_type(event_type_id)


def schedule(host: Host, uow: UnitOfWork) -> Schedule:
    return _page(host, uow).schedule


def replace_schedule(host: Host, new: Schedule, uow: UnitOfWork) -> Schedule:
    return _change_page(host, lambda page: page.with_hours(new), uow).schedule


# --- named schedules (the default one is `schedule` above, id "default") ---------------------------------
def list_schedules(host: Host, uow: UnitOfWork) -> tuple[BookingPage, dict[str, NamedSchedule]]:
    page = _page(host, uow)
    return page, page.named_schedules()


def named_schedule(host: Host, schedule_id: str, uow: UnitOfWork) -> tuple[BookingPage, NamedSchedule]:
    page = _page(host, uow)
    return page, page.named_schedule(schedule_id)


def create_schedule(host: Host, body: ScheduleCreate, uow: UnitOfWork) -> tuple[str, BookingPage]:
    """A new schedule; without hours it starts as weekdays 09:00-17:00 in the host's zone."""
    schedule_id = f"sc{secrets.token_hex(5)}"
    hours = default_schedule(body.time_zone or host.time_zone)
    fields = body.model_dump(exclude_none=True)
    schedule = NamedSchedule.model_validate({**hours.model_dump(), **fields})
    return schedule_id, _change_page(host, lambda page: page.with_schedule(schedule_id, schedule), uow)


def replace_named_schedule(host: Host, schedule_id: str, new: NamedSchedule, uow: UnitOfWork) -> BookingPage:
    def change(page: BookingPage) -> BookingPage:
        page.named_schedule(schedule_id)  # raises ScheduleNotFound: PUT replaces, it does not create
        return page.with_schedule(schedule_id, new)

    return _change_page(host, change, uow)


def update_schedule(host: Host, schedule_id: str, patch: ScheduleUpdate, uow: UnitOfWork) -> BookingPage:
    def change(page: BookingPage) -> BookingPage:
        return page.with_schedule(schedule_id, patch.applied_to(page.named_schedule(schedule_id)))

    return _change_page(host, change, uow)


def delete_schedule(host: Host, schedule_id: str, uow: UnitOfWork) -> None:
    """Refused while an event type uses it (checked in the same conditional save as the delete)."""
    _change_page(host, lambda page: page.without_schedule(schedule_id), uow)


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
