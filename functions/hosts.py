"""Host API (session): profile, event types, schedules, bookings, calendar disconnect."""

from __future__ import annotations

from typing import Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.bootstrap import adapters, utc_now
from shared.config import get_settings
from shared.domain.booking import Booking, BookingStatus, CancelRequest, RescheduleRequest, ResolveRequest
from shared.domain.calendar_span import Instant
from shared.domain.calendars import CalendarChoiceRequest
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.host import Host, HostProfileUpdate, HostSlug
from shared.domain.links import LinkRequest
from shared.domain.schedule import NamedSchedule, Schedule, ScheduleCreate, ScheduleUpdate
from shared.domain.webhooks import DELIVERY_ID_PATTERN, WebhookRegistration
from shared.services import booking as booking_service
from shared.services import calendars as calendar_settings
from shared.services import closure, links, onboarding, webhooks
from shared.services import hosts as host_settings
from shared.services.ports import Ports, UnitOfWork
from shared.services.records import HostListing
from shared.web.endpoints import PATH_PARAMETERS, Endpoints, json_response
from shared.web.views import (
    EventTypeList,
    EventTypeView,
    HostBookingList,
    HostBookingView,
    HostCalendarsView,
    HostView,
    LinkCreated,
    LinkList,
    LinkView,
    ScheduleList,
    ScheduleView,
)
from shared.web.webhook_views import DeliveryList, DeliveryView, WebhookCreated, WebhookList, WebhookView

api = Endpoints("hosts")


@api.route("/me", auth="session", response=HostView)
def get_me(request: Request, principal: Host) -> Response:
    """The signed-in host, with the state of the calendar connection."""
    return json_response(HostView.of(principal))


@api.route("/me", methods=("PATCH",), auth="session", body=HostProfileUpdate, response=HostView)
def patch_me(request: Request, principal: Host, body: HostProfileUpdate) -> Response:
    """Change display name, public slug or time zone; `onboarded: true` once the first-run setup is done."""
    return json_response(HostView.of(host_settings.update_profile(principal, body, adapters().uow())))


class SlugQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: HostSlug = Field(description="A page address to check (lowercase letters, digits and hyphens).")


class SlugAvailability(BaseModel):
    available: bool = Field(description="No other host uses it (your own slug counts as available).")


@api.route("/me/slug-check", auth="session", query=SlugQuery, response=SlugAvailability)
def check_slug(request: Request, principal: Host, query: SlugQuery) -> Response:
    """Whether a page address is free, for checking it while it is typed; 422 if it is not a valid slug (or is
    reserved). Saving it (PATCH /hosts/me) claims it."""
    available = host_settings.slug_available(principal, query.slug, adapters().uow())
    return json_response(SlugAvailability(available=available))


@api.route("/me/disconnect", methods=("POST",), auth="session", response=HostView)
def disconnect(request: Request, principal: Host) -> Response:
    """Cancel every booking still to come (each invitee gets one cancellation by mail, with an .ics that
    removes it; each event is deleted from your calendar first), then revoke Google access, stop the watch
    channel, purge the busy mirror and destroy the stored token. Asking again finishes one that failed."""
    after = onboarding.disconnect(onboarding.Disconnect(principal.id), adapters())
    return json_response(HostView.of(after or principal))


class ClosingImpact(BaseModel):
    """What disconnecting or deleting the account would cancel, for the host to read before confirming."""

    future_bookings: int = Field(description="Bookings still to come that would be cancelled (each invitee told).")


@api.route("/me/closing-impact", auth="session", response=ClosingImpact)
def closing_impact(request: Request, principal: Host) -> Response:
    """How many bookings still to come a disconnect or an account deletion would cancel."""
    count = len(closure.future_bookings(principal.id, utc_now(), adapters().uow()))
    return json_response(ClosingImpact(future_bookings=count))


@api.route("/me/calendars", auth="session", response=HostCalendarsView)
def get_calendars(request: Request, principal: Host) -> Response:
    """Your Google calendars and which ones count as busy (`conflict`) or receive bookings (`write`). Needs
    the permission to list your calendars, asked for only when you open this setting: without it, 403
    `calendar-list-not-granted` names the missing scope and the `consent_url` that asks for it."""
    found = calendar_settings.host_calendars(principal, adapters())
    return json_response(HostCalendarsView.of(found.listed, found.choice))


@api.route("/me/calendars", methods=("PUT",), auth="session", body=CalendarChoiceRequest, response=HostCalendarsView)
def put_calendars(request: Request, principal: Host, body: CalendarChoiceRequest) -> Response:
    """Choose conflict calendars (at most 10; their busy times block slots, refreshed before this answers) and
    the write calendar (one you own). Existing bookings keep their events where they were written. 422 names
    each unknown or unusable id (`conflict.<i>`, `write`)."""
    found = calendar_settings.choose_calendars(calendar_settings.ChooseCalendars(principal, body), adapters())
    return json_response(HostCalendarsView.of(found.listed, found.choice))


@api.route("/me/event-types", auth="session", response=EventTypeList)
def list_event_types(request: Request, principal: Host) -> Response:
    """The host's event types."""
    found = host_settings.list_event_types(principal, adapters().uow())
    return json_response(EventTypeList(event_types=[EventTypeView.of(i, et) for i, et in found.items()]))


@api.route("/me/event-types", methods=("POST",), auth="session", body=EventType, response=EventTypeView, status=201)
def create_event_type(request: Request, principal: Host, body: EventType) -> Response:
    """Add an event type (only slug, title and duration are required). At most 50 (409
    `event-type-limit-reached`); one that would outgrow the host's page answers 422 `page-full`."""
    event_type_id = host_settings.create_event_type(principal, body, utc_now(), adapters())
    return json_response(EventTypeView.of(event_type_id, body), status=201)


@api.route("/me/event-types/<event_type_id>", auth="session", response=EventTypeView)
def get_event_type(request: Request, principal: Host, event_type_id: str) -> Response:
    """One event type."""
    found = host_settings.event_type(principal, event_type_id, adapters().uow())
    return json_response(EventTypeView.of(event_type_id, found))


@api.route(
    "/me/event-types/<event_type_id>", methods=("PATCH",), auth="session", body=EventTypeUpdate, response=EventTypeView
)
def patch_event_type(request: Request, principal: Host, event_type_id: str, body: EventTypeUpdate) -> Response:
    """Change some fields of an event type (null resets an optional field to its default)."""
    updated = host_settings.update_event_type(principal, event_type_id, body, utc_now(), adapters())
    return json_response(EventTypeView.of(event_type_id, updated))


@api.route("/me/event-types/<event_type_id>", methods=("DELETE",), auth="session", status=204)
def delete_event_type(request: Request, principal: Host, event_type_id: str) -> Response:
    """Remove an event type (existing bookings stay; its open single-use links are revoked)."""
    host_settings.delete_event_type(principal, event_type_id, adapters().uow())
    links.withdraw_links(principal, event_type_id, utc_now(), adapters().uow())
    return Response(status=204)


@api.route(
    "/me/event-types/<event_type_id>/links",
    methods=("POST",),
    auth="session",
    body=LinkRequest,
    response=LinkCreated,
    status=201,
)
def create_link(request: Request, principal: Host, event_type_id: str, body: LinkRequest) -> Response:
    """A single-use link to this event type: one booking can be made with it (until `expires_at`, if given).
    The answer holds its token and address, shown only now (only a hash is kept). At most 500 open links per
    event type (409 `link-limit-reached`)."""
    now = utc_now()
    uow = adapters().uow()
    link, token = links.create_link(principal, event_type_id, body, now, uow)
    event_type = host_settings.event_type(principal, event_type_id, uow)
    url = links.link_url(get_settings().base_url, principal.slug, event_type.slug, token)
    return json_response(LinkCreated(**LinkView.of(link, now).model_dump(), token=token, url=url), status=201)


@api.route("/me/event-types/<event_type_id>/links", auth="session", response=LinkList)
def list_links(request: Request, principal: Host, event_type_id: str) -> Response:
    """This event type's single-use links, newest first, with their state (never their tokens)."""
    now = utc_now()
    found = links.links_of(principal, event_type_id, adapters().uow())
    return json_response(LinkList(links=[LinkView.of(link, now) for link in found]))


@api.route("/me/event-types/<event_type_id>/links/<link_id>", methods=("DELETE",), auth="session", status=204)
def revoke_link(request: Request, principal: Host, event_type_id: str, link_id: str) -> Response:
    """Revoke a link: from now on it answers 410 `link-expired`. A link already used answers 410 `link-used`
    (cancel its booking instead)."""
    links.revoke_link(principal, event_type_id, link_id, utc_now(), adapters().uow())
    return Response(status=204)


@api.route("/me/schedule", auth="session", response=Schedule)
def get_schedule(request: Request, principal: Host) -> Response:
    """The default schedule's weekly hours, date overrides and time off, in its time zone."""
    return json_response(host_settings.schedule(principal, adapters().uow()))


@api.route("/me/schedule", methods=("PUT",), auth="session", body=Schedule, response=Schedule)
def put_schedule(request: Request, principal: Host, body: Schedule) -> Response:
    """Replace the default schedule's weekly hours, date overrides and time off (its name stays)."""
    return json_response(host_settings.replace_schedule(principal, body, adapters().uow()))


@api.route("/me/schedules", auth="session", response=ScheduleList)
def list_schedules(request: Request, principal: Host) -> Response:
    """Every schedule of the host, the default one (id `default`) first."""
    page, found = host_settings.list_schedules(principal, adapters().uow())
    return json_response(ScheduleList(schedules=[ScheduleView.of(i, s, page) for i, s in found.items()]))


@api.route("/me/schedules", methods=("POST",), auth="session", body=ScheduleCreate, response=ScheduleView, status=201)
def create_schedule(request: Request, principal: Host, body: ScheduleCreate) -> Response:
    """Add a named schedule (hours default to weekdays 09:00-17:00 in your zone). At most 20 schedules, the
    default one included (409 `schedule-limit-reached`)."""
    schedule_id, page = host_settings.create_schedule(principal, body, adapters().uow())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page), status=201)


@api.route("/me/schedules/<schedule_id>", auth="session", response=ScheduleView)
def get_named_schedule(request: Request, principal: Host, schedule_id: str) -> Response:
    """One schedule, with the event types that use it."""
    page, found = host_settings.named_schedule(principal, schedule_id, adapters().uow())
    return json_response(ScheduleView.of(schedule_id, found, page))


@api.route("/me/schedules/<schedule_id>", methods=("PUT",), auth="session", body=NamedSchedule, response=ScheduleView)
def put_named_schedule(request: Request, principal: Host, schedule_id: str, body: NamedSchedule) -> Response:
    """Replace a schedule's name and hours."""
    page = host_settings.replace_named_schedule(principal, schedule_id, body, adapters().uow())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page))


@api.route(
    "/me/schedules/<schedule_id>", methods=("PATCH",), auth="session", body=ScheduleUpdate, response=ScheduleView
)
def patch_named_schedule(request: Request, principal: Host, schedule_id: str, body: ScheduleUpdate) -> Response:
    """Change some fields of a schedule (rename it, or replace its weekly hours, overrides or time off)."""
    page = host_settings.update_schedule(principal, schedule_id, body, adapters().uow())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page))


@api.route("/me/schedules/<schedule_id>", methods=("DELETE",), auth="session", status=204)
def delete_named_schedule(request: Request, principal: Host, schedule_id: str) -> Response:
    """Remove a schedule. Refused (409 `schedule-in-use`) while an event type uses it, and for the default."""
    host_settings.delete_schedule(principal, schedule_id, adapters().uow())
    return Response(status=204)


class BookingsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    when: Literal["upcoming", "past"] = Field(
        "upcoming", description="upcoming: ending now or later, soonest first; past: ended, latest first."
    )
    status: Literal["confirmed", "cancelled", "cancelled_by_host", "needs_attention"] | None = Field(
        None, description="Only bookings in this state."
    )
    event_type: str | None = Field(None, pattern=PATH_PARAMETERS["event_type_id"], description="Only this event type.")
    cursor: str | None = Field(
        None, pattern=PATH_PARAMETERS["booking_id"], description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=200, description="Bookings per page.")
    ends_from: Instant | None = Field(None, alias="from", description="Only bookings ending at or after this instant.")
    ends_before: Instant | None = Field(None, alias="to", description="Only bookings ending before this instant.")


@api.route("/me/bookings", auth="session", query=BookingsQuery, response=HostBookingList)
def list_bookings(request: Request, principal: Host, query: BookingsQuery) -> Response:
    """The host's bookings, a page at a time, with their calendar sync state (failed syncs show here)."""
    listing = HostListing(
        now=utc_now(),
        upcoming=query.when == "upcoming",
        status=BookingStatus(query.status) if query.status else None,
        event_type_id=query.event_type,
        after_booking_id=query.cursor,
        limit=query.limit,
        ends_from=query.ends_from,
        ends_before=query.ends_before,
    )
    found, next_cursor = booking_service.host_bookings(principal, listing, adapters().uow())
    bookings = [HostBookingView.of(booking) for booking in found]
    return json_response(HostBookingList(bookings=bookings, next_cursor=next_cursor))


@api.route(
    "/me/bookings/<booking_id>/cancel", methods=("POST",), auth="session", body=CancelRequest, response=HostBookingView
)
def cancel_booking(request: Request, principal: Host, booking_id: str, body: CancelRequest) -> Response:
    """Cancel one of the host's bookings; the calendar event is removed."""
    ports, uow, booking = _hosts_booking(principal, booking_id)
    cancelled = booking_service.cancel(booking, body.reason, uow, ports.tasks)
    return json_response(HostBookingView.of(cancelled))


@api.route(
    "/me/bookings/<booking_id>/reschedule",
    methods=("POST",),
    auth="session",
    body=RescheduleRequest,
    response=HostBookingView,
)
def reschedule_booking(request: Request, principal: Host, booking_id: str, body: RescheduleRequest) -> Response:
    """Move one of the host's bookings to another offered slot; the event and its invitee follow (Google
    sends the invitee the update). Any other time: move the event in Google Calendar, the booking follows."""
    ports, uow, booking = _hosts_booking(principal, booking_id)
    moved = booking_service.reschedule(booking, body.start, utc_now(), uow, ports.tasks)
    return json_response(HostBookingView.of(moved))


@api.route(
    "/me/bookings/<booking_id>/resolve",
    methods=("POST",),
    auth="session",
    body=ResolveRequest,
    response=HostBookingView,
)
def resolve_booking(request: Request, principal: Host, booking_id: str, body: ResolveRequest) -> Response:
    """Settle a booking you moved in Google onto another booking's time (`needs_attention`): keep the moved
    time (once it no longer clashes) or put the event back at the booked time."""
    ports, uow, booking = _hosts_booking(principal, booking_id)
    resolved = booking_service.resolve(booking, body.keep == "moved", uow, ports.tasks)
    return json_response(HostBookingView.of(resolved))


def _hosts_booking(host: Host, booking_id: str) -> tuple[Ports, UnitOfWork, Booking]:
    ports = adapters()
    uow = ports.uow()
    return ports, uow, booking_service.host_booking(host, booking_id, uow)


# --- outgoing webhooks --------------------------------------------------------------------------------
def _webhook_policy() -> webhooks.WebhookPolicy:
    settings = get_settings()
    return webhooks.WebhookPolicy(
        allow_private=settings.webhooks_allow_private, max_endpoints=settings.webhooks_per_host
    )


def _webhook_key() -> str:
    return adapters().keys.webhook()


@api.route(
    "/me/webhooks", methods=("POST",), auth="session", body=WebhookRegistration, response=WebhookCreated, status=201
)
def create_webhook(request: Request, principal: Host, body: WebhookRegistration) -> Response:
    """Register an https:// endpoint for booking events; the answer holds its signing secret, shown only now.
    Refused (422 `webhook-url-refused`): a host that resolves to a private, loopback or other non-public
    address. At most 10 endpoints (409 `webhook-limit-reached`)."""
    ports = adapters()
    endpoint, secret = webhooks.register(
        principal, body, utc_now(), ports.uow(), ports.webhook_http, _webhook_policy(), _webhook_key()
    )
    return json_response(WebhookCreated.with_secret(endpoint, secret), status=201)


@api.route("/me/webhooks", auth="session", response=WebhookList)
def list_webhooks(request: Request, principal: Host) -> Response:
    """Your webhook endpoints (without their secrets)."""
    found = webhooks.endpoints(principal, adapters().uow())
    return json_response(WebhookList(webhooks=[WebhookView.of(endpoint) for endpoint in found]))


@api.route("/me/webhooks/<webhook_id>", auth="session", response=WebhookView)
def get_webhook(request: Request, principal: Host, webhook_id: str) -> Response:
    """One webhook endpoint (without its secret)."""
    return json_response(WebhookView.of(webhooks.endpoint(principal, webhook_id, adapters().uow())))


@api.route("/me/webhooks/<webhook_id>", methods=("DELETE",), auth="session", status=204)
def delete_webhook(request: Request, principal: Host, webhook_id: str) -> Response:
    """Stop sending events to this endpoint (deliveries on their way are dropped)."""
    webhooks.remove(principal, webhook_id, adapters().uow())
    return Response(status=204)


@api.route("/me/webhooks/<webhook_id>/rotate-secret", methods=("POST",), auth="session", response=WebhookCreated)
def rotate_webhook_secret(request: Request, principal: Host, webhook_id: str) -> Response:
    """Replace the endpoint's signing secret; the new one is shown only now and signs from now on."""
    endpoint, secret = webhooks.rotate_secret(principal, webhook_id, adapters().uow(), _webhook_key())
    return json_response(WebhookCreated.with_secret(endpoint, secret))


class DeliveriesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=100, description="Deliveries per page.")
    cursor: str | None = Field(None, pattern=DELIVERY_ID_PATTERN, description="`next_cursor` of the previous page.")


@api.route("/me/webhooks/<webhook_id>/deliveries", auth="session", query=DeliveriesQuery, response=DeliveryList)
def list_webhook_deliveries(request: Request, principal: Host, webhook_id: str, query: DeliveriesQuery) -> Response:
    """The endpoint's delivery log, latest first: event, event id, attempts, last status, state (kept 30 days)."""
    found, next_cursor = webhooks.deliveries(principal, webhook_id, query.limit, query.cursor, adapters().uow())
    return json_response(DeliveryList(deliveries=[DeliveryView.of(d) for d in found], next_cursor=next_cursor))


@functions_framework.http
def hosts(request: Request) -> Response:
    return api(request)
