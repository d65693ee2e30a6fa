"""Per-client request limits, kept in this instance's memory.

In production the edge enforces them across instances (Cloud Armor rate-based rules on the HTTPS load
balancer, infra/edge.tf); this limiter applies the same rules inside each instance: a cheap first line that
needs no round trip. Booking writes are also counted across instances, in Firestore, in each write's own
commit (shared/services/write_limits.py); reads are limited only here and at the edge.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Request

from shared.config import get_settings
from shared.web.client_address import client_of
from shared.web.problems import Problem

if TYPE_CHECKING:
    pass

_MAX_CLIENTS = 100_000  # beyond this many tracked clients, forget them all rather than grow without bound


@dataclass
class SlidingWindow:
    """At most `limit` requests per `seconds` for each client, counted over the last `seconds`."""

    limit: int
    seconds: float
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, client: str, now: float) -> float:
        """0 if this request is allowed (and counted); else the seconds until it would be."""
        with self._lock:
            if len(self._hits) > _MAX_CLIENTS:
                self._hits.clear()
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.seconds - now
            hits.append(now)
            return 0.0


_windows: dict[str, SlidingWindow] = {}
_windows_lock = threading.Lock()


def enforce(kind: str, request: Request) -> None:
    """Raise 429 when this client has used its allowance of `kind` requests (see Settings.client_limits)."""
    settings = get_settings()
    if not settings.client_limits_enabled:
        return
    limit, seconds = settings.client_limits[kind]
    with _windows_lock:
        window = _windows.get(kind)
        if window is None or (window.limit, window.seconds) != (limit, seconds):
            window = _windows[kind] = SlidingWindow(limit, seconds)
    wait = window.retry_after(requesting_client(request), time.monotonic())
    if wait > 0:
        raise Problem(
            429,
            "rate-limited",
            "Too many requests",
            "This client sent too many requests; retry after the number of seconds in Retry-After.",
            headers={"Retry-After": str(math.ceil(wait))},
        )


def requesting_client(request: Request) -> str:
    """The client's name (its address), read where this deployment's front end puts it (client_address.py)."""
    forwarded = request.headers.getlist("X-Forwarded-For")
    return client_of(get_settings().client_address_from, request.remote_addr, forwarded)


def reset() -> None:
    """Forget every client (tests, as a fresh instance would)."""
    with _windows_lock:
        _windows.clear()
