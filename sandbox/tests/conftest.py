"""One sandbox per session, reset before every test; its control API client; a Calendar client signed in as a
new account; a receiver standing in for the app's HTTP endpoints. The helpers these fixtures use are in helpers.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    EVENTS_OWNED,
    Receiver,
    SilentHandler,
    calendar_service,
    credentials,
    sign_in,
)
from sandbox.client import SandboxClient
from sandbox.server import Sandbox, start_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    running = start_sandbox(clients={CLIENT_ID: CLIENT_SECRET})
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox: Sandbox) -> None:
    sandbox.reset()


@pytest.fixture
def url(sandbox: Sandbox) -> str:
    return sandbox.http_url


@pytest.fixture
def control(url: str) -> SandboxClient:
    """The control API: acting as the user (accounts, their calendar) or as Google (faults, clock, tasks)."""
    return SandboxClient(url)


@pytest.fixture
def app_calendar(url: str, control: SandboxClient) -> Callable[..., Any]:
    """calendar(email, scopes) -> a Calendar v3 client signed in as that (new) account."""

    def make(email: str, scopes: list[str] | None = None, **account: Any) -> Any:
        control.create_account(email, **account)
        tokens = sign_in(url, scopes or [EVENTS_OWNED], login_hint=email)
        return calendar_service(url, credentials(url, tokens))

    return make


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}
    server = make_server("127.0.0.1", 0, lambda e, s: holder["r"](e, s), threaded=True, request_handler=SilentHandler)
    holder["r"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()
