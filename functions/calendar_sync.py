"""Cloud Tasks target: reconcile a booking with Google; refresh a host's busy mirror."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("calendar_sync")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("calendar_sync"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("calendar_sync")
)


@functions_framework.http
def calendar_sync(request: Request) -> Response:
    return api(request)
