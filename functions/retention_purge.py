"""Cloud Scheduler target: delete what is past its retention period."""

from __future__ import annotations

from datetime import timedelta

import functions_framework
from flask import Request, Response

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.logging import log_event
from shared.services.retention import RetentionPeriods, purge_expired
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import SCHEDULER, TaskCaller

api = Endpoints("retention_purge")


@api.queue("/", callers=SCHEDULER)
def run(request: Request, principal: TaskCaller) -> Response:
    """Delete expired short-lived records, bookings and ledger entries past their period, past months;
    bounded per run (the next run goes on), idempotent."""
    settings = get_settings()
    periods = RetentionPeriods(
        bookings=timedelta(days=settings.booking_retention_days),
        audit_entries=timedelta(days=settings.audit_retention_days),
        erasure_receipts=timedelta(days=settings.erasure_receipt_retention_days),
    )
    counts = purge_expired(periods, adapters())
    log_event("retention_purge", **{key.removesuffix("_deleted") + "_count": n for key, n in counts.items()})
    return json_response(counts)


@functions_framework.http
def retention_purge(request: Request) -> Response:
    return api(request)
