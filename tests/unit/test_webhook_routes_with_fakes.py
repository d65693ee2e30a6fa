"""The host's webhook routes, as functions-framework serves them, on the fakes: shapes, problem types, and
private addresses refused unless the setting allows them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared import bootstrap
from shared.config import get_settings
from shared.services.records import SessionRecord
from tests.unit.fakes import FakePorts, FakeUnitOfWork, a_host, a_page, given

SOURCE = str(Path(__file__).parents[2] / "functions" / "main.py")
PROBLEMS = "https://kaleno.app/problems/"


def same_origin() -> dict[str, str]:
    """Cookie-authenticated writes come from the app's own origin (whatever base URL this run uses)."""
    return {"Origin": get_settings().base_url.rstrip("/")}


@pytest.fixture
def ports() -> Iterator[FakePorts]:
    fakes = FakePorts()
    given(fakes.db, hosts=[a_host()], pages={"ada": a_page()})
    with FakeUnitOfWork(fakes.db) as uow:
        now = datetime.now(UTC)
        session = SessionRecord(host_id="h1", created_at=now, expires_at=now + timedelta(days=1))
        uow.sign_in.add_session("session-1", session)
        uow.commit()
    bootstrap.install(fakes)
    yield fakes
    bootstrap.reset()


@pytest.fixture
def hosts(ports: FakePorts) -> FlaskClient:
    client: FlaskClient = functions_framework.create_app("hosts", SOURCE).test_client()
    client.set_cookie("kaleno_session", "session-1")
    return client


@pytest.fixture
def production() -> Iterator[None]:
    os.environ["KALENO_WEBHOOKS_ALLOW_PRIVATE"] = "false"
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_registering_listing_rotating_and_deleting_an_endpoint(hosts: FlaskClient, production: None) -> None:
    created = hosts.post(
        "/me/webhooks",
        json={"url": "https://hooks.example.com/in", "events": ["booking.created"], "description": "CRM"},
        headers=same_origin(),
    )
    webhook_id = created.get_json()["id"]
    listed = hosts.get("/me/webhooks")
    rotated = hosts.post(f"/me/webhooks/{webhook_id}/rotate-secret", headers=same_origin())
    log = hosts.get(f"/me/webhooks/{webhook_id}/deliveries")
    deleted = hosts.delete(f"/me/webhooks/{webhook_id}", headers=same_origin())
    gone = hosts.get(f"/me/webhooks/{webhook_id}")

    assert created.status_code == 201
    assert created.get_json()["secret"].startswith("whsec_")
    assert created.get_json()["events"] == ["booking.created"]
    assert listed.get_json() == {
        "webhooks": [
            {
                "id": webhook_id,
                "url": "https://hooks.example.com/in",
                "events": ["booking.created"],
                "description": "CRM",
                "created_at": created.get_json()["created_at"],
                "secret_version": 1,
            }
        ]
    }
    assert rotated.status_code == 200
    assert rotated.get_json()["secret"] not in (created.get_json()["secret"], None)
    assert log.get_json() == {"deliveries": [], "next_cursor": None}
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.get_json()["type"] == PROBLEMS + "not-found"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/hook", "https://127.0.0.1/hook", "https://[::1]/", "https://169.254.169.254/"]
)
def test_private_addresses_are_refused_when_the_setting_is_off(
    hosts: FlaskClient, production: None, ports: FakePorts, url: str
) -> None:
    refused = hosts.post("/me/webhooks", json={"url": url, "events": ["booking.created"]}, headers=same_origin())

    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["type"] == PROBLEMS + "webhook-url-refused"
    assert [error["field"] for error in refused.get_json()["errors"]] == ["url"]
    assert ports.db.ids("webhook_endpoints") == set()


def test_a_loopback_receiver_is_allowed_when_the_setting_is_on(hosts: FlaskClient) -> None:
    os.environ["KALENO_WEBHOOKS_ALLOW_PRIVATE"] = "true"
    get_settings.cache_clear()
    try:
        created = hosts.post(
            "/me/webhooks",
            json={"url": "http://127.0.0.1:9000/hook", "events": ["booking.cancelled"]},
            headers=same_origin(),
        )
    finally:
        get_settings.cache_clear()

    assert created.status_code == 201


def test_the_eleventh_endpoint_is_a_conflict(hosts: FlaskClient, production: None) -> None:
    body = {"url": "https://hooks.example.com/in", "events": ["booking.created"]}
    answers = [hosts.post("/me/webhooks", json=body, headers=same_origin()).status_code for _ in range(11)]

    eleventh = hosts.post("/me/webhooks", json=body, headers=same_origin())

    assert answers == [201] * 10 + [409]
    assert eleventh.get_json()["type"] == PROBLEMS + "webhook-limit-reached"


def test_bad_bodies_and_ids_are_refused_with_problems(hosts: FlaskClient, production: None) -> None:
    url = "https://hooks.example.com/"
    no_events = hosts.post("/me/webhooks", json={"url": url, "events": []}, headers=same_origin())
    unknown = hosts.post("/me/webhooks", json={"url": url, "events": ["booking.paid"]}, headers=same_origin())
    bad_id = hosts.get("/me/webhooks/../deliveries")
    cross_origin = hosts.post("/me/webhooks", json={"url": "https://hooks.example.com/", "events": ["booking.created"]})

    assert no_events.status_code == unknown.status_code == 422
    assert bad_id.status_code == 404
    assert cross_origin.status_code == 403


def test_without_a_session_the_webhook_routes_answer_401(ports: FakePorts) -> None:
    client = functions_framework.create_app("hosts", SOURCE).test_client()

    assert client.get("/me/webhooks").status_code == 401
