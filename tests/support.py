"""Helpers that act as a person would: a browser signing in, the host editing their Google Calendar."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from devstack.stack import LocalStack
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


@dataclass
class Google:
    """The sandbox's control API: what a person does in their Google account."""

    url: str

    def create_account(self, email: str, name: str = "Ada Lovelace", **extra: Any) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/_sandbox/accounts", json={"email": email, "name": name, **extra}, timeout=10
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def update_account(self, email: str, **changes: Any) -> None:
        requests.patch(f"{self.url}/_sandbox/accounts/{email}", json=changes, timeout=10).raise_for_status()

    def state(self) -> dict[str, Any]:
        body: dict[str, Any] = requests.get(f"{self.url}/_sandbox/state", timeout=10).json()
        return body

    def tokens(self, email: str) -> list[str]:
        body = requests.get(f"{self.url}/_sandbox/accounts/{email}/tokens", timeout=10).json()
        found: list[str] = []
        for value in body.values() if isinstance(body, dict) else [body]:
            found.extend(value if isinstance(value, list) else [value])
        return [token for token in found if isinstance(token, str)]

    def revoke_all(self, email: str) -> None:
        requests.post(f"{self.url}/_sandbox/accounts/{email}/revoke", timeout=10).raise_for_status()

    def oidc_token(self, audience: str, email: str) -> str:
        response = requests.post(
            f"{self.url}/_sandbox/oidc_token", json={"audience": audience, "email": email}, timeout=10
        )
        response.raise_for_status()
        return str(response.json()["token"])

    def fault(self, method: str, status: int, count: int = 1, **extra: Any) -> None:
        requests.post(
            f"{self.url}/_sandbox/faults",
            json={"method": method, "status": status, "count": count, **extra},
            timeout=10,
        ).raise_for_status()

    def add_event(self, email: str, event: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{self.url}/_sandbox/calendars/{email}/events", json=event, timeout=10)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def events(self, email: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = requests.get(f"{self.url}/_sandbox/calendars/{email}/events", timeout=10).json()[
            "items"
        ]
        return items

    def drain_tasks(self, timeout: float = 20) -> None:
        response = requests.post(f"{self.url}/_sandbox/tasks/drain", json={"timeout": timeout}, timeout=timeout + 5)
        assert response.json().get("idle") is True, response.text


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
