"""The sandbox clock: real time plus an offset that tests can push forward.

Everything time-dependent inside the sandbox (token and code expiry, channel expiry, task schedule
times, timestamps on resources, id_token iat/exp) reads this clock, so a test can jump hours ahead
instead of sleeping. A test may also move it back, to have Google mint tokens that are already expired;
`reset()` returns it to real time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []

    def time(self) -> float:
        """Seconds since the epoch, on the sandbox clock."""
        with self._lock:
            return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
            listeners = list(self._listeners)
        # Waiters (the task dispatcher) sleep in real time; wake them so that work which just
        # became due runs now rather than when their real-time timeout expires.
        for listener in listeners:
            listener()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)
