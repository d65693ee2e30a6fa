"""Every Firestore call has a deadline: a store that hangs or is down answers within seconds (the web
layer says 503 with Retry-After) instead of holding the request for the client library's minute.

Reads are retried on transient errors within the deadline; commits are not retried here (a commit
that may have landed must not be sent twice blindly: the caller decides again with fresh data).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.config import get_settings


def reads() -> dict[str, Any]:
    return _reads(get_settings().store_timeout_seconds)


def writes() -> dict[str, Any]:
    return {"timeout": get_settings().store_timeout_seconds, "retry": None}


@lru_cache(maxsize=4)
def _reads(timeout: float) -> dict[str, Any]:
    from google.api_core.exceptions import InternalServerError, ServiceUnavailable
    from google.api_core.retry import Retry, if_exception_type

    transient = if_exception_type(ServiceUnavailable, InternalServerError)
    return {"timeout": timeout, "retry": Retry(predicate=transient, initial=0.1, maximum=1.0, timeout=timeout)}
