"""Cloud Scheduler target: renew watch channels before they expire, catch up on missed pushes and syncs."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.bootstrap import adapters
from shared.logging import log_event
from shared.services.renewal import RenewChannels, renew
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import SCHEDULER, TaskCaller

api = Endpoints("channel_renewal")


@api.queue("/", callers=SCHEDULER)
def run(request: Request, principal: TaskCaller) -> Response:
    """One sweep over connected hosts; idempotent under scheduler retries."""
    counts = renew(RenewChannels(), adapters())
    log_event("channel_renewal", **{f"{key}_count": value for key, value in counts.items()})
    return json_response(counts)


@functions_framework.http
def channel_renewal(request: Request) -> Response:
    return api(request)
