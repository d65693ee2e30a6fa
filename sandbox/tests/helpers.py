"""Helpers the sandbox's tests import: acting as the app (OAuth code flow, Calendar client), and a local
HTTP server standing in for the app's endpoints (push receiver, task target).

Everything here speaks real HTTP to the sandbox, through the official client libraries where the app uses
them. Acting as the user or as Google goes through `sandbox.client.SandboxClient` (the `control` fixture).
(The fixtures live in conftest.py; this directory is on sys.path while pytest runs, as a rootless test
directory, so `from helpers import ...` works.)
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

CLIENT_ID = "kaleno-test"
CLIENT_SECRET = "kaleno-test-secret"
REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"
EVENTS_OWNED = "https://www.googleapis.com/auth/calendar.events.owned"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within timeout")
        time.sleep(interval)


# -- acting as the app ---------------------------------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def authorize(url: str, scopes: list[str], **params: str) -> dict[str, str]:
    """GET the authorize endpoint; returns the query of the redirect back to the app."""
    query = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": "state-123",
        **params,
    }
    response = requests.get(f"{url}/o/oauth2/v2/auth", params=query, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].startswith(REDIRECT_URI)
    return query_of(response.headers["Location"])


def sign_in(
    url: str, scopes: list[str], *, login_hint: str | None = None, nonce: str | None = None, offline: bool = True
) -> dict[str, Any]:
    """The whole code flow with PKCE; returns the token endpoint's JSON."""
    verifier, challenge = pkce_pair()
    params = {"code_challenge": challenge, "code_challenge_method": "S256"}
    if offline:
        params["access_type"] = "offline"
    if login_hint:
        params["login_hint"] = login_hint
    if nonce:
        params["nonce"] = nonce
    back = authorize(url, scopes, **params)
    response = requests.post(
        f"{url}/token",
        data={
            "grant_type": "authorization_code",
            "code": back["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def credentials(url: str, tokens: dict[str, Any]) -> Credentials:
    return Credentials(  # type: ignore[no-untyped-call]
        token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token"),
        token_uri=f"{url}/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def calendar_service(url: str, creds: Credentials) -> Any:
    return build(
        "calendar",
        "v3",
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{url}/calendar/v3/"},
    )


# -- a stand-in for the app's HTTP endpoints (push receiver, task target) --------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class SilentHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Receiver:
    """A real local HTTP server that records requests and answers with scripted statuses."""

    server: BaseWSGIServer
    requests: list[Received] = field(default_factory=list)
    statuses: deque[int] = field(default_factory=deque)
    extra_headers: dict[str, str] = field(default_factory=dict)
    callback: Callable[[Received], None] | None = None  # runs inside the request, before answering
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        received = Received(request.method, request.path, dict(request.headers), request.get_data())
        if self.callback is not None:
            self.callback(received)
        with self.lock:
            self.requests.append(received)
            status = self.statuses.popleft() if self.statuses else 200
        return Response("ok", status=status, headers=self.extra_headers)(environ, start_response)

    def received(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 5.0) -> list[Received]:
        wait_until(lambda: len(self.received(path)) >= count, timeout)
        return self.received(path)
