"""Cloud Tasks target: refresh one host's busy mirror (booking reconciliation follows).

Explicit about retries: 2xx means done or deliberately dropped; 503 (with Retry-After) asks Cloud Tasks
to retry with backoff. Lost Google access is never retried: the host is marked disconnected once.
"""

from __future__ import annotations

from typing import Any, Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel

from shared.bootstrap import services, utc_now
from shared.services import calendar_sync as sync
from shared.services.ports import CalendarAccessRevoked, GoogleUnavailable
from shared.web.endpoints import Endpoints, json_response
from shared.web.problems import Problem

api = Endpoints("calendar_sync")


class RefreshBusy(BaseModel):
    action: Literal["refresh_busy"]
    host_id: str


@api.route("/", methods=("POST",), auth="tasks", body=RefreshBusy)
def run_task(request: Request, principal: dict[str, Any], body: RefreshBusy) -> Response:
    """Refresh a host's busy mirror from Google free/busy."""
    s, now = services(), utc_now()
    host = s.store.get_host(body.host_id)
    if host is None or not host.connection.is_connected:
        return json_response({"outcome": "skipped"})
    try:
        sync.refresh_busy(host.id, now, s.store, s.calendar)
    except CalendarAccessRevoked:
        sync.access_revoked(host.id, now, s.store, s.secrets)
        return json_response({"outcome": "host_disconnected"})
    except GoogleUnavailable as error:
        raise Problem(
            503,
            "google-unavailable",
            "Google is unavailable",
            "Retry later.",
            headers={"Retry-After": str(int(error.retry_after or 5))},
        ) from error
    return json_response({"outcome": "refreshed"})


@functions_framework.http
def calendar_sync(request: Request) -> Response:
    return api(request)
