"""Cloud Scheduler target: renew watch channels before they expire."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("channel_renewal")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("channel_renewal"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("channel_renewal")
)


@functions_framework.http
def channel_renewal(request: Request) -> Response:
    return api(request)
