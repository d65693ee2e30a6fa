"""Cloud Tasks target: send one webhook delivery (a signed POST of one booking event to one endpoint).

Explicit about retries: 2xx means delivered, settled or deliberately dropped (the endpoint or the booking
is gone, the address is refused); 503 asks Cloud Tasks to try again with the `webhooks` queue's backoff
(with the receiver's own Retry-After when it sent one). The queue's last attempt marks the delivery failed.
"""

from __future__ import annotations

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.webhooks import DELIVERY_ID_PATTERN
from shared.services import webhooks
from shared.services.errors import WebhookNotDelivered
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import TASKS, TaskCaller
from shared.web.problems import Problem

api = Endpoints("webhook_delivery")


class DeliveryTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivery_id: str = Field(pattern=DELIVERY_ID_PATTERN)


@api.queue("/", callers=TASKS, body=DeliveryTask)
def run_task(request: Request, principal: TaskCaller, body: DeliveryTask) -> Response:
    """Send one webhook delivery; 503 until the receiver answers 2xx (Cloud Tasks retries)."""
    settings = get_settings()
    retries = request.headers.get("X-CloudTasks-TaskRetryCount", 0, type=int)  # not a number: a first try
    policy = webhooks.WebhookPolicy(allow_private=settings.webhooks_allow_private)
    final = retries >= settings.webhooks_max_attempts - 1  # the queue drops the task after it
    try:
        outcome = webhooks.deliver(webhooks.DeliverWebhook(body.delivery_id, final, policy), adapters())
    except WebhookNotDelivered as error:
        headers = {"Retry-After": str(int(error.retry_after))} if error.retry_after else {}
        raise Problem(503, "webhook-not-delivered", "Not delivered yet", "Retried later.", headers=headers) from error
    return json_response({"outcome": outcome})


@functions_framework.http
def webhook_delivery(request: Request) -> Response:
    return api(request)
