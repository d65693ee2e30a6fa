"""Keeping Kaleno's view of a host's calendar true: watch channels and the busy mirror.

The watch channel is only a change signal; the busy mirror is refreshed from free/busy, so only busy
intervals ever leave Google.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

from shared.domain.booking import Booking, BookingStatus, SyncState
from shared.domain.booking_page import DEFAULT_HORIZON_DAYS
from shared.domain.errors import DomainError
from shared.domain.host import Connection, ConnectionState, Host
from shared.domain.intervals import Interval
from shared.logging import log_event, log_exception
from shared.services.ports import (
    Calendar,
    CalendarAccessRevoked,
    Channel,
    GoogleRejected,
    GoogleUnavailable,
    OurEvent,
    SecretStore,
    Store,
    TaskQueue,
)

EVENTS_CHECK_OVERLAP = timedelta(minutes=2)  # clocks differ a little: look back a bit further than needed
PENDING_SYNC_GRACE = timedelta(minutes=5)  # a booking's own task normally syncs it well within this


def channel_token(channel_key: str, channel_id: str) -> str:
    """Per-channel secret sent back by Google on every push; derived, so nothing needs storing."""
    return hmac.new(channel_key.encode(), f"channel:{channel_id}".encode(), hashlib.sha256).hexdigest()


def token_matches(channel_key: str, channel_id: str, token: str) -> bool:
    return hmac.compare_digest(channel_token(channel_key, channel_id), token)


def busy_window(now: datetime, horizon_days: int) -> Interval:
    """From the start of yesterday (UTC) to the horizon: covers every zone's "today" and the booking window."""
    start = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=1)
    return Interval(start, start + timedelta(days=horizon_days + 2))


def request_busy_refresh(host_id: str, now: datetime, tasks: TaskQueue, window_seconds: int = 20) -> bool:
    """One named refresh task per host per short window: a burst of pushes costs one free/busy query.

    The task runs at the end of its window, so every change made during the burst is seen.
    """
    bucket = int(now.timestamp()) // window_seconds
    delay = (bucket + 1) * window_seconds - now.timestamp()
    return _enqueue_refresh(host_id, f"refresh-{host_id}-{bucket}", tasks, delay)


def refresh_soon(host_id: str, reason: str, tasks: TaskQueue) -> bool:
    """A refresh that should not wait for a burst to end, asked once per reason: `reason` names the state
    that needs it (e.g. the stale mirror's sync time), so repeated asks for the same state collapse."""
    return _enqueue_refresh(host_id, f"refresh-{reason}-{host_id}", tasks)


def _enqueue_refresh(host_id: str, name: str, tasks: TaskQueue, delay_seconds: float = 0) -> bool:
    payload = {"action": "refresh_busy", "host_id": host_id}
    return tasks.enqueue("calendar_sync", payload, name=name, delay_seconds=delay_seconds)


def stale_reason(synced_at: datetime | None) -> str:
    return f"stale{int(synced_at.timestamp()) if synced_at else 0}"


def sync_booking_later(booking_id: str, version: int, tasks: TaskQueue, retry_at: datetime | None = None) -> bool:
    """One named task per booking version: duplicate enqueues collapse (False).

    A later retry of the same version (`retry_at`, by the sweep or a reconnect) gets a name of its own per
    hour: Cloud Tasks keeps a finished task's name reserved for a while.
    """
    name = f"booking-{booking_id}-v{version}"
    if retry_at is not None:
        name += f"-retry{int(retry_at.timestamp()) // 3600}"
    return tasks.enqueue(
        "calendar_sync", {"action": "reconcile_booking", "booking_id": booking_id, "version": version}, name=name
    )


def resync_failed(host_id: str, now: datetime, store: Store, tasks: TaskQueue) -> int:
    """After a reconnect: try again the host's bookings whose sync failed while access was missing."""
    failed = [b for b in store.host_bookings(host_id, since=now) if b.sync_state is SyncState.FAILED]
    return sum(sync_booking_later(b.id, b.version, tasks, retry_at=now) for b in failed)


def start_watching(
    host_id: str, now: datetime, store: Store, calendar: Calendar, channel_key: str, webhook_url: str
) -> bool:
    """Open a new channel first, then stop the older ones, so the host is never unwatched."""
    channel_id = f"kal-{uuid.uuid4().hex}"
    try:
        channel = calendar.watch(host_id, channel_id, channel_token(channel_key, channel_id), webhook_url)
    except CalendarAccessRevoked:
        access_revoked(host_id, now, store)
        return False
    except GoogleUnavailable:
        log_event("watch_deferred", host_id=host_id)  # channel renewal retries hosts without a channel
        return False
    store.save_channel(channel)
    for old in store.channels_of(host_id):
        if old.id != channel.id:
            _stop(old, store, calendar)
    return True


def stop_watching(host_id: str, store: Store, calendar: Calendar) -> None:
    for channel in store.channels_of(host_id):
        _stop(channel, store, calendar)


def _stop(channel: Channel, store: Store, calendar: Calendar) -> None:
    # Google stops pushing at expiry anyway, and pushes for unknown channels are ignored.
    with contextlib.suppress(CalendarAccessRevoked, GoogleUnavailable):
        calendar.stop_channel(channel.host_id, channel)
    store.delete_channel(channel.id)


def refresh_busy(host: Host, now: datetime, store: Store, calendar: Calendar) -> None:
    """Replace the host's busy mirror over the horizon with Google's free/busy answer.

    The horizon is the host's longest booking window, so any day an event type offers is covered.
    """
    page = store.booking_page(host.slug)
    window = busy_window(now, page.horizon_days if page else DEFAULT_HORIZON_DAYS)
    busy = calendar.busy(host.id, window)
    if not store.replace_busy(host, window, busy, synced_at=now):
        log_event("busy_refresh_superseded", host_id=host.id)  # a newer refresh wrote, or the host left
        return
    log_event("busy_refreshed", host_id=host.id, interval_count=len(busy))
    check_our_events(host, now, store, calendar)


def refresh_after_connect(host: Host, now: datetime, store: Store, calendar: Calendar) -> None:
    """Warm the mirror right away so the host's first availability read needs no Google call."""
    try:
        refresh_busy(host, now, store, calendar)
    except CalendarAccessRevoked:
        access_revoked(host.id, now, store)
    except GoogleUnavailable:
        log_event("busy_refresh_deferred", host_id=host.id)


def access_revoked(host_id: str, now: datetime, store: Store, secret_store: SecretStore | None = None) -> bool:
    """Google no longer honours the host's grant: mark disconnected once; later calls change nothing."""
    changed = store.set_connection(
        host_id,
        Connection(state=ConnectionState.DISCONNECTED, reason="google_access_revoked", since=now),
        only_if=ConnectionState.CONNECTED,
    )
    if changed:
        if secret_store is not None:
            secret_store.destroy_refresh_token(host_id)
        store.audit("calendar_access_revoked", host_id, "disconnected", now)
        log_event("host_disconnected", host_id=host_id, reason="google_access_revoked")
    return changed


def reconcile_booking(
    booking_id: str, version: int, now: datetime, store: Store, calendar: Calendar, secret_store: SecretStore
) -> str:
    """Make the host's Google Calendar match the booking (level-triggered: the booking is the truth).

    Returns an outcome; raises GoogleUnavailable when Google should be asked again later.
    """
    booking = store.get_booking(booking_id)
    if booking is None:
        return "gone"
    if version < booking.version:
        return "superseded"  # the newer version's own task does the work
    if booking.synced_version >= booking.version:
        return "already_synced"  # a duplicate delivery
    host = store.get_host(booking.host_id)
    if host is None or not host.connection.is_connected:
        store.record_sync(booking.id, SyncState.FAILED, None, "host_not_connected", now)
        return "host_not_connected"
    page = store.booking_page(host.slug)
    zone = page.schedule.time_zone if page else host.time_zone
    try:
        # Apply, then look again: a change made while Google was being written (a reschedule or cancel
        # whose own task raced this one) is applied here too, so the last writer always writes the latest.
        for _ in range(3):
            if not _apply(booking, zone, calendar):
                store.change_booking(booking.id, _deleted_in_google, now)
                return "event_deleted_in_google"
            latest = store.get_booking(booking.id)
            if latest is None or latest.version == booking.version:
                break
            booking = latest
    except CalendarAccessRevoked:
        access_revoked(host.id, now, store, secret_store)
        store.record_sync(booking.id, SyncState.FAILED, None, "host_not_connected", now)
        return "host_not_connected"
    except GoogleRejected as error:
        store.record_sync(booking.id, SyncState.FAILED, None, f"google_rejected_{error.status}_{error.reason}", now)
        return "google_rejected"
    store.record_sync(booking.id, SyncState.SYNCED, booking.version, None, now)
    return "synced"


def _deleted_in_google(current: Booking) -> Booking:
    """Our event is gone from the host's calendar (deleted there): the booking is cancelled by the host."""
    if current.status is BookingStatus.CANCELLED:
        return current.model_copy(update={"synced_version": current.version, "sync_state": SyncState.SYNCED})
    return current.model_copy(
        update={
            "status": BookingStatus.CANCELLED_BY_HOST,
            "synced_version": current.version,
            "sync_state": SyncState.SYNCED,
        }
    )


def _apply(booking: Booking, zone: str, calendar: Calendar) -> bool:
    """False when the event was deleted in Google meanwhile (its id cannot be reused)."""
    if booking.status is BookingStatus.CANCELLED:
        calendar.delete_booking_event(booking.host_id, booking)
        return True
    if booking.status is BookingStatus.CANCELLED_BY_HOST:
        return True  # the host already deleted it in Google
    if booking.synced_version == 0 and calendar.insert_booking_event(booking.host_id, booking, zone):
        return True
    # Inserted before (by us, or by an earlier delivery of this task whose answer was lost): match it.
    return calendar.patch_booking_event(booking.host_id, booking, zone)


def check_our_events(host: Host, now: datetime, store: Store, calendar: Calendar) -> int:
    """Notice the host deleting or moving one of our booking events in Google; returns bookings changed.

    A deleted event cancels the booking (cancelled_by_host) and frees its time; a moved one flags it
    (needs_attention). Nothing is written back to Google, so no loop of our own writes follows.
    """
    host_id = host.id
    since = host.sync.events_checked_at - EVENTS_CHECK_OVERLAP if host.sync.events_checked_at else None
    changed, deferred = 0, False
    for event in calendar.our_events_changed_since(host_id, since):
        booking = store.get_booking(event.booking_id)
        if booking is None or booking.host_id != host_id:
            continue
        if booking.synced_version < booking.version:
            deferred = True  # our own change is on its way to Google: look at this event again next time
            continue
        # Decided again inside the transaction, from the booking as it is at commit time.
        after = store.change_booking(booking.id, partial(_host_edited, event=event), now)
        if after.status is not booking.status:
            log_event("booking_changed_in_google", booking_id=booking.id, host_id=host_id, state=after.status.value)
            changed += 1
    if not deferred:
        store.update_host(host_id, {"sync.events_checked_at": now})
    return changed


def _status_after_host_edit(booking: Booking, event: OurEvent) -> BookingStatus | None:
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.NEEDS_ATTENTION):
        return None
    if booking.synced_version < booking.version:
        return None  # our own change is on its way to Google; the event is expected to differ meanwhile
    if event.cancelled:
        return BookingStatus.CANCELLED_BY_HOST
    moved = (event.start, event.end) != (booking.start, booking.end)
    if moved and booking.status is BookingStatus.CONFIRMED:
        return BookingStatus.NEEDS_ATTENTION
    return None


def _host_edited(current: Booking, event: OurEvent) -> Booking:
    status = _status_after_host_edit(current, event)
    if status is None:
        return current
    # The calendar already shows what the host did: mark it synced so no task writes it back.
    return current.model_copy(update={"status": status, "synced_version": current.version})


def handle_push(
    channel_id: str,
    token: str,
    resource_id: str,
    state: str,
    now: datetime,
    store: Store,
    tasks: TaskQueue,
    channel_key: str,
    debounce_seconds: int,
) -> str:
    """A Google push: only a signal that something changed. Verify it, then ask for one debounced refresh."""
    if not channel_id or not token_matches(channel_key, channel_id, token):
        raise ForgedPush("the channel token does not match")
    channel = store.get_channel(channel_id)
    if channel is None:
        return "unknown_channel"  # one we replaced or stopped: it will expire on its own
    if not hmac.compare_digest(channel.resource_id, resource_id):
        raise ForgedPush("the resource id does not match the channel")
    if state == "sync":
        return "sync_acknowledged"
    host = store.get_host(channel.host_id)
    if host is None or not host.connection.is_connected:
        return "host_not_connected"
    queued = request_busy_refresh(host.id, now, tasks, window_seconds=debounce_seconds)
    return "refresh_requested" if queued else "refresh_already_requested"


def renew(
    now: datetime,
    store: Store,
    calendar: Calendar,
    tasks: TaskQueue,
    channel_key: str,
    webhook_url: str,
    renew_within: timedelta = timedelta(hours=24),
    stale_after: timedelta = timedelta(hours=6),
) -> dict[str, int]:
    """The scheduler's sweep: keep one live channel per connected host, catch up on missed pushes and on
    bookings whose calendar sync never started. Safe to run twice: a second run finds nothing to do."""
    counts = {"channels_renewed": 0, "refreshes_requested": 0, "syncs_requeued": 0, "hosts_failed": 0}
    for host in store.connected_hosts():
        try:
            channels = store.channels_of(host.id)
            if all(channel.expires_at - now < renew_within for channel in channels) and start_watching(
                host.id, now, store, calendar, channel_key, webhook_url
            ):
                counts["channels_renewed"] += 1
            if host.sync.synced_at is None or now - host.sync.synced_at > stale_after:
                counts["refreshes_requested"] += refresh_soon(host.id, stale_reason(host.sync.synced_at), tasks)
        except Exception as error:  # one host's trouble must not leave every later host unwatched
            log_exception("renewal_failed_for_host", error, host_id=host.id)
            counts["hosts_failed"] += 1
    for booking in store.pending_bookings(updated_before=now - PENDING_SYNC_GRACE):
        counts["syncs_requeued"] += sync_booking_later(booking.id, booking.version, tasks, retry_at=now)
    return counts


class ForgedPush(DomainError):
    """A push notification that did not come from a channel we opened."""
