"""Hostile input over real HTTP: every case answers a 4xx problem+json, never a 500 (issue 14, items 5 and 7)."""

from __future__ import annotations

import json
import socket
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


@pytest.fixture
def host(browser: Browser, google: Google) -> str:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    return slug


def _slots(api: str, slug: str, first: str, last: str, tz: str = "UTC") -> requests.Response:
    return requests.get(
        f"{api}/bookings/pages/{slug}/call/slots", params={"from": first, "to": last, "tz": tz}, timeout=10
    )


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-30", "9999-12-31"),
        ("0001-01-01", "9999-12-31"),
    ],
)
def test_slot_dates_at_the_ends_of_the_calendar_are_refused(api: str, host: str, first: str, last: str) -> None:
    for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        response = _slots(api, host, first, last, tz)

        assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
)
def test_booking_starts_at_the_ends_of_the_calendar_are_refused(api: str, host: str, start: str) -> None:
    body = {**booking_body(host, day_ahead(7, 10)), "start": start}

    response = post_booking(api, body)

    problem = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in problem["errors"]] == ["start"]


@pytest.mark.parametrize("start", ["9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+14:00"])
def test_reschedule_to_the_ends_of_the_calendar_is_refused(api: str, host: str, start: str) -> None:
    created = post_booking(api, booking_body(host, day_ahead(7, 10))).json()

    response = requests.post(
        f"{api}/bookings/{created['id']}/reschedule",
        json={"start": start},
        headers={"Authorization": f"Bearer {created['manage_token']}"},
        timeout=10,
    )

    assert_problem(response, 422, "validation-error")


def test_json_nested_thousands_deep_is_malformed_not_a_crash(api: str, host: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    body = json.dumps(booking_body(host, day_ahead(7, 10)))[:-1] + f', "notes": {deep}}}'
    assert len(body) < 64 * 1024

    response = requests.post(f"{api}/bookings", data=body, headers={"Content-Type": "application/json"}, timeout=10)

    assert_problem(response, 400, "malformed-json")


def test_non_ascii_channel_token_is_a_forged_push(api: str) -> None:
    response = requests.post(
        f"{api}/calendar_webhook",
        headers={
            "X-Goog-Channel-ID": "kal-anything",
            "X-Goog-Channel-Token": "é",
            "X-Goog-Resource-ID": "é",
            "X-Goog-Resource-State": "exists",
        },
        timeout=10,
    )

    assert_problem(response, 401, "invalid-channel-token")


def test_non_ascii_oauth_state_is_an_invalid_state(browser: Browser) -> None:
    assert browser.start_sign_in().status_code == 302  # the browser holds a state cookie to compare with

    response = browser.session.get(f"{browser.api}/oauth/callback?code=x&state=%C3%A9", allow_redirects=False)

    assert_problem(response, 400, "sign-in-invalid-state")


def _raw_request(api: str, method: str, path: str, headers: dict[str, bytes], body: bytes = b"") -> tuple[int, bytes]:
    """One request with header bytes as given (requests would refuse or re-encode them)."""
    address = urlsplit(api)
    lines = [f"{method} {path} HTTP/1.1".encode(), f"Host: {address.netloc}".encode(), b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}".encode())
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


@pytest.mark.parametrize("token", ["é".encode(), "é".encode("latin-1"), b"\xff\xfe.\x80", "Ω.Ω".encode()])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/bookings/abc", b""),
        ("POST", "/bookings/abc/cancel", b"{}"),
        ("GET", "/privacy/export", b""),
        ("POST", "/calendar_sync/", b'{"action": "refresh_busy", "host_id": "h"}'),
        ("POST", "/channel_renewal/", b""),
        ("POST", "/retention_purge/", b""),
    ],
)
def test_non_ascii_bearer_tokens_are_refused(api: str, token: bytes, method: str, path: str, body: bytes) -> None:
    status, payload = _raw_request(
        api, method, path, {"Authorization": b"Bearer " + token, "Content-Type": b"application/json"}, body
    )

    assert status in (401, 404), payload
    assert json.loads(payload)["status"] == status


@pytest.mark.parametrize("limit", [10**30, 2**63, 289, 0, -1])
def test_integer_fields_are_bounded(browser: Browser, host: str, limit: int) -> None:
    body = {"slug": f"big-{uuid.uuid4().hex[:6]}", "title": "Big", "duration_minutes": 30, "daily_limit": limit}

    created = browser.post("/hosts/me/event-types", json=body)
    event_type_id = browser.get("/hosts/me/event-types").json()["event_types"][0]["id"]
    patched = browser.patch(f"/hosts/me/event-types/{event_type_id}", json={"daily_limit": limit})

    assert_problem(created, 422, "validation-error")
    assert_problem(patched, 422, "validation-error")


@pytest.mark.parametrize("field", ["slug", "title", "duration_minutes"])
def test_patching_a_required_field_to_null_is_refused(browser: Browser, host: str, field: str) -> None:
    event_type_id = browser.get("/hosts/me/event-types").json()["event_types"][0]["id"]

    response = browser.patch(f"/hosts/me/event-types/{event_type_id}", json={field: None})

    problem = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert browser.get(f"/hosts/me/event-types/{event_type_id}").json()["slug"] == "call"  # unchanged


def test_patching_an_optional_field_to_null_resets_it(browser: Browser, host: str) -> None:
    event_type_id = browser.get("/hosts/me/event-types").json()["event_types"][0]["id"]
    assert browser.patch(f"/hosts/me/event-types/{event_type_id}", json={"daily_limit": 3}).status_code == 200

    response = browser.patch(f"/hosts/me/event-types/{event_type_id}", json={"daily_limit": None})

    assert response.status_code == 200, response.text
    assert response.json()["daily_limit"] is None


def test_chunked_body_over_the_limit_is_too_large(api: str) -> None:
    def chunks() -> Any:
        for _ in range(80):
            yield b" " * (64 * 1024)  # 5 MiB in all, no Content-Length

    # The function's own URL: the stack's mount point answers a slash-less POST with a redirect, which a
    # streamed body cannot follow.
    response = requests.post(
        f"{api}/bookings/", data=chunks(), headers={"Content-Type": "application/json"}, timeout=30
    )

    assert_problem(response, 413, "body-too-large")


def test_chunked_body_under_the_limit_is_read(api: str, host: str) -> None:
    body = json.dumps(booking_body(host, day_ahead(7, 11))).encode()

    response = requests.post(
        f"{api}/bookings/", data=iter([body[:10], body[10:]]), headers={"Content-Type": "application/json"}, timeout=30
    )

    assert response.status_code == 201, response.text


def test_replaying_a_key_after_its_booking_was_cancelled_is_refused(api: str, host: str) -> None:
    body, key = booking_body(host, day_ahead(8, 10)), uuid.uuid4().hex
    created = post_booking(api, body, key).json()
    cancelled = requests.post(
        f"{api}/bookings/{created['id']}/cancel",
        json={},
        headers={"Authorization": f"Bearer {created['manage_token']}"},
        timeout=10,
    )
    assert cancelled.status_code == 200

    replay = post_booking(api, body, key)
    fresh = post_booking(api, body)

    problem = assert_problem(replay, 409, "idempotency-key-spent")
    assert "cancelled" in problem["detail"]
    assert fresh.status_code == 201  # the time itself is free again, for a request with a new key


def test_task_retry_count_that_is_not_a_number_is_ignored(api: str, google: Google) -> None:
    url = get_settings().function_url("calendar_sync")
    headers = {
        "Authorization": f"Bearer {google.oidc_token(url, get_settings().tasks_service_account)}",
        "X-CloudTasks-TaskRetryCount": "é-not-a-number",
    }

    task = {"action": "refresh_busy", "host_id": "h" + "0" * 24}  # the shape of a host id, for no host

    response = requests.post(url, json=task, headers=headers, timeout=10)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("function", "path", "payload", "field"),
    [
        ("calendar_sync", "/", {"action": "refresh_busy", "host_id": "__name__"}, "refresh_busy.host_id"),
        (
            "calendar_sync",
            "/",
            {"action": "reconcile_booking", "booking_id": "__name__", "version": 1},
            "reconcile_booking.booking_id",
        ),
        ("notifications", "/", {"action": "alert_host", "host_id": "__x__", "incident": "i"}, "alert_host.host_id"),
        ("privacy", "/tasks/erase", {"erasure_id": "er" + "0" * 32, "host_id": "__name__"}, "host_id"),
    ],
)
def test_a_task_naming_an_id_no_document_can_have_is_acknowledged_and_logged(
    api: str, google: Google, log_lines: list[str], function: str, path: str, payload: dict[str, Any], field: str
) -> None:
    """Before: calendar_sync with host_id "__name__" answered 500 (Firestore reserves __.*__ ids), and Cloud
    Tasks retried it until its attempts ran out. Any answer outside 2xx is retried, so a payload that can
    never succeed is acknowledged (200, "dropped") and logged with the refused field's name."""
    settings = get_settings()
    url = settings.function_url(function).rstrip("/") + path
    token = google.oidc_token(settings.function_url(function), settings.tasks_service_account)
    first_line = len(log_lines)

    response = requests.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "dropped"
    assert [error["field"] for error in response.json()["problem"]["errors"]] == [field]
    dropped = [json.loads(line) for line in log_lines[first_line:] if '"task_dropped"' in line]
    assert dropped
    assert {(entry["function"], entry["reason"]) for entry in dropped} == {(function, f"refused: {field}")}


@pytest.mark.parametrize("path", ["/bookings/" + "0" * 32, "/calendar_sync/", "/healthz", "/"])
def test_an_oversized_header_answers_431_problem_json(api: str, path: str) -> None:
    """The same line as gunicorn's (tests/e2e/test_production_server.py), drawn by the app for servers that let
    longer headers through (this in-process one reads lines up to 64 KiB)."""
    status, payload = _raw_request(api, "GET", path, {"Authorization": b"Bearer " + b"a" * 60_000})

    assert status == 431, payload
    problem = json.loads(payload)
    assert problem["type"] == "https://kaleno.app/problems/header-too-large"
    assert "Authorization" in problem["detail"]
    assert b"aaaa" not in payload
