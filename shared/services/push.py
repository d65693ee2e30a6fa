"""A Google push: only a signal that something changed. Verify it, then ask for one debounced refresh."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.errors import ForgedPush
from shared.services.busy_refresh import request_busy_refresh
from shared.services.channels import token_matches
from shared.services.ports import Ports
from shared.services.tokens import same_secret


@dataclass(frozen=True)
class Push:
    """The X-Goog-* headers of one push notification, and how long a burst of pushes is awaited before its
    one refresh (`debounce_seconds`)."""

    channel_id: str
    token: str
    resource_id: str
    state: str
    debounce_seconds: int = 20


def handle_push(push: Push, deps: Ports) -> str:
    if not push.channel_id or not token_matches(deps.keys.channel(), push.channel_id, push.token):
        raise ForgedPush("the channel token does not match")
    uow = deps.uow()
    channel = uow.channels.get(push.channel_id)
    if channel is None:
        return "unknown_channel"  # one we replaced or stopped: it will expire on its own
    if not same_secret(channel.resource_id, push.resource_id):
        raise ForgedPush("the resource id does not match the channel")
    if push.state == "sync":
        return "sync_acknowledged"
    host = uow.hosts.get(channel.host_id)
    if host is None or not host.connection.is_connected:
        return "host_not_connected"
    if host.processing_paused:
        return "processing_paused"
    queued = request_busy_refresh(host.id, deps.now(), deps.tasks, window_seconds=push.debounce_seconds)
    return "refresh_requested" if queued else "refresh_already_requested"
