"""Calendar watch channels and their push notifications.

A push is a real HTTP POST with Google's X-Goog-* headers and an empty body. Deliveries run on a
small pool, never under the state lock and never on the API request's thread, so a receiver that
calls back into the sandbox cannot deadlock it. Pushes of one channel are delivered one at a time in
message-number order (Google does not promise order; in-order delivery keeps tests deterministic).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from sandbox.state import SandboxState
from sandbox.timefmt import rfc1123

CHANNEL_MAX_TTL = 604800  # seconds: Google's (and default) lifetime of an events watch channel
DELIVERY_TIMEOUT = 10.0


def resource_id_for(calendar_key: str) -> str:
    """An opaque id for "the events of this calendar", stable like Google's resourceId."""
    digest = hashlib.sha1(("events:" + calendar_key).encode()).digest()  # noqa: S324 - an identifier
    return base64.b32encode(digest).decode().lower().rstrip("=")[:27]


@dataclass
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    calendar_key: str  # the watched calendar: an account's email (lowercased) for its primary, else its id
    address: str
    token: str | None
    expiration: float  # sandbox epoch seconds
    client_id: str
    message_number: int = 0
    stopped: bool = False

    def active(self, now: float) -> bool:
        return not self.stopped and now < self.expiration

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "resourceId": self.resource_id,
            "resourceUri": self.resource_uri,
            "calendar": self.calendar_key,
            "address": self.address,
            "expiration": str(int(self.expiration * 1000)),
            "messages_sent": self.message_number,
        }


@dataclass(frozen=True)
class _Push:
    address: str
    headers: dict[str, str]
    generation: int


@dataclass
class PushTally:
    """Pushes since the last reset: waiting or being posted, answered by the receiver (any status), or
    dropped without an answer. A test waits for `pending == 0` to know every push it caused has arrived."""

    pending: int = 0
    delivered: int = 0
    failed: int = 0


class PushDelivery:
    """A pool that keeps each channel's pushes in order."""

    def __init__(self, state: SandboxState, workers: int = 4) -> None:
        self.state = state
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox-push")
        self._lock = threading.Lock()
        # Each push keeps the tally it was counted in: one queued before a reset settles in the old tally.
        self._pending: dict[str, deque[tuple[_Push, PushTally]]] = {}
        self._tally = PushTally()
        self._session = requests.Session()
        self._session.trust_env = False  # never route loopback pushes through an env proxy

    def enqueue(self, channel_id: str, push: _Push) -> None:
        with self._lock:
            self._tally.pending += 1
            queue = self._pending.get(channel_id)
            if queue is not None:
                queue.append((push, self._tally))
                return
            self._pending[channel_id] = deque([(push, self._tally)])
        self._pool.submit(self._drain, channel_id)

    def tally(self) -> PushTally:
        with self._lock:
            return PushTally(self._tally.pending, self._tally.delivered, self._tally.failed)

    def reset(self) -> None:
        """A new tally, called with the state's generation change under its lock, so no push falls between."""
        with self._lock:
            self._tally = PushTally()

    def _drain(self, channel_id: str) -> None:
        while True:
            with self._lock:
                queue = self._pending[channel_id]
                if not queue:
                    del self._pending[channel_id]
                    return
                push, tally = queue.popleft()
            # A push queued before a reset is not sent (that world is gone); its tally is no longer reported.
            answered = push.generation == self.state.generation and self._post(push)
            with self._lock:
                tally.pending -= 1
                tally.delivered += answered
                tally.failed += not answered

    def _post(self, push: _Push) -> bool:
        # A failed delivery is dropped (Google may retry with backoff; the sandbox does not).
        try:
            self._session.post(push.address, headers=push.headers, data=b"", timeout=DELIVERY_TIMEOUT)
        except requests.RequestException:
            return False
        return True

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class ChannelRegistry:
    def __init__(self, state: SandboxState, delivery: PushDelivery) -> None:
        self.state = state
        self.delivery = delivery
        self.channels: dict[str, Channel] = {}

    def reset(self) -> None:
        with self.state.lock:
            self.channels.clear()

    def active_count(self) -> int:
        with self.state.lock:
            now = self.state.clock.time()
            return sum(1 for channel in self.channels.values() if channel.active(now))

    def active(self) -> list[Channel]:
        with self.state.lock:
            now = self.state.clock.time()
            return [channel for channel in self.channels.values() if channel.active(now)]

    def open(self, channel: Channel) -> bool:
        """Register a channel and send its `sync` push; False if the id is taken by a live channel."""
        with self.state.lock:
            existing = self.channels.get(channel.id)
            if existing is not None and existing.active(self.state.clock.time()):
                return False
            self.channels[channel.id] = channel
            self._push(channel, "sync")
            return True

    def stop(self, channel_id: str, resource_id: str) -> bool:
        with self.state.lock:
            channel = self.channels.get(channel_id)
            if channel is None or channel.stopped or channel.resource_id != resource_id:
                return False
            channel.stopped = True
            return True

    def calendar_changed(self, calendar_key: str) -> None:
        """Send `exists` to every live channel watching this calendar's events (`SandboxState.resolve_calendar`'s
        key: an account's lowercased email for its primary, else the calendar id)."""
        with self.state.lock:
            now = self.state.clock.time()
            for channel in self.channels.values():
                if channel.calendar_key == calendar_key and channel.active(now):
                    self._push(channel, "exists")

    def _push(self, channel: Channel, resource_state: str) -> None:
        channel.message_number += 1
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": rfc1123(channel.expiration),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Resource-State": resource_state,
            "X-Goog-Message-Number": str(channel.message_number),
            "Content-Length": "0",
            "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self.delivery.enqueue(channel.id, _Push(channel.address, headers, self.state.generation))
