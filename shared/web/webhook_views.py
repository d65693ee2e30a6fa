"""Response models of the host's webhook API: endpoints (the signing secret only when it is made) and the
delivery log (ids, counts and status codes: nothing of the invitees)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.domain.webhooks import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[WebhookEvent]
    description: str | None
    created_at: datetime
    secret_version: int = Field(description="Which signing secret is current: each rotation takes the next.")

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookView:
        return cls(
            **endpoint.model_dump(include={"id", "url", "description", "created_at", "secret_version"}),
            events=list(endpoint.events),
        )


class WebhookCreated(WebhookView):
    secret: str = Field(
        description="The signing secret (`whsec_...`), shown only now: keep it to verify each delivery's "
        "`Kaleno-Signature` header (HMAC-SHA256 of `<t>.<body>`)."
    )

    @classmethod
    def with_secret(cls, endpoint: WebhookEndpoint, secret: str) -> WebhookCreated:
        return cls(**WebhookView.of(endpoint).model_dump(), secret=secret)


class WebhookList(BaseModel):
    webhooks: list[WebhookView]


class DeliveryView(BaseModel):
    id: str
    event: WebhookEvent
    event_id: str = Field(description="Sent as `Kaleno-Event-Id`: the receiver's key to drop duplicates.")
    booking_id: str
    state: DeliveryState
    attempts: int
    last_status: int | None = Field(description="The receiver's last HTTP status; null when it did not answer.")
    last_error: str | None = Field(
        description="Why the last attempt failed: http_status, timeout, connection_failed, tls_failed, "
        "dns_failed, dns_timeout, address_refused, endpoint_removed, booking_gone."
    )
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryView:
        return cls(**delivery.model_dump(exclude={"host_id", "endpoint_id", "expires_at"}))


class DeliveryList(BaseModel):
    deliveries: list[DeliveryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
