"""Cloud Scheduler target: delete what is past its retention period."""

from __future__ import annotations

from typing import Any

import functions_framework
from flask import Request, Response

from shared.bootstrap import adapters, utc_now
from shared.logging import log_event
from shared.services.retention import purge_expired
from shared.web.endpoints import Endpoints, json_response

api = Endpoints("retention_purge")


@api.route("/", methods=("POST",), auth="scheduler")
def run(request: Request, principal: dict[str, Any]) -> Response:
    """Delete expired OAuth states, sessions, idempotency keys and claims on past time; idempotent."""
    counts = purge_expired(utc_now(), adapters().uow())
    log_event("retention_purge", **{key.removesuffix("_deleted") + "_count": n for key, n in counts.items()})
    return json_response(counts)


@functions_framework.http
def retention_purge(request: Request) -> Response:
    return api(request)
