"""Outgoing webhooks over the whole stack: a receiver on 127.0.0.1 (allowed on the local stack only) gets
each booking event once, signed; the sandbox's Cloud Tasks retries it when the receiver answers 500; a
replay with an old timestamp is refused by `verify`; private addresses are refused once the setting is off.

Every event is announced by the booking flow itself (each booking version's notify task); the first test
also announces one again in-process, as a redelivered task would, to show it still arrives once.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import pytest
import requests

from shared.bootstrap import adapters, utc_now
from shared.config import get_settings
from shared.services.webhooks import AnnounceEvent, announce
from shared.webhooks_signature import InvalidSignature, verify
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours

ALL_EVENTS = ["booking.created", "booking.rescheduled", "booking.cancelled"]


class Received(NamedTuple):
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    """A CRM's webhook endpoint: verifies each delivery's signature (400 if it does not hold, or is older than
    five minutes by the receiver's clock, shifted by `clock_offset`), else answers the next of `statuses`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self.secret: str | None = None
        self.clock_offset = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.answer(dict(self.headers.items()), body)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output (and logs) quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kaleno-hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        assert self.secret is not None
        try:
            verify(self.secret, headers.get("Kaleno-Signature"), body, now=utc_now().timestamp() + self.clock_offset)
        except InvalidSignature:
            return 400
        return self.statuses.pop(0) if self.statuses else 200

    @property
    def accepted(self) -> list[Received]:
        return [request for request in self.received if request.status == 200]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    return {"slug": slug, "email": email}


def register(browser: Browser, receiver: Receiver, sensitive: set[str], events: list[str] = ALL_EVENTS) -> str:
    created = browser.post("/hosts/me/webhooks", json={"url": receiver.url, "events": events, "description": "CRM"})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    sensitive.add(receiver.secret)  # never in a log line
    return str(created.json()["id"])


def announce_now(event: str, booking_id: str) -> int:
    """What each booking version's notify task does (announced again: a redelivery)."""
    ports = adapters()
    booking = ports.uow().bookings.get(booking_id)
    assert booking is not None
    return announce(AnnounceEvent(event, booking), ports)


def allow_private(allowed: bool) -> None:
    os.environ["KALENO_WEBHOOKS_ALLOW_PRIVATE"] = "true" if allowed else "false"  # isolated_env puts it back
    get_settings.cache_clear()  # the stack runs in this process: it reads the setting again


def test_a_local_receiver_gets_each_booking_event_once_signed(
    api: str, browser: Browser, google: Google, host: dict[str, str], receiver: Receiver, sensitive: set[str], db: Any
) -> None:
    webhook_id = register(browser, receiver, sensitive)
    created = post_booking(api, booking_body(host["slug"], day_ahead(6, 10))).json()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}
    booking_id = created["id"]

    google.drain_tasks()
    announce_now("booking.created", booking_id)  # again, as a redelivered notify task would: still one delivery
    google.drain_tasks()
    later = {"start": day_ahead(6, 11).isoformat()}
    moved = requests.post(f"{api}/bookings/{booking_id}/reschedule", json=later, headers=auth, timeout=10)
    google.drain_tasks()
    cancelled = requests.post(f"{api}/bookings/{booking_id}/cancel", json={"reason": "ill"}, headers=auth, timeout=10)
    google.drain_tasks()

    assert moved.status_code == 200, moved.text
    assert cancelled.status_code == 200, cancelled.text
    bodies = [json.loads(request.body) for request in receiver.received]
    assert [request.status for request in receiver.received] == [200, 200, 200]
    assert [body["type"] for body in bodies] == ALL_EVENTS
    assert [body["id"] for body in bodies] == [
        f"{booking_id}-v1-booking.created",
        f"{booking_id}-v2-booking.rescheduled",
        f"{booking_id}-v3-booking.cancelled",
    ]
    for request, body in zip(receiver.received, bodies, strict=True):
        assert request.path == "/kaleno-hook"
        assert request.headers["Kaleno-Event-Id"] == body["id"]
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"] == "Kaleno-Webhooks/1"
        assert receiver.secret is not None
        verify(receiver.secret, request.headers["Kaleno-Signature"], request.body)
    last = bodies[-1]["data"]["booking"]
    assert (last["id"], last["status"], last["cancel_reason"], last["event_type_id"]) == (
        booking_id,
        "cancelled",
        "ill",
        created_event_type(browser),
    )
    assert last["invitee"]["name"] == "Ines Invitee"
    assert last["start"] == day_ahead(6, 11).isoformat()

    log = browser.get(f"/hosts/me/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    assert [(d["event"], d["state"], d["attempts"], d["last_status"]) for d in log] == [
        ("booking.cancelled", "delivered", 1, 200),
        ("booking.rescheduled", "delivered", 1, 200),
        ("booking.created", "delivered", 1, 200),
    ]
    email = last["invitee"]["email"]
    assert email not in json.dumps(log)
    stored = json.dumps([doc for path, doc in all_documents(db) if path.startswith("webhook_")], default=str)
    assert email not in stored
    assert receiver.secret is not None
    assert receiver.secret not in json.dumps(all_documents(db), default=str)  # derived, never stored
    export = browser.get("/privacy/export").json()
    assert [w["id"] for w in export["webhooks"]] == [webhook_id]
    assert len(export["webhook_deliveries"]) == 3


def created_event_type(browser: Browser) -> str:
    return str(browser.get("/hosts/me/event-types").json()["event_types"][0]["id"])


def test_a_delivery_survives_the_receiver_answering_500_twice(
    api: str, browser: Browser, google: Google, host: dict[str, str], receiver: Receiver, sensitive: set[str]
) -> None:
    webhook_id = register(browser, receiver, sensitive, ["booking.created"])
    receiver.statuses = [500, 500]

    booking_id = post_booking(api, booking_body(host["slug"], day_ahead(6, 12))).json()["id"]
    google.drain_tasks()

    assert [request.status for request in receiver.received] == [500, 500, 200]
    assert {request.headers["Kaleno-Event-Id"] for request in receiver.received} == {f"{booking_id}-v1-booking.created"}
    assert len({request.body for request in receiver.received}) == 1  # the same event each time, signed anew
    (delivery,) = browser.get(f"/hosts/me/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == ("delivered", 3, 200)
    assert delivery["delivered_at"] is not None


def test_a_replayed_delivery_with_an_old_timestamp_is_refused(
    api: str, browser: Browser, google: Google, host: dict[str, str], receiver: Receiver, sensitive: set[str]
) -> None:
    register(browser, receiver, sensitive, ["booking.created"])
    post_booking(api, booking_body(host["slug"], day_ahead(6, 13)))
    google.drain_tasks()
    (original,) = receiver.accepted
    signature = original.headers["Kaleno-Signature"]
    assert receiver.secret is not None

    receiver.clock_offset = 6 * 60  # an attacker replays the recorded request six minutes later
    replay = requests.post(
        receiver.url,
        data=original.body,
        headers={"Kaleno-Signature": signature, "Content-Type": "application/json"},
        timeout=10,
    )

    assert replay.status_code == 400
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(receiver.secret, signature, original.body, now=utc_now() + timedelta(minutes=6))
    assert verify(receiver.secret, signature, original.body) > 0  # still good within the five minutes


def test_private_addresses_are_refused_when_the_setting_is_off(
    api: str, browser: Browser, google: Google, host: dict[str, str], receiver: Receiver, sensitive: set[str]
) -> None:
    port = receiver.server.server_port
    registered = register(browser, receiver, sensitive, ["booking.created"])  # allowed on the local stack
    allow_private(False)  # as in production

    refused = {
        url: browser.post("/hosts/me/webhooks", json={"url": url, "events": ["booking.created"]})
        for url in (
            receiver.url,
            f"https://127.0.0.1:{port}/kaleno-hook",
            f"https://localhost:{port}/kaleno-hook",
            "https://[::1]/hook",
            "https://169.254.169.254/computeMetadata/v1/",
            "https://10.0.0.1/hook",
        )
    }
    post_booking(api, booking_body(host["slug"], day_ahead(6, 14)))  # announced to the endpoint allowed before
    google.drain_tasks()

    for answer in refused.values():
        assert_problem(answer, 422, "webhook-url-refused")
        assert [error["field"] for error in answer.json()["errors"]] == ["url"]
    assert [w["id"] for w in browser.get("/hosts/me/webhooks").json()["webhooks"]] == [registered]
    assert receiver.received == []  # checked again at delivery time: nothing reached 127.0.0.1
    (delivery,) = browser.get(f"/hosts/me/webhooks/{registered}/deliveries").json()["deliveries"]
    assert (delivery["state"], delivery["last_error"]) == ("failed", "address_refused")


def test_webhook_routes_need_the_hosts_session_and_answer_problems(api: str, browser: Browser, google: Google) -> None:
    anonymous = requests.get(f"{api}/hosts/me/webhooks", timeout=10)
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    missing = browser.get("/hosts/me/webhooks/wh0123456789abcdef0123/deliveries")
    malformed = browser.post("/hosts/me/webhooks", json={"url": "ftp://example.com/", "events": ["booking.created"]})

    assert_problem(anonymous, 401, "unauthenticated")
    assert_problem(missing, 404, "not-found")
    assert_problem(malformed, 422, "validation-error")
