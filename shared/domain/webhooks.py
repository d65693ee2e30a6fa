"""Outgoing webhooks: the endpoints a host registers, which addresses may receive them, what each event
says and what a delivery records.

A host's endpoints are few (at most a handful) and live together, so announcing an event reads one
record. A delivery is one event for one endpoint: named from both, so announcing the same event twice
records (and queues) it once. Deliveries keep ids, counts and status codes only; what the receiver gets
is built from the booking when it is sent.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.config import JsonDict
from pydantic.json_schema import WithJsonSchema

from shared.domain.booking import Booking
from shared.domain.errors import WebhookLimitReached, WebhookNotFound, refused
from shared.domain.text import ONE_LINE

DELIVERY_RETENTION = timedelta(days=30)  # the delivery log's records expire (TTL, retention purge) after this
ENDPOINT_ID_PATTERN = "^wh[0-9a-f]{20}$"
DELIVERY_ID_PATTERN = "^wh[0-9a-f]{20}-[0-9a-f]{32}-v[0-9]{1,9}-booking-(created|rescheduled|cancelled)$"


class WebhookEvent(StrEnum):
    BOOKING_CREATED = "booking.created"
    BOOKING_RESCHEDULED = "booking.rescheduled"
    BOOKING_CANCELLED = "booking.cancelled"


# --- where webhooks may go -------------------------------------------------------------------------------
# Scheme, host (a name or a bracketed IPv6 literal), optional port, optional path and query: no user info
# (credentials would be stored and shown), no fragment, printable ASCII only (percent-encode the rest).
URL_PATTERN = (
    r"^https?://(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
    r"(:[0-9]{1,5})?([/?][!-\"$-~]*)?$"
)
URL_MAX_LENGTH = 2048
_URL = re.compile(URL_PATTERN)


@dataclass(frozen=True)
class UrlParts:
    scheme: str
    host: str  # a name, or an IP literal without brackets
    port: int
    target: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def url_parts(url: str) -> UrlParts:
    found = _URL.fullmatch(url)
    if found is None or len(url) > URL_MAX_LENGTH:
        raise refused(
            "url-invalid", "expected an http(s) URL: scheme, host, optional port, path and query (no user info)"
        )
    host, port_text, target = found.group(1), found.group(2), found.group(3) or "/"
    scheme = url.split(":", 1)[0].lower()
    port = int(port_text[1:]) if port_text else (443 if scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise refused("url-port-invalid", "the port must lie between 1 and 65535")
    if host.startswith("["):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError as error:
            raise refused("url-invalid", "not a valid IPv6 address in brackets") from error
    elif ".." in host:
        raise refused("url-invalid", "the host name has an empty label")
    return UrlParts(scheme, host.lower(), port, target if target.startswith("/") else f"/{target}")


def _check_url(value: str) -> str:
    url_parts(value)
    return value


WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX_LENGTH),
    AfterValidator(_check_url),
    WithJsonSchema({"type": "string", "pattern": URL_PATTERN, "maxLength": URL_MAX_LENGTH}),
]

# Networks that no webhook may reach in production beyond what `ipaddress` already calls non-global:
# shared address space (carrier-grade NAT), IETF protocol assignments, benchmarking, and the IPv6 ranges
# that carry an IPv4 address to somewhere else (NAT64; 6to4 and Teredo are checked by their own properties).
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "64:ff9b::/96", "64:ff9b:1::/48")
)


def refused_address(address: str) -> str | None:
    """Why this address may not receive webhooks in production (a stable code), or None: a public address.
    Refused: loopback, private, link-local, shared (CGNAT), multicast, reserved, unspecified, IPv6 unique
    local, and IPv6 addresses that stand for an IPv4 one (mapped, 6to4, Teredo, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # a zone index ("fe80::1%eth0") names a link
    except ValueError:
        return "not_an_address"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and (
        ip.ipv4_mapped is not None or ip.sixtofour is not None or ip.teredo is not None
    ):
        return "ipv4_in_ipv6"
    if any(ip in network for network in _REFUSED_NETWORKS if network.version == ip.version):
        return "special_purpose"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not_global"
    return None


# --- endpoints -----------------------------------------------------------------------------------------
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]


class WebhookRegistration(BaseModel):
    """POST /hosts/me/webhooks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: WebhookUrl = Field(
        description="Where to POST events: https:// with a host that resolves only to public addresses."
    )
    events: list[WebhookEvent] = Field(min_length=1, max_length=3, description="The events to receive.")
    description: Description | None = Field(None, description="Your own note (e.g. which system receives it).")

    @field_validator("events")
    @classmethod
    def _once_each(cls, events: list[WebhookEvent]) -> list[WebhookEvent]:
        return sorted(set(events))


class WebhookEndpoint(BaseModel):
    """Where one host's events go. Its signing secret is derived from an app key, the id and `secret_version`
    (a rotation takes the next version), so nothing secret is stored with it."""

    model_config = ConfigDict(frozen=True)

    id: str
    url: str
    events: tuple[WebhookEvent, ...]
    description: str | None = None
    created_at: datetime
    secret_version: int = 1

    def with_new_secret(self) -> WebhookEndpoint:
        return self.model_copy(update={"secret_version": self.secret_version + 1})


class HostWebhooks(BaseModel):
    """All of one host's endpoints, stored as one record: an event reads it once, and the per-host limit
    holds under racing registrations (the record is saved on condition nobody changed it meanwhile)."""

    model_config = ConfigDict(frozen=True)

    host_id: str
    endpoints: tuple[WebhookEndpoint, ...] = ()

    def added(self, endpoint: WebhookEndpoint, limit: int) -> HostWebhooks:
        if len(self.endpoints) >= limit:
            raise WebhookLimitReached(f"a host may register at most {limit} webhook endpoints; delete one first")
        return self.model_copy(update={"endpoints": (*self.endpoints, endpoint)})

    def endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        for endpoint in self.endpoints:
            if endpoint.id == endpoint_id:
                return endpoint
        raise WebhookNotFound("no such webhook endpoint")

    def replaced(self, endpoint: WebhookEndpoint) -> HostWebhooks:
        self.endpoint(endpoint.id)
        endpoints = tuple(endpoint if e.id == endpoint.id else e for e in self.endpoints)
        return self.model_copy(update={"endpoints": endpoints})

    def without(self, endpoint_id: str) -> HostWebhooks:
        self.endpoint(endpoint_id)
        return self.model_copy(update={"endpoints": tuple(e for e in self.endpoints if e.id != endpoint_id)})

    def subscribed(self, event: WebhookEvent) -> list[WebhookEndpoint]:
        return [endpoint for endpoint in self.endpoints if event in endpoint.events]


# --- deliveries ----------------------------------------------------------------------------------------
class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def event_id(booking: Booking, event: WebhookEvent) -> str:
    """One id per booking version and event: the receiver's idempotency key (`Kaleno-Event-Id`)."""
    return f"{booking.id}-v{booking.version}-{event.value}"


def delivery_id(endpoint_id: str, booking: Booking, event: WebhookEvent) -> str:
    """The event's id for one endpoint, in the characters document ids and task names allow."""
    return f"{endpoint_id}-{event_id(booking, event).replace('.', '-')}"


class WebhookDelivery(BaseModel):
    """One event on its way to one endpoint: ids, counts and status codes only (what was sent is built from
    the booking at each attempt, so nothing of the invitee is kept here)."""

    model_config = ConfigDict(frozen=True)

    id: str
    host_id: str
    endpoint_id: str
    event: WebhookEvent
    event_id: str
    booking_id: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_status: int | None = None  # the receiver's last HTTP status (None: no answer)
    last_error: str | None = None  # a stable code: http_status, timeout, connection_failed, address_refused...
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None
    expires_at: datetime

    @classmethod
    def of(
        cls, endpoint: WebhookEndpoint, host_id: str, event: WebhookEvent, booking: Booking, now: datetime
    ) -> WebhookDelivery:
        return cls(
            id=delivery_id(endpoint.id, booking, event),
            host_id=host_id,
            endpoint_id=endpoint.id,
            event=event,
            event_id=event_id(booking, event),
            booking_id=booking.id,
            created_at=now,
            updated_at=now,
            expires_at=now + DELIVERY_RETENTION,
        )

    def delivered(self, status: int, at: datetime) -> WebhookDelivery:
        return self.model_copy(
            update={
                "state": DeliveryState.DELIVERED,
                "attempts": self.attempts + 1,
                "last_status": status,
                "last_error": None,
                "updated_at": at,
                "delivered_at": at,
            }
        )

    def attempt_failed(self, status: int | None, error: str, at: datetime, final: bool) -> WebhookDelivery:
        """An attempt the receiver did not accept; `final`: no retry follows (the delivery failed)."""
        return self.model_copy(
            update={
                "state": DeliveryState.FAILED if final else DeliveryState.PENDING,
                "attempts": self.attempts + 1,
                "last_status": status,
                "last_error": error,
                "updated_at": at,
            }
        )

    def abandoned(self, reason: str, at: datetime) -> WebhookDelivery:
        """Nothing to send any more (the endpoint or the booking is gone): failed without an attempt."""
        return self.model_copy(update={"state": DeliveryState.FAILED, "last_error": reason, "updated_at": at})


def event_payload(event: WebhookEvent, event_id: str, created: datetime, booking: Booking) -> JsonDict:
    """What the receiver gets: the booking as it is now (`version` orders what it receives), with the
    minimum a CRM needs. An invitee who restricted or objected to processing is not named."""
    location = booking.location
    if location is not None and location.asks_invitee_phone and booking.invitee_phone:
        location = location.model_copy(update={"value": booking.invitee_phone})  # the number the host calls
    paused = booking.processing_paused
    return {
        "id": event_id,
        "type": event.value,
        "created": created.isoformat(),
        "data": {
            "booking": {
                "id": booking.id,
                "version": booking.version,
                "status": booking.status.value,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "event_type_id": booking.event_type_id,
                "invitee": None if paused else booking.invitee.model_dump(mode="json"),
                "answers": [] if paused else [answer.model_dump(mode="json") for answer in booking.answers],
                "location": location.model_dump(mode="json") if location is not None and not paused else None,
                "meeting_url": booking.meeting_url,
                "cancel_reason": booking.cancel_reason,
            }
        },
    }
