"""Test fixtures: the real local stack (Firestore emulator, Google sandbox, functions over HTTP).

The stack starts once per session on free ports; every test that touches Firestore starts from an
empty database, and the sandbox forgets everything between tests.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devstack.stack import LocalStack
from shared import bootstrap
from shared.config import get_settings
from shared.web import rate_limit
from tests.support import LOG_LINES, SENSITIVE_VALUES, Browser, Google, google_for, pii_in


@pytest.fixture(autouse=True)
def isolated_env() -> Iterator[None]:
    """Each test sees the session's environment; whatever it changes is put back afterwards."""
    saved = dict(os.environ)
    get_settings.cache_clear()
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    # Pushes collapse per 2-second window here (20 s in production), so tests that wait for Google wait less.
    os.environ["KALENO_REFRESH_DEBOUNCE_SECONDS"] = "2"
    # Every test client is 127.0.0.1: per-client request limits are off here, and on (with the client in
    # X-Forwarded-For, as behind Google's load balancer) in tests/e2e/test_abuse_limits.py.
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "false"
    # The suite serves 50-way races from one process on two shared cores, where a deployed instance serves one
    # request at a time: interactive requests get 15 s here. tests/e2e/test_faults.py measures the deployed
    # bounds (shared/config.py) and sets them itself.
    os.environ["KALENO_REQUEST_DEADLINE_SECONDS"] = "15"
    local = LocalStack().start()
    yield local
    local.stop()


@pytest.fixture
def clean_stack(stack: LocalStack) -> LocalStack:
    """The stack with an empty Firestore and a fresh sandbox (queues and app secrets re-provisioned)."""
    assert stack.emulator is not None
    if stack.sandbox is not None:
        _FOREIGN_EVENTS_READ.append(google_for(stack).state()["foreign_events_read"])
        stack.sandbox.reset()  # waits for the previous test's task attempts in flight, which may still write
        stack.provision()
    stack.emulator.clear()  # only then: cleared before, the store got those attempts' writes back
    bootstrap.reset()  # as a fresh function instance: no cached clients, credentials or app secrets
    rate_limit.reset()
    return stack


@pytest.fixture
def db(clean_stack: LocalStack) -> Any:
    from google.cloud import firestore

    return firestore.Client(project=get_settings().project)


@pytest.fixture
def api(clean_stack: LocalStack) -> str:
    """Base URL of the functions over real HTTP."""
    return str(clean_stack.server.url)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


# --- Privacy: every log line the suite produces is kept and scanned for personal data at the end. ---
def pytest_sessionstart(session: pytest.Session) -> None:
    # Our own logger and, through the root logger, every library's warnings and errors.
    logging.getLogger("kaleno").addHandler(LOG_LINES)
    logging.getLogger().addHandler(LOG_LINES)


_FOREIGN_EVENTS_READ: list[int] = []  # per test, read from the sandbox before each reset


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Two promises checked over the whole suite: no personal data in logs, no foreign event ever read."""
    leaks = pii_in(LOG_LINES.lines)
    if leaks:
        print(f"\nPRIVACY: {len(leaks)} log line(s) carry personal data or tokens, e.g.:\n  {leaks[0][:300]}")
        session.exitstatus = 1
    if sum(_FOREIGN_EVENTS_READ):
        print(f"\nPRIVACY: the app was handed {sum(_FOREIGN_EVENTS_READ)} event(s) it did not create")
        session.exitstatus = 1


@pytest.fixture
def sensitive() -> set[str]:
    """Register values (tokens, names) that must never be logged."""
    return SENSITIVE_VALUES


@pytest.fixture
def log_lines() -> list[str]:
    """Every log line of the suite so far (the app runs in this process), as Cloud Logging would get them."""
    return LOG_LINES.lines


@pytest.fixture
def google(clean_stack: LocalStack) -> Google:
    return google_for(clean_stack)


@pytest.fixture
def browser(api: str) -> Browser:
    return Browser(api)
