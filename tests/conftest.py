"""Test fixtures: the real local stack (Firestore emulator, Google sandbox, functions over HTTP).

The stack starts once per session on free ports; every test that touches Firestore starts from an
empty database, and the sandbox forgets everything between tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devstack.stack import LocalStack
from shared.config import get_settings


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
    local = LocalStack().start()
    yield local
    local.stop()


@pytest.fixture
def clean_stack(stack: LocalStack) -> LocalStack:
    """The stack with an empty Firestore and a fresh sandbox (queues and app secrets re-provisioned)."""
    assert stack.emulator is not None
    stack.emulator.clear()
    if stack.sandbox is not None:
        stack.sandbox.reset()
        stack.provision()
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
