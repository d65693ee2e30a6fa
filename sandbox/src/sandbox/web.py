"""A tiny werkzeug router, JSON helpers and a quiet threaded HTTP server."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from sandbox.errors import GoogleApiError

Handler = Callable[..., Response]
# (rule, methods, handler): each module contributes a list of these.
Route = tuple[str, list[str], Handler]

_log = logging.getLogger("sandbox")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, indent=1),
        status=status,
        headers=headers,
        content_type="application/json; charset=UTF-8",
    )


def google_error_response(error: GoogleApiError) -> Response:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(0, round(error.retry_after)))
    if error.code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    return json_response(error.body(), error.code, headers)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; a malformed body is Google's 400 parseError."""
    if not request.get_data():
        return {}
    try:
        body = json.loads(request.get_data())
    except ValueError as exc:
        raise GoogleApiError(400, "parseError", "Parse Error") from exc
    if not isinstance(body, dict):
        raise GoogleApiError(400, "parseError", "Parse Error")
    return body


class Router:
    """Dispatches to handlers `handler(request, **path_values) -> Response`.

    Errors raised as GoogleApiError become Google JSON errors; anything unexpected becomes a
    Google-shaped 500 (the traceback goes to stderr, never to the client).
    """

    def __init__(self, routes: Iterable[Route]) -> None:
        self._handlers: dict[str, Handler] = {}
        rules = []
        for index, (rule, methods, handler) in enumerate(routes):
            endpoint = f"r{index}"
            self._handlers[endpoint] = handler
            rules.append(Rule(rule, methods=methods, endpoint=endpoint))
        self._map = Map(rules, strict_slashes=False, merge_slashes=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        adapter = self._map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            return self._handlers[str(endpoint)](request, **values)
        except GoogleApiError as error:
            return google_error_response(error)
        except (NotFound, MethodNotAllowed) as exc:
            if request.path.startswith("/calendar/"):
                return google_error_response(GoogleApiError(exc.code or 404))
            return json_response({"error": exc.name}, exc.code or 404)
        except HTTPException as exc:
            return json_response({"error": exc.name}, exc.code or 500)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return google_error_response(GoogleApiError(500))


class _QuietRequestHandler(WSGIRequestHandler):
    """No per-request access log; errors still reach the `sandbox` logger."""

    verbose = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.verbose:
            super().log_request(code, size)

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error" or self.verbose:
            _log.log(logging.ERROR if type == "error" else logging.INFO, message, *args)


def make_http_server(host: str, port: int, app: Router, *, verbose: bool = False) -> BaseWSGIServer:
    handler = type("SandboxRequestHandler", (_QuietRequestHandler,), {"verbose": verbose})
    return make_server(host, port, app, threaded=True, request_handler=handler)
