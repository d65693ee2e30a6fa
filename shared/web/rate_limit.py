"""Per-client request limits, kept in this instance's memory.

In production the edge enforces them across instances (Cloud Armor rate-based rules on the HTTPS load
balancer, infra/edge.tf); this limiter applies the same rules inside each instance, which is what the
local stack (one process) and its tests see, and a second line of defence behind the edge.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from flask import Request

from shared.config import get_settings
from shared.web.problems import Problem

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
    wait = window.retry_after(client_of(request, settings.trusted_proxy_hops), time.monotonic())
    if wait > 0:
        raise Problem(
            429,
            "rate-limited",
            "Too many requests",
            "This client sent too many requests; retry after the number of seconds in Retry-After.",
            headers={"Retry-After": str(math.ceil(wait))},
        )


def client_of(request: Request, trusted_proxy_hops: int) -> str:
    """The client's address: the peer, or the entry that the trusted proxies in front of us (Google's load
    balancer) appended to X-Forwarded-For; anything earlier in that header is client-supplied."""
    if trusted_proxy_hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= trusted_proxy_hops:
            return forwarded[-trusted_proxy_hops]
    return request.remote_addr or "unknown"


def reset() -> None:
    """Forget every client (tests, as a fresh instance would)."""
    with _windows_lock:
        _windows.clear()
