"""Public booking API: pages, slots, create, view, cancel, reschedule."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("bookings")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("bookings"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("bookings")
)


@functions_framework.http
def bookings(request: Request) -> Response:
    return api(request)
