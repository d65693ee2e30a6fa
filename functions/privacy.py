"""User rights: access (export), erasure, and where to complain — for hosts (session) and invitees
(a booking's manage token, which opens that invitee's data with that host)."""

from __future__ import annotations

from typing import Any

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, Field

from shared.bootstrap import adapters, utc_now
from shared.config import get_settings
from shared.domain.booking import Booking
from shared.domain.host import Host
from shared.services import privacy as rights
from shared.web.endpoints import Endpoints, json_response, not_implemented
from shared.web.views import ComplaintView, ErasureView, PrivacyExport

api = Endpoints("privacy")


class EraseTask(BaseModel):
    erasure_id: str = Field(max_length=64)
    host_id: str = Field(max_length=64)


def _complaint() -> dict[str, str]:
    settings = get_settings()
    return ComplaintView(contact=settings.privacy_contact_email, authority=settings.supervisory_authority).model_dump()


@api.route("/export", auth="host-or-invitee", response=PrivacyExport)
def export(request: Request, principal: Host | Booking) -> Response:
    """Everything held about you, as one versioned JSON document."""
    uow = adapters().uow()
    if isinstance(principal, Host):
        return json_response(rights.export_host(principal, utc_now(), uow, _complaint()))
    return json_response(rights.export_invitee(principal, utc_now(), uow, _complaint()))


@api.route("/erase", methods=("POST",), auth="host-or-invitee", response=ErasureView, status=202)
def erase(request: Request, principal: Host | Booking) -> Response:
    """Erase your data. A host's account goes entirely (202, follow `GET /privacy/erase/{erasure_id}`);
    an invitee's bookings with this host keep only their time (200, done)."""
    ports = adapters()
    if isinstance(principal, Host):
        erasure = rights.start_host_erasure(principal, utc_now(), ports.uow(), ports.tasks)
        return json_response(ErasureView.of(erasure), status=202)
    return json_response(rights.erase_invitee(principal, utc_now(), ports.uow(), ports.tasks))


@api.route("/erase/<erasure_id>", response=ErasureView)
def erasure_state(request: Request, erasure_id: str) -> Response:
    """Where a host's erasure stands: its receipt (the id is the only key to it)."""
    return json_response(ErasureView.of(rights.erasure_receipt(erasure_id, adapters().uow())))


@api.route("/complaint", response=ComplaintView)
def complaint(request: Request) -> Response:
    """Where to take a privacy question or complaint."""
    return json_response(_complaint())


@api.route("/tasks/erase", methods=("POST",), auth="tasks", body=EraseTask)
def run_erasure(request: Request, principal: dict[str, Any], body: EraseTask) -> Response:
    """Cloud Tasks target: carry a host's erasure to its end (503 from Google: retried by the queue)."""
    erasure = rights.run_host_erasure(body.erasure_id, body.host_id, utc_now(), adapters())
    return json_response(ErasureView.of(erasure))


for _right in ("restrict", "object", "consent"):
    api.route(f"/{_right}", methods=("POST",), summary="Not built yet (501)")(not_implemented(f"privacy/{_right}"))


@functions_framework.http
def privacy(request: Request) -> Response:
    return api(request)
