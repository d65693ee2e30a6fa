"""The host's own settings: profile, event types and weekly hours (all kept on the booking page)."""

from __future__ import annotations

import secrets
from datetime import datetime

from shared.domain.booking_page import DEFAULT_HORIZON_DAYS, BookingPage
from shared.domain.errors import EventTypeNotFound
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.host import Host, HostProfileUpdate
from shared.domain.schedule import Schedule
from shared.services.calendar_sync import refresh_soon
from shared.services.ports import Store, TaskQueue


def update_profile(host: Host, patch: HostProfileUpdate, now: datetime, store: Store) -> Host:
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "slug" in changes and changes["slug"] != host.slug:
        store.change_slug(host.id, host.slug, changes["slug"])  # raises SlugTaken
    updated = host.model_copy(update=changes)
    if "display_name" in changes or "time_zone" in changes:
        store.update_booking_page(updated.slug, lambda page: _follow_profile(page, host, updated))
    other = {key: value for key, value in changes.items() if key != "slug"}
    if other:
        store.update_host(host.id, {**other, "updated_at": now})
    return updated


def _follow_profile(page: BookingPage, before: Host, after: Host) -> BookingPage:
    """The page shows the host's name; hours still in the host's old zone move to the new one."""
    schedule = page.schedule
    if schedule.time_zone == before.time_zone and after.time_zone != before.time_zone:
        schedule = schedule.model_copy(update={"time_zone": after.time_zone})
    return page.model_copy(update={"display_name": after.display_name, "schedule": schedule})


def list_event_types(host: Host, store: Store) -> dict[str, EventType]:
    return _page(host, store).event_types


def create_event_type(
    host: Host, event_type: EventType, now: datetime, store: Store, tasks: TaskQueue
) -> tuple[str, EventType]:
    event_type_id = f"et{secrets.token_hex(5)}"
    page = store.update_booking_page(host.slug, lambda page: page.with_event_type(event_type_id, event_type))
    _extend_mirror_if_needed(host, page, now, tasks)
    return event_type_id, event_type


def update_event_type(
    host: Host, event_type_id: str, patch: EventTypeUpdate, now: datetime, store: Store, tasks: TaskQueue
) -> EventType:
    def change(page: BookingPage) -> BookingPage:
        return page.with_event_type(event_type_id, page.event_type(event_type_id).updated(patch))

    page = store.update_booking_page(host.slug, change)
    _extend_mirror_if_needed(host, page, now, tasks)
    return page.event_types[event_type_id]


def _extend_mirror_if_needed(host: Host, page: BookingPage, now: datetime, tasks: TaskQueue) -> None:
    """A longer booking window needs busy times further ahead: refresh the mirror (in the background)."""
    if host.connection.is_connected and page.horizon_days > DEFAULT_HORIZON_DAYS:
        refresh_soon(host.id, f"horizon{page.horizon_days}-{int(now.timestamp()) // 60}", tasks)


def delete_event_type(host: Host, event_type_id: str, store: Store) -> None:
    store.update_booking_page(host.slug, lambda page: page.without_event_type(event_type_id))


def event_type(host: Host, event_type_id: str, store: Store) -> EventType:
    return _page(host, store).event_type(event_type_id)


def schedule(host: Host, store: Store) -> Schedule:
    return _page(host, store).schedule


def replace_schedule(host: Host, new: Schedule, store: Store) -> Schedule:
    return store.update_booking_page(host.slug, lambda page: page.model_copy(update={"schedule": new})).schedule


def _page(host: Host, store: Store) -> BookingPage:
    page = store.booking_page(host.slug)
    if page is None:
        raise EventTypeNotFound("this host has no booking page")
    return page
