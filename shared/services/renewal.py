"""The scheduler's sweep: keep one live channel per conflict calendar of each connected host, catch up on
missed pushes, and heal calendar syncs that never started or that failed (retried hourly while they can
still succeed). Safe to run twice: a second run within the hour finds nothing new to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared.logging import log_exception
from shared.services.booking_sync import PENDING_SYNC_GRACE, sync_booking_later
from shared.services.busy_refresh import refresh_soon, stale_reason
from shared.services.channels import start_watching
from shared.services.ports import Ports

RENEW_WITHIN = timedelta(hours=24)
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class RenewChannels:
    """What the sweep is asked: renew channels expiring within `renew_within`, refresh mirrors older than
    `stale_after`, and requeue the syncs that need it."""

    renew_within: timedelta = RENEW_WITHIN
    stale_after: timedelta = STALE_AFTER


def renew(command: RenewChannels, deps: Ports) -> dict[str, int]:
    uow, tasks, now = deps.uow(), deps.tasks, deps.now()
    renew_before = now + command.renew_within  # a channel expiring earlier is renewed now
    counts = {"channels_renewed": 0, "refreshes_requested": 0, "syncs_requeued": 0, "hosts_failed": 0}
    for host in uow.hosts.connected():
        if host.processing_paused:
            continue  # restricted or objected to: no calendar reads until lifted
        try:
            lasting = {c.calendar_id for c in uow.channels.of_host(host.id) if c.expires_at >= renew_before}
            renewing = frozenset(host.calendars.watched) - lasting  # expiring soon, or never opened
            if renewing and start_watching(host.id, deps, only=renewing):
                counts["channels_renewed"] += 1
            if host.sync.synced_at is None or now - host.sync.synced_at > command.stale_after:
                counts["refreshes_requested"] += refresh_soon(host.id, stale_reason(host.sync.synced_at), tasks)
        except Exception as error:  # one host's trouble must not leave every later host unwatched
            log_exception("renewal_failed_for_host", error, host_id=host.id)
            counts["hosts_failed"] += 1
    for booking in uow.bookings.sync_unsettled(updated_before=now - PENDING_SYNC_GRACE):
        if not booking.sync_retryable(now):
            continue
        try:  # named per booking version and hour: a sync that keeps failing is retried hourly, not faster
            counts["syncs_requeued"] += sync_booking_later(booking.id, booking.version, tasks, retry_at=now)
        except Exception as error:  # one failed enqueue must not end the sweep
            log_exception("sync_requeue_failed", error, booking_id=booking.id)
    return counts
