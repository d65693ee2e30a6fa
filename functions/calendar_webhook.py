"""Google Calendar push receiver: verify the channel, then ask for one debounced busy refresh."""

from __future__ import annotations

import functions_framework
from flask import Request, Response

from shared.bootstrap import services, utc_now
from shared.config import get_settings
from shared.services import calendar_sync as sync
from shared.web.endpoints import Endpoints, json_response

api = Endpoints("calendar_webhook")


@api.route("/", methods=("POST",), auth=None, summary="Google push notification (X-Goog-* headers, empty body)")
def receive(request: Request) -> Response:
    """Answered at once; the refresh itself runs as a named Cloud Task."""
    s, headers = services(), request.headers
    outcome = sync.handle_push(
        headers.get("X-Goog-Channel-ID", ""),
        headers.get("X-Goog-Channel-Token", ""),
        headers.get("X-Goog-Resource-ID", ""),
        headers.get("X-Goog-Resource-State", ""),
        utc_now(),
        s.store,
        s.tasks,
        s.secrets.app_secret("channel-token-key"),
        get_settings().refresh_debounce_seconds,
    )
    return json_response({"outcome": outcome})


@functions_framework.http
def calendar_webhook(request: Request) -> Response:
    return api(request)
