"""Google watch channels: a change signal per host, verified by a per-channel token we derive."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import uuid
from datetime import datetime

from shared.logging import log_event
from shared.services.connection import access_revoked
from shared.services.errors import CalendarAccessRevoked, GoogleUnavailable
from shared.services.ports import Calendar, UnitOfWork
from shared.services.records import Channel
from shared.services.tokens import same_secret


def channel_token(channel_key: str, channel_id: str) -> str:
    """Per-channel secret sent back by Google on every push; derived, so nothing needs storing."""
    return hmac.new(channel_key.encode(), f"channel:{channel_id}".encode(), hashlib.sha256).hexdigest()


def token_matches(channel_key: str, channel_id: str, token: str) -> bool:
    return same_secret(channel_token(channel_key, channel_id), token)


def start_watching(
    host_id: str, now: datetime, uow: UnitOfWork, calendar: Calendar, channel_key: str, webhook_url: str
) -> bool:
    """Open a new channel first, then stop the older ones, so the host is never unwatched."""
    channel_id = f"kal-{uuid.uuid4().hex}"
    try:
        channel = calendar.watch(host_id, channel_id, channel_token(channel_key, channel_id), webhook_url)
    except CalendarAccessRevoked:
        access_revoked(host_id, now, uow)
        return False
    except GoogleUnavailable:
        log_event("watch_deferred", host_id=host_id)  # channel renewal retries hosts without a channel
        return False
    with uow:
        uow.channels.add(channel)
        uow.commit()
    for old in uow.channels.of_host(host_id):
        if old.id != channel.id:
            _stop(old, uow, calendar)
    return True


def stop_watching(host_id: str, uow: UnitOfWork, calendar: Calendar) -> None:
    for channel in uow.channels.of_host(host_id):
        _stop(channel, uow, calendar)


def _stop(channel: Channel, uow: UnitOfWork, calendar: Calendar) -> None:
    # Google stops pushing at expiry anyway, and pushes for unknown channels are ignored.
    with contextlib.suppress(CalendarAccessRevoked, GoogleUnavailable):
        calendar.stop_channel(channel.host_id, channel)
    with uow:
        uow.channels.remove(channel.id)
        uow.commit()
