"""Outgoing webhooks: hosts register endpoints; each booking event becomes one signed delivery per
subscribed endpoint, sent by a Cloud Task and retried with backoff until the receiver answers 2xx.

Level-triggered like calendar sync: `announce` records a delivery named from the endpoint and the event
(booking id, version, event) and enqueues a task of the same name, so announcing twice sends once. The
task builds the body from the booking as it is then (so an invitee's erasure or correction reaches
deliveries still on their way), signs it (`shared/webhooks_signature.py`) and POSTs it.

Server-side request forgery: an endpoint must be https:// and its host must resolve only to public
addresses, checked when it is registered and again at every attempt (DNS can change), and the
connection goes to the very address that was checked. The local stack allows private addresses (a
receiver on 127.0.0.1); production never does.

Signing secrets are not stored: each is an HMAC of the endpoint's id and secret version under one app
secret from Secret Manager, shown to the host once (at registration or rotation) and derived again to sign.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import ids
from shared.domain.booking import Booking
from shared.domain.errors import WebhookUrlRefused
from shared.domain.host import Host
from shared.domain.webhooks import (
    DeliveryState,
    UrlParts,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookRegistration,
    event_payload,
    refused_address,
    url_parts,
)
from shared.logging import log_event
from shared.services.contention import retried
from shared.services.errors import AlreadyStored, WebhookNotDelivered, WebhookUnreachable
from shared.services.ports import Ports, UnitOfWork, WebhookHttp
from shared.webhooks_signature import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header

DELIVERY_FUNCTION = "webhook_delivery"
USER_AGENT = "Kaleno-Webhooks/1"
WHSEC = "whsec_"  # what every signing secret starts with (as Stripe's do), so it is recognised if it leaks


@dataclass(frozen=True)
class WebhookPolicy:
    """What settings decide (shared/config.py): private addresses only on the local stack and in tests."""

    allow_private: bool = False
    max_endpoints: int = 10


# --- endpoints (the host's API) ------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterWebhook:
    """A host asks for a new endpoint, under the deployment's policy."""

    host: Host
    registration: WebhookRegistration
    policy: WebhookPolicy


def register(command: RegisterWebhook, deps: Ports) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown this once). Refused: a URL that is not https, or whose
    host resolves to anything but public addresses (WebhookUrlRefused); more endpoints than allowed."""
    host, request, policy = command.host, command.registration, command.policy
    checked_target(request.url, policy, deps.webhook_http, at_registration=True)
    endpoint = WebhookEndpoint(
        id=ids.webhook_id(),
        url=request.url,
        events=tuple(request.events),
        description=request.description,
        created_at=deps.now(),
    )
    uow = deps.uow()

    def add() -> None:
        with uow:
            uow.webhooks.save(uow.webhooks.of_host(host.id).added(endpoint, policy.max_endpoints))
            uow.commit()

    retried(add)
    log_event("webhook_registered", host_id=host.id, endpoint_id=endpoint.id)
    return endpoint, signing_secret(deps.keys.webhook(), endpoint)


def endpoints(host: Host, deps: Ports) -> list[WebhookEndpoint]:
    return list(deps.uow().webhooks.of_host(host.id).endpoints)


def endpoint(host: Host, endpoint_id: str, deps: Ports) -> WebhookEndpoint:
    return deps.uow().webhooks.of_host(host.id).endpoint(endpoint_id)


@dataclass(frozen=True)
class RemoveWebhook:
    """A host asks to stop sending events to one of their endpoints."""

    host: Host
    endpoint_id: str


def remove(command: RemoveWebhook, deps: Ports) -> None:
    """The endpoint receives nothing more: deliveries still on their way end as failed (`endpoint_removed`);
    its log stays in the host's export until it expires."""
    host, endpoint_id, uow = command.host, command.endpoint_id, deps.uow()

    def change() -> None:
        with uow:
            uow.webhooks.save(uow.webhooks.of_host(host.id).without(endpoint_id))
            uow.commit()

    retried(change)
    log_event("webhook_removed", host_id=host.id, endpoint_id=endpoint_id)


@dataclass(frozen=True)
class RotateSecret:
    """A host asks for a new signing secret for one of their endpoints."""

    host: Host
    endpoint_id: str


def rotate_secret(command: RotateSecret, deps: Ports) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown this once); the old one stops signing at once."""
    host, endpoint_id, uow = command.host, command.endpoint_id, deps.uow()

    def change() -> WebhookEndpoint:
        with uow:
            current = uow.webhooks.of_host(host.id)
            rotated = current.endpoint(endpoint_id).with_new_secret()
            uow.webhooks.save(current.replaced(rotated))
            uow.commit()
            return rotated

    rotated = retried(change)
    log_event("webhook_secret_rotated", host_id=host.id, endpoint_id=endpoint_id, version=rotated.secret_version)
    return rotated, signing_secret(deps.keys.webhook(), rotated)


@dataclass(frozen=True)
class DeliveryLog:
    """A page of an endpoint's delivery log: `limit` deliveries after `cursor` (None: from the latest)."""

    host: Host
    endpoint_id: str
    limit: int
    cursor: str | None = None


def deliveries(query: DeliveryLog, deps: Ports) -> tuple[list[WebhookDelivery], str | None]:
    """An endpoint's delivery log, latest first, a page at a time (next cursor: None on the last page)."""
    uow, limit = deps.uow(), query.limit
    endpoint(query.host, query.endpoint_id, deps)  # another host's endpoint is not found
    found = uow.webhook_deliveries.of_endpoint(query.endpoint_id, limit + 1, query.cursor)
    page = found[:limit]
    return page, page[-1].id if len(found) > limit else None


def signing_secret(key: str, endpoint: WebhookEndpoint) -> str:
    """The endpoint's current secret, derived (never stored): `whsec_` + 43 url-safe characters."""
    digest = hmac.new(
        key.encode(), f"webhook-endpoint:{endpoint.id}:{endpoint.secret_version}".encode(), hashlib.sha256
    ).digest()
    return WHSEC + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def checked_target(
    url: str, policy: WebhookPolicy, http: WebhookHttp, at_registration: bool = False
) -> tuple[UrlParts, str | None]:
    """The URL's parts and the address to connect to, once every address its host resolves to is public.

    Where private addresses are allowed, a registration is not looked up (nothing could be refused) and
    an attempt connects to the first address. Raises WebhookUrlRefused, or WebhookUnreachable when the
    name does not resolve at delivery time (which a retry may cure)."""
    parts = url_parts(url)
    if parts.scheme != "https" and not policy.allow_private:
        raise WebhookUrlRefused("url-not-https", "webhook URLs must use https://")
    if policy.allow_private and at_registration:
        return parts, None
    try:
        addresses = http.resolve(parts.host, parts.port)
    except WebhookUnreachable as error:
        if at_registration:
            raise WebhookUrlRefused("url-host-unresolved", "the URL's host name does not resolve") from error
        raise
    if not policy.allow_private:
        refused = sorted({reason for address in addresses if (reason := refused_address(address))})
        if refused:
            raise WebhookUrlRefused(
                "url-address-not-public",
                f"the URL's host resolves to an address that may not receive webhooks ({', '.join(refused)}); "
                "use a host whose addresses are all public",
            )
    return parts, addresses[0]


# --- events ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnounceEvent:
    """What a booking version did (`booking.created`, `.rescheduled`, `.cancelled`), for the host's webhooks."""

    event: str
    booking: Booking


def announce(command: AnnounceEvent, deps: Ports) -> int:
    """Hand a booking event to every endpoint of its host (and of a collective booking's co-hosts) subscribed
    to it: one delivery record and one named task per endpoint (event id =
    f"{booking.id}-v{booking.version}-{event}"). Calling it again for the same booking version and event
    records and queues nothing new. Returns how many endpoints the event goes to.

    Raises if the store or the queue is unavailable; calling it again then is safe."""
    booking, kind = command.booking, WebhookEvent(command.event)
    uow, now = deps.uow(), deps.now()
    # Every holder's endpoints: a collective team booking is each member's booking too.
    subscribed = [
        (holder, target) for holder in booking.holder_ids for target in uow.webhooks.of_host(holder).subscribed(kind)
    ]
    for holder, target in subscribed:
        delivery = WebhookDelivery.of(target, holder, kind, booking, now)
        with uow, contextlib.suppress(AlreadyStored):  # announced before: its task is queued under the same name
            uow.webhook_deliveries.add(delivery)
            uow.commit()
        deps.tasks.enqueue(DELIVERY_FUNCTION, {"delivery_id": delivery.id}, name=f"webhook-{delivery.id}")
    if subscribed:
        log_event("webhook_announced", booking_id=booking.id, host_id=booking.host_id, endpoint_count=len(subscribed))
    return len(subscribed)


@dataclass(frozen=True)
class DeliverWebhook:
    """One attempt of a delivery task; `final_attempt`: the queue's last (it drops the task after it)."""

    delivery_id: str
    final_attempt: bool
    policy: WebhookPolicy


def deliver(command: DeliverWebhook, deps: Ports) -> str:
    """One attempt of one delivery; returns the outcome once nothing more is to be done. An attempt the
    receiver did not take raises WebhookNotDelivered (the task is retried), except the queue's last one,
    which marks the delivery failed."""
    uow, now, final_attempt = deps.uow(), deps.now(), command.final_attempt
    delivery = uow.webhook_deliveries.get(command.delivery_id)
    if delivery is None:
        return "gone"  # expired, or erased with its host
    if delivery.state is not DeliveryState.PENDING:
        return delivery.state.value  # a duplicate task: the delivery is settled
    host_webhooks = uow.webhooks.of_host(delivery.host_id)
    found = [e for e in host_webhooks.endpoints if e.id == delivery.endpoint_id]
    booking = uow.bookings.get(delivery.booking_id)
    if not found or booking is None:
        reason = "endpoint_removed" if not found else "booking_gone"
        _record(delivery.id, lambda current: current.abandoned(reason, now), uow)
        return reason
    target = found[0]
    body = json.dumps(event_payload(delivery.event, delivery.event_id, delivery.created_at, booking)).encode()
    try:
        url, address = checked_target(target.url, command.policy, deps.webhook_http)
        assert address is not None  # nosec B101  # narrows the type: an attempt always resolves
        headers = _headers(deps.keys.webhook(), target, delivery, body, now)
        response = deps.webhook_http.post(url, address, headers, body)
    except WebhookUrlRefused:
        _record(delivery.id, lambda current: current.attempt_failed(None, "address_refused", now, final=True), uow)
        return "address_refused"  # not retried: the address is not ours to reach
    except WebhookUnreachable as error:
        return _not_taken(delivery, None, error.reason, None, final_attempt, now, uow)
    if 200 <= response.status < 300:
        _record(delivery.id, lambda current: current.delivered(response.status, now), uow)
        log_event("webhook_delivered", delivery_id=delivery.id, endpoint_id=target.id, status=response.status)
        return "delivered"
    return _not_taken(delivery, response.status, "http_status", response.retry_after, final_attempt, now, uow)


def _headers(
    key: str, endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes, now: datetime
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: delivery.event_id,
        SIGNATURE_HEADER: signature_header(signing_secret(key, endpoint), int(now.timestamp()), body),
    }


def _not_taken(
    delivery: WebhookDelivery,
    status: int | None,
    error: str,
    retry_after: float | None,
    final: bool,
    now: datetime,
    uow: UnitOfWork,
) -> str:
    _record(delivery.id, lambda current: current.attempt_failed(status, error, now, final), uow)
    log_event(
        "webhook_attempt_failed",
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        status=status,
        reason=error,
        attempt=delivery.attempts + 1,
        outcome="failed" if final else "retry",
    )
    if final:
        return "failed"
    raise WebhookNotDelivered(retry_after)


def _record(delivery_id: str, change: Callable[[WebhookDelivery], WebhookDelivery], uow: UnitOfWork) -> None:
    """Save what the attempt did to the delivery as stored now, unless it was settled meanwhile (by a
    duplicate task) or is gone (erased)."""

    def save() -> None:
        with uow:
            current = uow.webhook_deliveries.get(delivery_id)
            if current is None or current.state is not DeliveryState.PENDING:
                return
            uow.webhook_deliveries.save(change(current))
            uow.commit()

    retried(save)
