"""Google watch channels: a change signal per conflict calendar of each host, verified by a per-channel
token we derive."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import uuid

from shared.logging import log_event
from shared.services.connection import mark_revoked
from shared.services.errors import CalendarAccessRevoked, GoogleRejected, GoogleUnavailable
from shared.services.ports import CalendarWatch, Ports, UnitOfWork
from shared.services.records import Channel
from shared.services.tokens import same_secret


def channel_token(channel_key: str, channel_id: str) -> str:
    """Per-channel secret sent back by Google on every push; derived, so nothing needs storing."""
    return hmac.new(channel_key.encode(), f"channel:{channel_id}".encode(), hashlib.sha256).hexdigest()


def token_matches(channel_key: str, channel_id: str, token: str) -> bool:
    return same_secret(channel_token(channel_key, channel_id), token)


def start_watching(host_id: str, deps: Ports, only: frozenset[str] | None = None) -> bool:
    """Open a new channel on each of the host's watched calendars (conflict calendars and the write calendar;
    or those of them in `only`) first, then stop the channels they replace and those of calendars no longer
    chosen, so no chosen calendar is ever unwatched. False when Google could not be reached (the renewal
    sweep tries again).

    Safe to run concurrently (two saves of the calendar choice): only channels that existed before this
    call are replaced, so two racing calls never stop each other's new channels (a spare one expires or
    is replaced by the sweep), and calendars are judged against the choice as stored after opening, so the
    last choice saved decides which calendars keep a channel."""
    uow, calendar = deps.uow(), deps.calendar_watch
    host = uow.hosts.get(host_id)
    if host is None:
        return False
    channel_key, webhook_url = deps.keys.channel(), deps.links.calendar_webhook()
    earlier = {channel.id for channel in uow.channels.of_host(host_id)}
    chosen = host.calendars.watched
    renewing = tuple(calendar_id for calendar_id in chosen if only is None or calendar_id in only)
    opened: set[str] = set()
    for calendar_id in renewing:
        channel_id = f"kal-{uuid.uuid4().hex}"
        try:
            channel = calendar.watch(
                host_id, calendar_id, channel_id, channel_token(channel_key, channel_id), webhook_url
            )
        except CalendarAccessRevoked:
            mark_revoked(host_id, deps.now(), uow)
            return False
        except GoogleUnavailable:
            log_event("watch_deferred", host_id=host_id)  # channel renewal retries hosts without a channel
            return False
        except GoogleRejected as error:
            # e.g. a calendar shared with the host that Google will not watch for us: its busy times are
            # still read by every refresh (a push, the 6-hourly sweep), only without its own signal.
            log_event("watch_refused", host_id=host_id, status=error.status, reason=error.reason)
            continue
        with uow:
            uow.channels.add(channel)
            uow.commit()
        opened.add(channel.id)
    current = uow.hosts.get(host_id)
    still_chosen = current.calendars.watched if current is not None else ()
    for old in uow.channels.of_host(host_id):
        replaced = old.id in earlier and old.id not in opened and old.calendar_id in renewing
        if replaced or old.calendar_id not in still_chosen:
            _stop(old, uow, calendar)
    return True


def stop_watching(host_id: str, deps: Ports) -> None:
    uow = deps.uow()
    for channel in uow.channels.of_host(host_id):
        _stop(channel, uow, deps.calendar_watch)


def _stop(channel: Channel, uow: UnitOfWork, calendar: CalendarWatch) -> None:
    # Google stops pushing at expiry anyway, and pushes for unknown channels are ignored.
    with contextlib.suppress(CalendarAccessRevoked, GoogleUnavailable):
        calendar.stop_channel(channel.host_id, channel)
    with uow:
        uow.channels.remove(channel.id)
        uow.commit()
