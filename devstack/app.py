"""One WSGI app serving every function at /<function_name>, as Cloud Functions URLs are.

Each function is its own functions-framework app (`create_app(target, "functions/main.py")`), mounted
with werkzeug's DispatcherMiddleware; the root app serves /healthz, /openapi.json and the web client.
`python -m devstack` serves it with functions-framework's production server (devstack/serve.py); the
tests with `ServerThread`, in their own process.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import mimetypes
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from shared.web.endpoints import check_header_sizes, secure_headers
from shared.web.problems import INTERNAL, RETRY_AFTER_SECONDS, Problem

if TYPE_CHECKING:
    from shared.services.ports import Ports
    from shared.web.pages import ClientPage
    from shared.web.previews import LinkPreview

    Previewer = Callable[[str, Ports], LinkPreview | None]

ROOT = Path(__file__).resolve().parent.parent
SOURCE = str(ROOT / "functions" / "main.py")
WEB = ROOT / "web"


def _problem_for_http_error(error: HTTPException) -> Response:
    return Problem(
        error.code or 500,
        "not-found" if error.code == 404 else "http-error",
        error.name,
        error.description if error.code != 500 else None,
    ).to_response()


def _function_app(name: str) -> Flask:
    import functions_framework

    app: Flask = functions_framework.create_app(name, SOURCE)
    # Never let the framework's crash handler put exception text in a body.
    app.register_error_handler(HTTPException, _problem_for_http_error)
    app.register_error_handler(500, lambda _e: INTERNAL.to_response())
    return app


def _at_function_root(wsgi_app: Any) -> Any:
    """`/bookings` reaches the mounted function with an empty path, which Flask would answer with a 308 to
    `/bookings/` (a POST redirect costs a round trip and breaks naive clients). Cloud Functions hands the
    function "/" for its bare URL; so does the local stack."""

    def at_root(environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("PATH_INFO"):
            environ["PATH_INFO"] = "/"
        return wsgi_app(environ, start_response)

    return at_root


def build_app(health_checks: Iterable[Callable[[], bool]] = ()) -> Flask:
    from functions.main import FUNCTIONS, ROUTE_TABLES

    checks = list(health_checks)
    root = Flask("kaleno-dev")
    root.register_error_handler(HTTPException, _problem_for_http_error)

    @root.before_request
    def header_sizes() -> Response | None:
        """The pages and documents refuse an oversized header as the functions do (431 problem+json)."""
        try:
            check_header_sizes(request.headers.items())
        except Problem as problem:
            return problem.to_response()
        return None

    @root.after_request
    def strict_transport(response: Response) -> Response:
        """The pages and documents as the functions answer: HSTS whenever served over HTTPS."""
        secure_headers(response, personal=False)
        return response

    @root.get("/healthz")
    def healthz() -> Response:
        up = all(check() for check in checks)
        return Response(
            json.dumps({"status": "ok" if up else "starting"}),
            status=200 if up else 503,
            mimetype="application/json",
            headers=None if up else {"Retry-After": RETRY_AFTER_SECONDS},  # every 503 says when to look again
        )

    @root.get("/openapi.json")
    def openapi() -> Response:
        from shared.config import get_settings
        from shared.web.openapi import build_openapi

        document = build_openapi(ROUTE_TABLES, get_settings().base_url)
        return Response(json.dumps(document), mimetype="application/json")

    # The web client's pages, rendered from their templates (shared/web/pages.py) at the public addresses;
    # production's edge maps the same addresses to the bookings function's /bookings/html/... (infra/edge.tf).
    @root.get("/")
    def dashboard() -> Response:
        return _page("dashboard")

    @root.get("/dashboard")
    def dashboard_home() -> Response:
        return _page("dashboard")

    @root.get("/dashboard/<section>")
    def dashboard_section(section: str) -> Response:
        from shared.web.pages import dashboard_page

        try:
            return _compressed(dashboard_page(section, request))
        except Problem as problem:
            return problem.to_response()

    @root.get("/<host_slug>/<event_type_slug>")
    def booking_page(host_slug: str, event_type_slug: str) -> Response:
        from shared.web.previews import booking_preview

        return _page(
            "book", lambda base_url, ports: booking_preview(host_slug, event_type_slug, request, base_url, ports)
        )

    @root.get("/<host_slug>")
    def host_page(host_slug: str) -> Response:
        """The host's public page (their public event types). Only slug-shaped paths: anything else stays 404."""
        from shared.domain.event_type import SLUG_PATTERN

        if not re.fullmatch(SLUG_PATTERN, host_slug):
            return Problem(404, "not-found", "Not found", "No such page.").to_response()
        from shared.web.previews import host_preview

        return _page("host", lambda base_url, ports: host_preview(host_slug, request, base_url, ports))

    @root.get("/manage")
    def manage_page() -> Response:
        return _page("manage")

    @root.get("/privacy-rights")
    def privacy_rights() -> Response:
        return _page("privacy-rights")

    # The benchmark's empty page (bench/web_client.py), served as the pages are; local only.
    @root.get("/web/blank.html")
    def blank_page() -> Response:
        return _page("blank")

    # Rendered from the code and settings (shared/web/pages.py); production routes these two paths to the
    # privacy function's /privacy/policy and /privacy/cookie-policy (infra/edge.tf).
    @root.get("/privacy-policy")
    def privacy_policy() -> Response:
        from shared.config import get_settings
        from shared.web.pages import privacy_policy

        return privacy_policy(get_settings(), request)

    @root.get("/cookie-policy")
    def cookie_policy() -> Response:
        from shared.config import get_settings
        from shared.web.pages import cookie_policy

        return cookie_policy(get_settings(), request)

    @root.get("/web/<path:name>")
    def web_asset(name: str) -> Response:
        return _static(name)

    # The embed script where other sites load it from (production: the bucket's web/js/embed.js, infra/edge.tf).
    @root.get("/embed.js")
    def embed_script() -> Response:
        return _static("js/embed.js")

    # A Flask app on the outside (functions-framework's server serves Flask apps with gunicorn), the
    # functions mounted inside it.
    root.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        root.wsgi_app, {f"/{name}": _at_function_root(_function_app(name)) for name in FUNCTIONS}
    )
    return root


_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


def _static(name: str) -> Response:
    from shared.web.pages import PAGE_HEADERS  # the pages' own: nothing from another origin, ETag revalidation

    path = (WEB / name).resolve()
    if WEB.resolve() not in path.parents or not path.is_file():
        return Problem(404, "not-found", "Not found", "No such page.").to_response()
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    body = path.read_bytes()
    response = Response(body, mimetype=mimetype, headers=PAGE_HEADERS)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)
    return _compressed(response)


def _page(page: ClientPage, previewed: Previewer | None = None) -> Response:
    """A page of the web client; a host's or booking page with its link preview, read as the function reads it
    (functions/bookings.py host_html, booking_html)."""
    from shared.bootstrap import adapters
    from shared.config import get_settings
    from shared.web.pages import client_page

    preview = previewed(get_settings().base_url.rstrip("/"), adapters()) if previewed else None
    return _compressed(client_page(page, request, preview))


def _compressed(response: Response) -> Response:
    """Compressed as any static host (Firebase Hosting, a CDN) would, so the benchmark's bytes are realistic."""
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if (
        response.status_code == 200
        and (response.mimetype or "").startswith(_COMPRESSIBLE)
        and request.accept_encodings["gzip"] > 0
        and len(body) > 512
    ):
        response.set_data(_gzipped(body))
        response.headers["Content-Encoding"] = "gzip"
    return response


@functools.lru_cache(maxsize=64)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


class _KeepAliveHandler(WSGIRequestHandler):
    # HTTP/1.1 keeps connections open between requests, as Google's front end does for real functions.
    protocol_version = "HTTP/1.1"


class ServerThread:
    """The app on a real loopback HTTP server in a background thread (tests and `make run`)."""

    def __init__(self, app: Any, port: int) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # access lines would carry raw paths
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=_KeepAliveHandler
        )
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def pids(self) -> set[int]:
        return {os.getpid()}  # served from this process

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=5)
