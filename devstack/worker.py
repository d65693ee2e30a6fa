"""The production-like local stack's gunicorn worker: functions-framework's gthread worker, plus the moment
each request reached it.

A gthread worker accepts connections while its one thread is busy and queues them: 16 requests arriving
together at 20 workers may put several behind one another in a single worker, where a deployed instance
(Cloud Run, one request at a time) is never handed a second. So the request's deadline (shared/deadlines.py)
counts from when the request reached its worker, not from when its thread took it up: an answer that waited
in the queue still comes within the bound, as a 503 when there is no time left for the work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

from shared.deadlines import ARRIVED_AT

_ARRIVED_AT_ATTRIBUTE = "kaleno_arrived_at"


class ArrivalStampingWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
    wsgi: Callable[[dict[str, Any], Any], Iterable[bytes]]

    def init_process(self) -> None:
        self._handling = threading.local()
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        """A new connection accepted, or a kept-alive one with a request waiting: the request is here."""
        setattr(conn, _ARRIVED_AT_ATTRIBUTE, time.monotonic())
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        self._handling.arrived_at = getattr(conn, _ARRIVED_AT_ATTRIBUTE, None)
        return super().handle(conn)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app = self.wsgi

        def stamped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            arrived_at = getattr(self._handling, "arrived_at", None)
            if arrived_at is not None:
                environ[ARRIVED_AT] = arrived_at
            return app(environ, start_response)

        self.wsgi = stamped
