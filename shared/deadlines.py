"""One deadline per request, not one per dependency call.

A request that makes several calls (a booking reads, may look again after a lost race, commits and
enqueues) would otherwise take the sum of their timeouts when a dependency hangs. The web layer opens
`within(seconds)` around each request; every adapter asks `bounded(its own timeout)` before a call, so
the call gets what is left at most, and a request whose time is spent makes no further call
(`DeadlineSpent`, answered 503 with Retry-After like any dependency that is down). Retry loops ask
`check()` before another round. Outside a request (scripts, provisioning) there is no deadline and each
call keeps its own bound.

The deadline lives in a context variable: each request thread has its own, and work handed to another
thread must carry it along (`carried`).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, Protocol, TypeVar

from shared.services.errors import DeadlineSpent

P = ParamSpec("P")
T = TypeVar("T")


class LockLike(Protocol):
    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...


# A call is not started with less than this left: it could not answer in time anyway.
MINIMUM_CALL_SECONDS = 0.05

# A WSGI environ key a server may set to when (`time.monotonic()`, in the app's own process) the request
# reached the process that runs it: the deadline then counts time spent queued there behind other requests
# (the local production-like stack's gunicorn workers do, devstack/worker.py; on Cloud Run an instance is
# handed one request at a time, so none waits inside it).
ARRIVED_AT = "kaleno.arrived_at"

_ENDS_AT: contextvars.ContextVar[float | None] = contextvars.ContextVar("kaleno_deadline", default=None)


@contextmanager
def within(seconds: float, since: float | None = None) -> Iterator[None]:
    """Everything inside (on this thread, and work `carried` from it) ends within `seconds` of `since` (a
    `time.monotonic()` reading; now by default); a deadline already running (an outer one) is never
    extended."""
    ends_at = (time.monotonic() if since is None else since) + seconds
    outer = _ENDS_AT.get()
    token = _ENDS_AT.set(ends_at if outer is None else min(outer, ends_at))
    try:
        yield
    finally:
        _ENDS_AT.reset(token)


@contextmanager
def leaving(seconds: float) -> Iterator[None]:
    """A deadline inside the current one that ends `seconds` before it: for best-effort work (a mirror
    extension) that must leave time for what follows it (queueing it for later instead)."""
    left = remaining()
    if left is None:
        yield
        return
    with within(max(0.0, left - seconds)):
        yield


def remaining() -> float | None:
    """Seconds left to the request's deadline (negative once spent); None outside a deadline."""
    ends_at = _ENDS_AT.get()
    return None if ends_at is None else ends_at - time.monotonic()


def check() -> None:
    """Raise `DeadlineSpent` when too little is left to start another call (or another round of a retry loop)."""
    left = remaining()
    if left is not None and left < MINIMUM_CALL_SECONDS:
        raise DeadlineSpent("the request's deadline is spent")


def bounded(own_seconds: float) -> float:
    """The timeout of a dependency call about to start: its own bound, or what is left if that is less."""
    check()
    left = remaining()
    return own_seconds if left is None else min(own_seconds, left)


@contextmanager
def holding(lock: LockLike) -> Iterator[None]:
    """`with lock:` that waits no longer than the request may (another request may hold the lock while it
    waits on a dependency that hangs)."""
    left = remaining()
    if left is None:
        lock.acquire()
    else:
        check()
        if not lock.acquire(timeout=left):
            raise DeadlineSpent("the request's deadline was spent waiting for another request's call")
    try:
        yield
    finally:
        lock.release()


def carried(work: Callable[P, T]) -> Callable[P, T]:
    """`work` to run on another thread under this thread's deadline (a thread pool starts without it)."""
    context = contextvars.copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return context.run(work, *args, **kwargs)

    return run
