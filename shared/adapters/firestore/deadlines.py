"""Every Firestore call has a deadline: its own bound (Settings.store_timeout_seconds) or what is left of the
request's (shared/deadlines.py), whichever is less. A store that hangs or is down answers within seconds
(the web layer says 503 with Retry-After) instead of holding the request for the client library's minute.

Reads are retried on transient errors within that deadline; commits are not retried here (a commit
that may have landed must not be sent twice blindly: the caller decides again with fresh data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from shared.config import get_settings
from shared.deadlines import bounded

if TYPE_CHECKING:
    from google.api_core.retry import Retry


class ReadOptions(TypedDict):
    timeout: float
    retry: Retry


class WriteOptions(TypedDict):
    timeout: float
    retry: None


def reads() -> ReadOptions:
    from google.api_core.exceptions import InternalServerError, ServiceUnavailable
    from google.api_core.retry import Retry, if_exception_type

    timeout = _timeout()
    transient = if_exception_type(ServiceUnavailable, InternalServerError)
    return {"timeout": timeout, "retry": Retry(predicate=transient, initial=0.1, maximum=1.0, timeout=timeout)}


def writes() -> WriteOptions:
    return {"timeout": _timeout(), "retry": None}


def _timeout() -> float:
    return bounded(get_settings().store_timeout_seconds)
