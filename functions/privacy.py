"""User rights: export, erase, restrict, object, consent."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.web.endpoints import Endpoints, not_implemented

api = Endpoints("privacy")
api.route("/", methods=("GET", "POST"), summary="Not built yet (501)")(not_implemented("privacy"))
api.route("/<path:rest>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), summary="Not built yet (501)")(
    not_implemented("privacy")
)


@functions_framework.http
def privacy(request: Request) -> Response:
    return api(request)
