"""Host API (session): profile, event types, schedule, bookings, disconnect."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("hosts")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("hosts"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("hosts")
)


@functions_framework.http
def hosts(request: Request) -> Response:
    return api(request)
