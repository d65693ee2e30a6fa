"""Cloud Tasks target: refresh one host's busy mirror, or make Google match one booking.

Explicit about retries: 2xx means done or deliberately dropped (a payload that can never succeed is
acknowledged and logged, shared/web/endpoints.py); 503 (with Retry-After) asks Cloud Tasks to retry with
backoff. Lost Google access is never retried: the host is marked disconnected once.
"""

from __future__ import annotations

from typing import Annotated, Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, Field, RootModel

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.ids import BOOKING_ID_PATTERN, HOST_ID_PATTERN
from shared.services import booking_sync, busy_refresh
from shared.services.errors import GoogleUnavailable
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import TASKS, TaskCaller
from shared.web.problems import Problem

api = Endpoints("calendar_sync")


class RefreshBusy(BaseModel):
    action: Literal["refresh_busy"]
    host_id: str = Field(pattern=HOST_ID_PATTERN)  # becomes a document id: "__name__" is not one


class ReconcileBooking(BaseModel):
    action: Literal["reconcile_booking"]
    booking_id: str = Field(pattern=BOOKING_ID_PATTERN)
    version: int


class SyncTask(RootModel[Annotated[RefreshBusy | ReconcileBooking, Field(discriminator="action")]]):
    pass


@api.queue("/", callers=TASKS, body=SyncTask)
def run_task(request: Request, principal: TaskCaller, body: SyncTask) -> Response:
    """Refresh a host's busy mirror, or make Google match one booking."""
    task, ports = body.root, adapters()
    retries = request.headers.get("X-CloudTasks-TaskRetryCount", 0, type=int)  # not a number: a first try
    try:
        if isinstance(task, ReconcileBooking):
            last_attempt = retries >= get_settings().tasks_max_attempts - 1  # the queue drops the task after it
            command = booking_sync.ReconcileBooking(task.booking_id, task.version, retries, last_attempt)
            outcome = booking_sync.reconcile_task(command, ports)
        else:
            outcome = busy_refresh.refresh_task(busy_refresh.RefreshBusy(task.host_id), ports)
    except GoogleUnavailable as error:
        # Google's own Retry-After is passed on; otherwise the queue's backoff decides.
        headers = {"Retry-After": str(int(error.retry_after))} if error.retry_after else {}
        raise Problem(503, "google-unavailable", "Google is unavailable", "Retry later.", headers=headers) from error
    return json_response({"outcome": outcome})


@functions_framework.http
def calendar_sync(request: Request) -> Response:
    return api(request)
