"""Google Calendar push notification receiver."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("calendar_webhook")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("calendar_webhook"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("calendar_webhook")
)


@functions_framework.http
def calendar_webhook(request: Request) -> Response:
    return api(request)
