"""Google Calendar push receiver: verify the channel, then ask for one debounced busy refresh."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.services.push import Push, handle_push
from shared.web.endpoints import Endpoints, json_response

api = Endpoints("calendar_webhook")


@api.public("/", methods=("POST",), summary="Google push notification (X-Goog-* headers, empty body)")
def receive(request: Request) -> Response:
    """Answered at once; the refresh itself runs as a named Cloud Task."""
    headers = request.headers
    push = Push(
        channel_id=headers.get("X-Goog-Channel-ID", ""),
        token=headers.get("X-Goog-Channel-Token", ""),
        resource_id=headers.get("X-Goog-Resource-ID", ""),
        state=headers.get("X-Goog-Resource-State", ""),
        debounce_seconds=get_settings().refresh_debounce_seconds,
    )
    outcome = handle_push(push, adapters())
    return json_response({"outcome": outcome})


@functions_framework.http
def calendar_webhook(request: Request) -> Response:
    return api(request)
