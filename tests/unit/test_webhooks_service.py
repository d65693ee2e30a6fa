"""Outgoing webhooks against dict-backed fakes: registration and its address checks, one signed delivery per
subscribed endpoint and event, retries until the receiver takes it, the delivery log, privacy and retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.booking import Booking, BookingStatus, Invitee
from shared.domain.errors import WebhookLimitReached, WebhookNotFound, WebhookUrlRefused
from shared.domain.webhooks import DELIVERY_RETENTION, DeliveryState, WebhookDelivery, WebhookRegistration
from shared.services import webhooks
from shared.services.errors import WebhookNotDelivered, WebhookUnreachable
from shared.services.privacy import Erase, Export, RunHostErasure, erase, export, run_host_erasure
from shared.services.records import Erasure
from shared.services.retention import RetentionPeriods, purge_expired
from shared.webhooks_signature import InvalidSignature, verify
from tests.unit.fakes import FakePorts, a_host, a_page, given
from tests.unit.fakes import a_booking as booking_of_h1

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
START = datetime(2027, 3, 8, 10, tzinfo=UTC)
BOOKING_ID = "0123456789abcdef0123456789abcdef"
PRODUCTION = webhooks.WebhookPolicy(allow_private=False)
LOCAL = webhooks.WebhookPolicy(allow_private=True)
ALL_EVENTS = ["booking.created", "booking.rescheduled", "booking.cancelled"]


def a_booking(**fields: Any) -> Booking:
    berlin = Invitee(name="Ines", email="ines@example.org", time_zone="Europe/Berlin")
    return booking_of_h1(START, **{"id": BOOKING_ID, "invitee": berlin, "notes": "private notes", **fields})


@pytest.fixture
def ports() -> FakePorts:
    fakes = FakePorts(time=NOW)
    given(fakes.db, hosts=[a_host()], pages={"ada": a_page()}, bookings=[a_booking()])
    return fakes


def register(ports: FakePorts, url: str = "https://hooks.example.com/kaleno", **fields: Any) -> tuple[Any, str]:
    request = WebhookRegistration(url=url, events=fields.pop("events", ALL_EVENTS), **fields)
    return webhooks.register(webhooks.RegisterWebhook(a_host(), request, PRODUCTION), ports)


def announce(ports: FakePorts, event: str, booking: Booking, at: datetime = NOW) -> int:
    ports.time = at
    return webhooks.announce(webhooks.AnnounceEvent(event, booking), ports)


def deliver(ports: FakePorts, delivery_id: str, final: bool = False, at: datetime = NOW) -> str:
    ports.time = at
    return webhooks.deliver(webhooks.DeliverWebhook(delivery_id, final, PRODUCTION), ports)


def delivery_log(
    ports: FakePorts, endpoint_id: str, limit: int = 10, cursor: str | None = None
) -> tuple[list[WebhookDelivery], str | None]:
    return webhooks.deliveries(webhooks.DeliveryLog(a_host(), endpoint_id, limit, cursor), ports)


# --- registration ----------------------------------------------------------------------------------------
def test_a_registered_endpoint_gets_a_secret_shown_once_and_stored_nowhere(ports: FakePorts) -> None:
    endpoint, secret = register(ports, description="CRM")

    stored = webhooks.endpoints(a_host(), ports)
    assert secret.startswith("whsec_")
    assert len(secret) == len("whsec_") + 43
    assert [e.id for e in stored] == [endpoint.id]
    assert stored[0].description == "CRM"
    assert secret not in repr(ports.db.records)
    assert webhooks.signing_secret(ports.keys.webhook(), stored[0]) == secret  # derived again to sign


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),  # the cloud metadata server
        ("100.64.0.1", "special_purpose"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),  # reserved for future use: ipaddress counts it private
        ("::1", "loopback"),
        ("fd00::1", "private"),  # IPv6 unique local
        ("fe80::1", "link_local"),
        ("::ffff:10.0.0.1", "ipv4_in_ipv6"),  # IPv4-mapped
        ("2002:a00:1::1", "ipv4_in_ipv6"),  # 6to4 carrying 10.0.0.1
        ("64:ff9b::a00:1", "special_purpose"),  # NAT64
    ],
)
def test_a_host_resolving_to_a_non_public_address_is_refused_in_production(
    ports: FakePorts, address: str, reason: str
) -> None:
    ports.webhook_http.addresses["inside.example.com"] = [address]

    with pytest.raises(WebhookUrlRefused, match=reason):
        register(ports, "https://inside.example.com/hook")

    assert webhooks.endpoints(a_host(), ports) == []


def test_a_host_with_one_private_address_among_public_ones_is_refused(ports: FakePorts) -> None:
    ports.webhook_http.addresses["mixed.example.com"] = ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(WebhookUrlRefused, match="private"):
        register(ports, "https://mixed.example.com/")


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/hook", "https://[::1]:8443/hook", "https://2130706433/", "https://10.0.0.1/"]
)
def test_ip_literals_and_their_disguises_are_checked_as_addresses(ports: FakePorts, url: str) -> None:
    ports.webhook_http.addresses["2130706433"] = ["127.0.0.1"]  # what getaddrinfo makes of a decimal address

    with pytest.raises(WebhookUrlRefused):
        register(ports, url)


def test_plain_http_is_refused_in_production_but_allowed_on_the_local_stack(ports: FakePorts) -> None:
    request = WebhookRegistration(url="http://127.0.0.1:9999/hook", events=["booking.created"])

    with pytest.raises(WebhookUrlRefused, match="https"):
        webhooks.register(webhooks.RegisterWebhook(a_host(), request, PRODUCTION), ports)
    local, _ = webhooks.register(webhooks.RegisterWebhook(a_host(), request, LOCAL), ports)

    assert local.url == "http://127.0.0.1:9999/hook"


def test_a_name_that_does_not_resolve_is_refused(ports: FakePorts) -> None:
    with pytest.raises(WebhookUrlRefused, match="does not resolve"):
        register(ports, "https://nowhere.example.com/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "https://user:secret@hooks.example.com/",
        "https://hooks.example.com/#fragment",
        "https://hooks.example.com:70000/",
        "https://hooks..example.com/",
        "https://[not-v6]/",
        "https://hooks.example.com/a b",
        "hooks.example.com/path",
    ],
)
def test_urls_that_are_not_plain_http_addresses_are_invalid(url: str) -> None:
    with pytest.raises(ValueError, match=r"URL|port|label|IPv6"):
        WebhookRegistration(url=url, events=["booking.created"])


def test_events_are_kept_once_each() -> None:
    request = WebhookRegistration(
        url="https://hooks.example.com/", events=["booking.cancelled", "booking.created", "booking.cancelled"]
    )

    assert [event.value for event in request.events] == ["booking.cancelled", "booking.created"]


def test_a_host_may_register_at_most_ten_endpoints(ports: FakePorts) -> None:
    for _ in range(10):
        register(ports)

    with pytest.raises(WebhookLimitReached, match="at most 10"):
        register(ports)

    assert len(webhooks.endpoints(a_host(), ports)) == 10


def test_another_hosts_endpoint_is_not_found(ports: FakePorts) -> None:
    endpoint, _ = register(ports)
    other = a_host("h2", slug="bob")

    with pytest.raises(WebhookNotFound):
        webhooks.remove(webhooks.RemoveWebhook(other, endpoint.id), ports)
    with pytest.raises(WebhookNotFound):
        webhooks.deliveries(webhooks.DeliveryLog(other, endpoint.id, 10), ports)


def test_rotating_the_secret_replaces_it(ports: FakePorts) -> None:
    endpoint, first = register(ports)

    rotated, second = webhooks.rotate_secret(webhooks.RotateSecret(a_host(), endpoint.id), ports)

    assert second != first
    assert rotated.secret_version == 2
    stored = webhooks.endpoint(a_host(), endpoint.id, ports)
    assert webhooks.signing_secret(ports.keys.webhook(), stored) == second


# --- announcing and delivering ----------------------------------------------------------------------------
def test_an_event_goes_to_each_subscribed_endpoint_once_however_often_it_is_announced(ports: FakePorts) -> None:
    crm, _ = register(ports, events=["booking.created"])
    register(ports, events=["booking.cancelled"])
    booking = a_booking()

    first = announce(ports, "booking.created", booking)
    again = announce(ports, "booking.created", booking)

    assert (first, again) == (1, 1)
    expected = f"{crm.id}-{BOOKING_ID}-v1-booking-created"
    assert ports.tasks.enqueued == [("webhook_delivery", {"delivery_id": expected}, f"webhook-{expected}")]
    delivery = ports.uow().webhook_deliveries.get(expected)
    assert delivery is not None
    assert delivery.event_id == f"{BOOKING_ID}-v1-booking.created"
    assert delivery.state is DeliveryState.PENDING
    assert delivery.expires_at == NOW + DELIVERY_RETENTION


def test_a_host_without_endpoints_announces_nothing(ports: FakePorts) -> None:
    assert announce(ports, "booking.cancelled", a_booking()) == 0
    assert ports.tasks.enqueued == []


def test_an_unknown_event_is_a_programming_error(ports: FakePorts) -> None:
    with pytest.raises(ValueError, match=r"booking\.deleted"):
        announce(ports, "booking.deleted", a_booking())


def test_a_delivery_is_signed_posted_to_the_checked_address_and_logged(ports: FakePorts) -> None:
    endpoint, secret = register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    (payload,) = ports.tasks.payloads

    outcome = deliver(ports, payload["delivery_id"])

    assert outcome == "delivered"
    (sent,) = ports.webhook_http.sent
    assert (sent.url.host, sent.address, sent.url.target) == ("hooks.example.com", "93.184.216.34", "/kaleno")
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"] == "Kaleno-Webhooks/1"
    assert sent.headers["Kaleno-Event-Id"] == f"{BOOKING_ID}-v1-booking.created"
    assert verify(secret, sent.headers["Kaleno-Signature"], sent.body, now=NOW) == int(NOW.timestamp())
    body = json.loads(sent.body)
    assert body["id"] == f"{BOOKING_ID}-v1-booking.created"
    assert body["type"] == "booking.created"
    invitee = {"name": "Ines", "email": "ines@example.org", "time_zone": "Europe/Berlin"}
    assert body["data"]["booking"]["invitee"] == invitee
    assert "notes" not in body["data"]["booking"]
    log = delivery_log(ports, endpoint.id)[0]
    assert [(d.state, d.attempts, d.last_status, d.delivered_at) for d in log] == [
        (DeliveryState.DELIVERED, 1, 200, NOW)
    ]


def test_a_replayed_delivery_with_an_old_timestamp_is_refused_by_verify(ports: FakePorts) -> None:
    _, secret = register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    deliver(ports, ports.tasks.payloads[0]["delivery_id"])
    (sent,) = ports.webhook_http.sent

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(secret, sent.headers["Kaleno-Signature"], sent.body, now=NOW + timedelta(minutes=6))
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(secret, sent.headers["Kaleno-Signature"], sent.body.replace(b"Ines", b"Inez"), now=NOW)


def test_a_receiver_failing_twice_gets_the_delivery_on_the_third_attempt(ports: FakePorts) -> None:
    register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    delivery_id = ports.tasks.payloads[0]["delivery_id"]
    ports.webhook_http.answers = [500, WebhookUnreachable("timeout")]

    with pytest.raises(WebhookNotDelivered):
        deliver(ports, delivery_id)
    with pytest.raises(WebhookNotDelivered):
        deliver(ports, delivery_id)
    pending = ports.uow().webhook_deliveries.get(delivery_id)
    third = deliver(ports, delivery_id)

    assert pending is not None
    assert (pending.state, pending.attempts, pending.last_status, pending.last_error) == (
        DeliveryState.PENDING,
        2,
        None,
        "timeout",
    )
    assert third == "delivered"
    assert len(ports.webhook_http.sent) == 3
    assert deliver(ports, delivery_id) == "delivered"  # a duplicate task sends nothing more
    assert len(ports.webhook_http.sent) == 3


def test_the_queues_last_attempt_marks_the_delivery_failed(ports: FakePorts) -> None:
    register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    delivery_id = ports.tasks.payloads[0]["delivery_id"]
    ports.webhook_http.answers = [410]

    outcome = deliver(ports, delivery_id, final=True)

    stored = ports.uow().webhook_deliveries.get(delivery_id)
    assert outcome == "failed"
    assert stored is not None
    assert (stored.state, stored.last_status, stored.last_error) == (DeliveryState.FAILED, 410, "http_status")


def test_dns_pointing_inside_at_delivery_time_is_refused_without_sending(ports: FakePorts) -> None:
    register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    ports.webhook_http.addresses["hooks.example.com"] = ["10.0.0.9"]  # the name was rebound after registration

    outcome = deliver(ports, ports.tasks.payloads[0]["delivery_id"])

    assert outcome == "address_refused"
    assert ports.webhook_http.sent == []


def test_a_removed_endpoint_receives_nothing_more(ports: FakePorts) -> None:
    endpoint, _ = register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())

    webhooks.remove(webhooks.RemoveWebhook(a_host(), endpoint.id), ports)
    outcome = deliver(ports, ports.tasks.payloads[0]["delivery_id"])

    assert outcome == "endpoint_removed"
    assert ports.webhook_http.sent == []
    assert ports.db.ids("webhook_endpoints") == set()


def test_the_payload_is_the_booking_as_it_is_when_sent_and_names_no_restricted_invitee(ports: FakePorts) -> None:
    register(ports, events=["booking.cancelled"])
    cancelled = a_booking(status=BookingStatus.CANCELLED, version=2, cancel_reason="ill", restricted=True)
    given(ports.db, bookings=[cancelled.model_copy(update={"id": "f" * 32})])
    announce(ports, "booking.cancelled", cancelled.model_copy(update={"id": "f" * 32}))

    deliver(ports, ports.tasks.payloads[0]["delivery_id"])

    booking = json.loads(ports.webhook_http.sent[0].body)["data"]["booking"]
    assert (booking["status"], booking["version"], booking["cancel_reason"]) == ("cancelled", 2, "ill")
    assert booking["invitee"] is None
    assert booking["answers"] == []


def test_the_delivery_log_pages_latest_first(ports: FakePorts) -> None:
    endpoint, _ = register(ports)
    for version in (1, 2, 3):
        booking = a_booking(version=version)
        announce(ports, "booking.rescheduled", booking, NOW + timedelta(minutes=version))

    first, cursor = delivery_log(ports, endpoint.id, 2)
    rest, end = delivery_log(ports, endpoint.id, 2, cursor)

    assert [d.event_id for d in first + rest] == [f"{BOOKING_ID}-v{v}-booking.rescheduled" for v in (3, 2, 1)]
    assert end is None


# --- privacy and retention --------------------------------------------------------------------------------
def test_the_hosts_export_lists_webhooks_and_deliveries_and_erasure_removes_them(ports: FakePorts) -> None:
    endpoint, secret = register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())

    ports.time = NOW
    exported = export(Export(a_host(), {"contact": "privacy@kaleno.app"}), ports)
    erasure = erase(Erase(a_host()), ports)
    assert isinstance(erasure, Erasure)
    run_host_erasure(RunHostErasure(erasure.id, "h1"), ports)

    assert [w["id"] for w in exported["webhooks"]] == [endpoint.id]
    assert [d["endpoint_id"] for d in exported["webhook_deliveries"]] == [endpoint.id]
    assert secret not in json.dumps(exported)
    assert ports.db.ids("webhook_endpoints") == set()
    assert ports.db.ids("webhook_deliveries") == set()


def test_delivery_records_hold_no_personal_data(ports: FakePorts) -> None:
    register(ports, events=["booking.created"])
    announce(ports, "booking.created", a_booking())
    deliver(ports, ports.tasks.payloads[0]["delivery_id"])

    (delivery,) = ports.db.where("webhook_deliveries", WebhookDelivery).values()

    text = repr(delivery)
    assert "ines" not in text.lower()
    assert "private notes" not in text


def test_retention_purges_deliveries_after_thirty_days(ports: FakePorts) -> None:
    register(ports, events=["booking.created", "booking.cancelled"])
    announce(ports, "booking.created", a_booking(), NOW - timedelta(days=31))
    announce(ports, "booking.cancelled", a_booking(version=2), NOW - timedelta(days=29))
    periods = RetentionPeriods(timedelta(days=365), timedelta(days=730), timedelta(days=1095))

    counts = purge_expired(periods, ports.at(NOW))

    assert counts["webhook_deliveries_deleted"] == 1
    kept = ports.db.where("webhook_deliveries", WebhookDelivery).values()
    assert [delivery.event.value for delivery in kept] == ["booking.cancelled"]
