"""Every error path answers RFC 9457 problem+json; the stack's own endpoints answer."""

from __future__ import annotations

from typing import Any

import requests

from functions.main import FUNCTIONS

PROBLEM = "application/problem+json"


def assert_problem(response: requests.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://kaleno.app/problems/{kind}"
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def test_healthz_answers_ok_once_the_stack_is_up(api: str, http: requests.Session) -> None:
    response = http.get(f"{api}/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_top_level_route_is_a_problem(api: str, http: requests.Session) -> None:
    assert_problem(http.get(f"{api}/no/such/thing/here"), 404, "not-found")


def test_unknown_route_inside_a_function_is_a_problem(api: str, http: requests.Session) -> None:
    assert_problem(http.get(f"{api}/calendar_webhook/robots.txt"), 404, "not-found")


def test_wrong_method_is_a_problem_naming_the_allowed_ones(api: str, http: requests.Session) -> None:
    response = http.delete(f"{api}/openapi.json")

    assert_problem(response, 405, "http-error")


def test_oversized_body_is_refused_before_it_is_read(api: str, http: requests.Session) -> None:
    response = http.post(f"{api}/bookings", data=b"x" * (65 * 1024), headers={"Content-Type": "application/json"})

    assert_problem(response, 413, "body-too-large")


def test_openapi_document_describes_every_function(api: str, http: requests.Session) -> None:
    document = http.get(f"{api}/openapi.json").json()

    assert document["openapi"] == "3.1.0"
    mounted = {path.split("/")[1] for path in document["paths"]}
    assert mounted == set(FUNCTIONS)
    assert "Problem" in document["components"]["schemas"]


def test_ids_firestore_could_not_hold_are_simply_not_found(api: str, http: requests.Session) -> None:
    query = {"from": "2030-01-07", "to": "2030-01-07", "tz": "UTC"}
    bearer = {"Authorization": "Bearer whatever"}

    assert_problem(http.get(f"{api}/bookings/pages/__reserved__/call", timeout=10), 404, "not-found")
    assert_problem(
        http.get(f"{api}/bookings/pages/{'x' * 2000}/call/slots", params=query, timeout=10), 404, "not-found"
    )
    assert_problem(http.get(f"{api}/bookings/__x__", headers=bearer, timeout=10), 404, "not-found")
    assert_problem(http.post(f"{api}/bookings/..%2E/cancel", json={}, headers=bearer, timeout=10), 404, "not-found")
