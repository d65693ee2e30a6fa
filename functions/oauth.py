"""Google sign-in and calendar connection."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("oauth")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("oauth"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("oauth")
)


@functions_framework.http
def oauth(request: Request) -> Response:
    return api(request)
