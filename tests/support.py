"""Helpers that act as a person would: a browser signing in, the host editing their Google Calendar."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from devstack.stack import LocalStack
from sandbox.client import SandboxClient
from shared.logging import CloudLoggingFormatter

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class LogCollector(logging.Handler):
    """Keeps every log record, formatted exactly as the app writes it for Cloud Logging."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(CloudLoggingFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


LOG_LINES = LogCollector()
# A public page's owner with no picture, no brand colour and the default language (a team has none of its own).
NO_LOOK = {"avatar_url": None, "brand_color": None, "locale": "en"}
SENSITIVE_VALUES: set[str] = set()  # tokens and names tests create; none may ever appear in a log line


def pii_in(lines: list[str]) -> list[str]:
    """Lines carrying an email address or a registered sensitive value."""
    return [line for line in lines if _EMAIL.search(line) or any(value in line for value in SENSITIVE_VALUES)]


def unique_email(prefix: str = "host") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Google(SandboxClient):
    """The sandbox's control API: what a person does in their Google account, and what Google does (faults,
    clock, task queues). All of it is `sandbox.client.SandboxClient`; this name is the one the tests use."""


class Browser:
    """A host's browser: follows redirects by hand so each hop can be checked; sends Origin on writes."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.session = requests.Session()
        self.session.headers["Origin"] = api

    def start_sign_in(self, return_to: str = "/", login_hint: str | None = None) -> requests.Response:
        params = {"return_to": return_to, **({"login_hint": login_hint} if login_hint else {})}
        return self.session.get(f"{self.api}/oauth/start", params=params, allow_redirects=False)

    def consent(self, authorize_url: str) -> str:
        """Google's consent screen (auto-consent in the sandbox): returns our callback URL."""
        response = self.session.get(authorize_url, allow_redirects=False)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    def sign_in(self, email: str, return_to: str = "/") -> requests.Response:
        start = self.start_sign_in(return_to, login_hint=email)
        assert start.status_code == 302, start.text
        callback = self.consent(start.headers["Location"])
        return self.session.get(callback, allow_redirects=False)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.api}{path}", **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.api}{path}", **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.patch(f"{self.api}{path}", **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.put(f"{self.api}{path}", **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(f"{self.api}{path}", **kwargs)


def host_with_hours(
    browser: Browser, google: Google, zone: str, weekly: dict[str, list[list[str]]], **event_type: Any
) -> tuple[str, str]:
    """A connected host in `zone` with one event type; returns (host slug, host email)."""
    email = unique_email()
    google.create_account(email, time_zone=zone)
    assert browser.sign_in(email).status_code == 302
    slug = f"h-{email.split('@')[0][5:]}"
    assert browser.patch("/hosts/me", json={"slug": slug, "time_zone": zone}).status_code == 200
    assert browser.put("/hosts/me/schedule", json={"time_zone": zone, "weekly": weekly}).status_code == 200
    body = {"slug": "call", "title": "Call", "duration_minutes": 30, "booking_window_days": 366, **event_type}
    created = browser.post("/hosts/me/event-types", json=body)
    assert created.status_code == 201, created.text
    google.drain_tasks()  # the longer window extends the busy mirror in the background
    return slug, email


def all_documents(db: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every document in the emulator, sub-collections included, as (path, data)."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(collections: Any) -> None:
        for collection in collections:
            for ref in collection.list_documents():
                snapshot = ref.get()
                if snapshot.exists:
                    found.append((ref.path, snapshot.to_dict()))
                walk(ref.collections())

    walk(db.collections())
    return found


def google_for(stack: LocalStack) -> Google:
    assert stack.sandbox is not None, "the Google sandbox is required"
    return Google(stack.sandbox.http_url)
