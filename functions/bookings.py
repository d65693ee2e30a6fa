"""Public booking API: booking pages and free slots; booking writes follow."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.bootstrap import services, utc_now
from shared.services import availability
from shared.web.endpoints import Endpoints, json_response, not_implemented
from shared.web.views import BookingPageView, PublicEventType, PublicHost, SlotList

api = Endpoints("bookings")


class SlotsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    first_day: date = Field(alias="from", description="First calendar date (YYYY-MM-DD) in `tz`, included.")
    last_day: date = Field(alias="to", description="Last calendar date (YYYY-MM-DD) in `tz`, included.")
    tz: str = Field(description="The invitee's IANA time zone, e.g. Europe/Berlin.")

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone (expected e.g. Europe/Berlin)") from None
        return value


@api.route("/pages/<host_slug>/<event_type_slug>", response=BookingPageView)
def get_page(request: Request, host_slug: str, event_type_slug: str) -> Response:
    """What the public booking page shows about the host and the event type."""
    page, _, event_type = availability.booking_page(host_slug, event_type_slug, services().store)
    return json_response(
        BookingPageView(
            host=PublicHost(display_name=page.display_name, slug=host_slug),
            event_type=PublicEventType.model_validate(event_type.model_dump()),
            host_time_zone=page.schedule.time_zone,
        )
    )


@api.route("/pages/<host_slug>/<event_type_slug>/slots", query=SlotsQuery, response=SlotList)
def get_slots(request: Request, host_slug: str, event_type_slug: str, query: SlotsQuery) -> Response:
    """Free slots from `from` to `to` (dates in `tz`), presented in `tz`."""
    s, zone = services(), ZoneInfo(query.tz)
    slots = availability.free_slots(
        host_slug, event_type_slug, query.first_day, query.last_day, zone, utc_now(), s.store, s.tasks
    )
    return json_response(SlotList.of(slots, zone))


api.route("/", methods=("POST",), summary="Create a booking: not built yet (501)")(not_implemented("bookings"))
api.route("/<booking_id>", methods=("GET",), summary="Not built yet (501)")(not_implemented("bookings"))
api.route("/<booking_id>/<action>", methods=("POST",), summary="Not built yet (501)")(not_implemented("bookings"))


@functions_framework.http
def bookings(request: Request) -> Response:
    return api(request)
