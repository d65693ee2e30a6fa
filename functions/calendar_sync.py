"""Cloud Tasks target: refresh one host's busy mirror, or make Google match one booking.

Explicit about retries: 2xx means done or deliberately dropped; 503 (with Retry-After) asks Cloud Tasks
to retry with backoff. Lost Google access is never retried: the host is marked disconnected once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, Field, RootModel

from shared.bootstrap import services, utc_now
from shared.config import get_settings
from shared.domain.booking import SyncState
from shared.logging import log_event
from shared.services import calendar_sync as sync
from shared.services.ports import CalendarAccessRevoked, GoogleUnavailable
from shared.web.endpoints import Endpoints, json_response
from shared.web.problems import Problem

api = Endpoints("calendar_sync")


class RefreshBusy(BaseModel):
    action: Literal["refresh_busy"]
    host_id: str


class ReconcileBooking(BaseModel):
    action: Literal["reconcile_booking"]
    booking_id: str
    version: int


class SyncTask(RootModel[Annotated[RefreshBusy | ReconcileBooking, Field(discriminator="action")]]):
    pass


@api.route("/", methods=("POST",), auth="tasks", body=SyncTask)
def run_task(request: Request, principal: dict[str, Any], body: SyncTask) -> Response:
    """Refresh a host's busy mirror, or make Google match one booking."""
    task, retries = body.root, int(request.headers.get("X-CloudTasks-TaskRetryCount", "0") or 0)
    last_attempt = retries >= get_settings().tasks_max_attempts - 1  # the queue drops the task after this one
    try:
        if isinstance(task, ReconcileBooking):
            return _reconcile(task)
        return _refresh(task)
    except GoogleUnavailable as error:
        if last_attempt and isinstance(task, ReconcileBooking):
            # Say so on the booking (the host sees it) rather than let the queue drop it silently.
            services().store.record_sync(task.booking_id, SyncState.FAILED, None, "gave_up_after_retries", utc_now())
            return json_response({"outcome": "gave_up"})
        # Google's own Retry-After is passed on; otherwise the queue's backoff decides.
        headers = {"Retry-After": str(int(error.retry_after))} if error.retry_after else {}
        raise Problem(503, "google-unavailable", "Google is unavailable", "Retry later.", headers=headers) from error


def _reconcile(task: ReconcileBooking) -> Response:
    s, now = services(), utc_now()
    outcome = sync.reconcile_booking(task.booking_id, task.version, now, s.store, s.calendar, s.secrets)
    log_event("booking_reconciled", booking_id=task.booking_id, version=task.version, outcome=outcome)
    return json_response({"outcome": outcome})


def _refresh(task: RefreshBusy) -> Response:
    s, now = services(), utc_now()
    host = s.store.get_host(task.host_id)
    if host is None or not host.connection.is_connected:
        return json_response({"outcome": "skipped"})
    try:
        sync.refresh_busy(host, now, s.store, s.calendar)
    except CalendarAccessRevoked:
        sync.access_revoked(host.id, now, s.store, s.secrets)
        return json_response({"outcome": "host_disconnected"})
    return json_response({"outcome": "refreshed"})


@functions_framework.http
def calendar_sync(request: Request) -> Response:
    return api(request)
