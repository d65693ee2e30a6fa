"""Cloud Scheduler target: delete what is past its retention period."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("retention_purge")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("retention_purge"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("retention_purge")
)


@functions_framework.http
def retention_purge(request: Request) -> Response:
    return api(request)
