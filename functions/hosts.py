"""Host API (session): profile, event types, schedules, bookings, calendar disconnect."""

from __future__ import annotations

from typing import Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.avatar import MAX_UPLOAD_BYTES, UPLOAD_TYPES
from shared.domain.booking import BookingStatus, CancelRequest, RescheduleRequest, ResolveRequest
from shared.domain.calendar_span import Instant
from shared.domain.calendars import CalendarChoiceRequest
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.host import Host, HostProfileUpdate, HostSlug
from shared.domain.links import LinkRequest
from shared.domain.schedule import NamedSchedule, Schedule, ScheduleCreate, ScheduleUpdate
from shared.domain.webhooks import DELIVERY_ID_PATTERN, WebhookRegistration
from shared.services import avatars, closure, links, onboarding, webhooks
from shared.services import booking as booking_service
from shared.services import calendars as calendar_settings
from shared.services import hosts as host_settings
from shared.services.records import HostListing
from shared.web.endpoints import PATH_PARAMETERS, Endpoints, json_response
from shared.web.qr import booking_page_url, qr_response
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


@api.host("/me", response=HostView)
def get_me(request: Request, principal: Host) -> Response:
    """The signed-in host, with the state of the calendar connection."""
    return json_response(HostView.of(principal))


@api.host("/me", methods=("PATCH",), body=HostProfileUpdate, response=HostView)
def patch_me(request: Request, principal: Host, body: HostProfileUpdate) -> Response:
    """Change display name, public slug, time zone, brand colour or language; `onboarded: true` once the
    first-run setup is done."""
    updated = host_settings.update_profile(host_settings.UpdateProfile(principal, body), adapters())
    return json_response(HostView.of(updated))


@api.host(
    "/me/avatar",
    methods=("PUT",),
    response=HostView,
    max_body_bytes=MAX_UPLOAD_BYTES,
    uploads=tuple(UPLOAD_TYPES),
    problems={
        413: "`body-too-large` (or `avatar-too-large`): the picture is over 2 MB.",
        415: "`avatar-type-unsupported`: the body's Content-Type is not image/png, image/jpeg, image/webp or "
        "image/gif.",
        422: "`avatar-unreadable`: the bytes are not a picture of that type, or one of over 40 million pixels.",
    },
)
def put_avatar(request: Request, principal: Host) -> Response:
    """Set your picture: the body is the image itself (PNG, JPEG, WebP or GIF, at most 2 MB), its type in
    Content-Type. Kaleno makes its own copy (turned upright, centre square, at most 256 × 256, WebP, no
    metadata: no EXIF or GPS position) and never keeps what you sent. `avatar_url` says where it is shown."""
    from shared.web.avatar_image import reencoded  # Pillow: imported by the one request that needs it

    image = reencoded(request.get_data(cache=False), request.mimetype)
    return json_response(HostView.of(avatars.set_avatar(avatars.SetAvatar(principal, image), adapters())))


@api.host("/me/avatar", methods=("DELETE",), response=HostView)
def delete_avatar(request: Request, principal: Host) -> Response:
    """Remove your picture: your pages show your initials again. Removing none is fine."""
    return json_response(HostView.of(avatars.remove_avatar(principal, adapters())))


class SlugQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: HostSlug = Field(description="A page address to check (lowercase letters, digits and hyphens).")


class SlugAvailability(BaseModel):
    available: bool = Field(description="No other host uses it (your own slug counts as available).")


@api.host("/me/slug-check", query=SlugQuery, response=SlugAvailability)
def check_slug(request: Request, principal: Host, query: SlugQuery) -> Response:
    """Whether a page address is free, for checking it while it is typed; 422 if it is not a valid slug (or is
    reserved). Saving it (PATCH /hosts/me) claims it."""
    available = host_settings.slug_available(principal, query.slug, adapters())
    return json_response(SlugAvailability(available=available))


@api.host("/me/disconnect", methods=("POST",), response=HostView)
def disconnect(request: Request, principal: Host) -> Response:
    """Cancel every booking still to come (each invitee gets one cancellation by mail, with an .ics that
    removes it; each event is deleted from your calendar first), then revoke Google access, stop the watch
    channel, purge the busy mirror and destroy the stored token. Asking again finishes one that failed."""
    after = onboarding.disconnect(onboarding.Disconnect(principal.id), adapters())
    return json_response(HostView.of(after or principal))


class ClosingImpact(BaseModel):
    """What disconnecting or deleting the account would cancel, for the host to read before confirming."""

    future_bookings: int = Field(description="Bookings still to come that would be cancelled (each invitee told).")


@api.host("/me/closing-impact", response=ClosingImpact)
def closing_impact(request: Request, principal: Host) -> Response:
    """How many bookings still to come a disconnect or an account deletion would cancel."""
    count = len(closure.future_bookings(principal.id, adapters()))
    return json_response(ClosingImpact(future_bookings=count))


@api.host("/me/calendars", response=HostCalendarsView)
def get_calendars(request: Request, principal: Host) -> Response:
    """Your Google calendars and which ones count as busy (`conflict`) or receive bookings (`write`). Needs
    the permission to list your calendars, asked for only when you open this setting: without it, 403
    `calendar-list-not-granted` names the missing scope and the `consent_url` that asks for it."""
    found = calendar_settings.host_calendars(principal, adapters())
    return json_response(HostCalendarsView.of(found.listed, found.choice))


@api.host("/me/calendars", methods=("PUT",), body=CalendarChoiceRequest, response=HostCalendarsView)
def put_calendars(request: Request, principal: Host, body: CalendarChoiceRequest) -> Response:
    """Choose conflict calendars (at most 10; their busy times block slots, refreshed before this answers) and
    the write calendar (one you own). Existing bookings keep their events where they were written. 422 names
    each unknown or unusable id (`conflict.<i>`, `write`)."""
    found = calendar_settings.choose_calendars(calendar_settings.ChooseCalendars(principal, body), adapters())
    return json_response(HostCalendarsView.of(found.listed, found.choice))


@api.host("/me/event-types", response=EventTypeList)
def list_event_types(request: Request, principal: Host) -> Response:
    """The host's event types."""
    found = host_settings.list_event_types(principal, adapters())
    return json_response(EventTypeList(event_types=[EventTypeView.of(i, et) for i, et in found.items()]))


@api.host("/me/event-types", methods=("POST",), body=EventType, response=EventTypeView, status=201)
def create_event_type(request: Request, principal: Host, body: EventType) -> Response:
    """Add an event type (only slug, title and duration are required). At most 50 (409
    `event-type-limit-reached`); one that would outgrow the host's page answers 422 `page-full`."""
    event_type_id = host_settings.create_event_type(host_settings.CreateEventType(principal, body), adapters())
    return json_response(EventTypeView.of(event_type_id, body), status=201)


@api.host("/me/event-types/<event_type_id>", response=EventTypeView)
def get_event_type(request: Request, principal: Host, event_type_id: str) -> Response:
    """One event type."""
    found = host_settings.event_type(principal, event_type_id, adapters())
    return json_response(EventTypeView.of(event_type_id, found))


@api.host("/me/event-types/<event_type_id>", methods=("PATCH",), body=EventTypeUpdate, response=EventTypeView)
def patch_event_type(request: Request, principal: Host, event_type_id: str, body: EventTypeUpdate) -> Response:
    """Change some fields of an event type (null resets an optional field to its default)."""
    command = host_settings.UpdateEventType(principal, event_type_id, body)
    updated = host_settings.update_event_type(command, adapters())
    return json_response(EventTypeView.of(event_type_id, updated))


@api.host("/me/event-types/<event_type_id>", methods=("DELETE",), status=204)
def delete_event_type(request: Request, principal: Host, event_type_id: str) -> Response:
    """Remove an event type (existing bookings stay; its open single-use links are revoked)."""
    host_settings.delete_event_type(host_settings.DeleteEventType(principal, event_type_id), adapters())
    return Response(status=204)


@api.host(
    "/me/event-types/<event_type_id>/links",
    methods=("POST",),
    body=LinkRequest,
    response=LinkCreated,
    status=201,
)
def create_link(request: Request, principal: Host, event_type_id: str, body: LinkRequest) -> Response:
    """A single-use link to this event type: one booking can be made with it (until `expires_at`, if given).
    The answer holds its token and address, shown only now (only a hash is kept). At most 500 open links per
    event type (409 `link-limit-reached`)."""
    created = links.create_link(links.CreateLink(principal, event_type_id, body), adapters())
    shown = LinkView.of(created.link, created.link.created_at).model_dump()
    return json_response(LinkCreated(**shown, token=created.token, url=created.url), status=201)


@api.host("/me/event-types/<event_type_id>/links", response=LinkList)
def list_links(request: Request, principal: Host, event_type_id: str) -> Response:
    """This event type's single-use links, newest first, with their state (never their tokens)."""
    ports = adapters()
    found, now = links.links_of(principal, event_type_id, ports), ports.now()
    return json_response(LinkList(links=[LinkView.of(link, now) for link in found]))


@api.host("/me/event-types/<event_type_id>/links/<link_id>", methods=("DELETE",), status=204)
def revoke_link(request: Request, principal: Host, event_type_id: str, link_id: str) -> Response:
    """Revoke a link: from now on it answers 410 `link-expired`. A link already used answers 410 `link-used`
    (cancel its booking instead)."""
    links.revoke_link(links.RevokeLink(principal, event_type_id, link_id), adapters())
    return Response(status=204)


@api.host("/me/event-types/<event_type_id>/qr.svg", produces="image/svg+xml")
def event_type_qr(request: Request, principal: Host, event_type_id: str) -> Response:
    """The event type's booking link as a QR code (SVG: dark on white, with its quiet zone), to show or print."""
    found = host_settings.event_type(principal, event_type_id, adapters())
    return qr_response(booking_page_url(get_settings().base_url, principal.slug, found.slug))


@api.host("/me/schedule", response=Schedule)
def get_schedule(request: Request, principal: Host) -> Response:
    """The default schedule's weekly hours, date overrides and time off, in its time zone."""
    return json_response(host_settings.schedule(principal, adapters()))


@api.host("/me/schedule", methods=("PUT",), body=Schedule, response=Schedule)
def put_schedule(request: Request, principal: Host, body: Schedule) -> Response:
    """Replace the default schedule's weekly hours, date overrides and time off (its name stays)."""
    return json_response(host_settings.replace_schedule(host_settings.ReplaceSchedule(principal, body), adapters()))


@api.host("/me/schedules", response=ScheduleList)
def list_schedules(request: Request, principal: Host) -> Response:
    """Every schedule of the host, the default one (id `default`) first."""
    page, found = host_settings.list_schedules(principal, adapters())
    return json_response(ScheduleList(schedules=[ScheduleView.of(i, s, page) for i, s in found.items()]))


@api.host("/me/schedules", methods=("POST",), body=ScheduleCreate, response=ScheduleView, status=201)
def create_schedule(request: Request, principal: Host, body: ScheduleCreate) -> Response:
    """Add a named schedule (hours default to weekdays 09:00-17:00 in your zone). At most 20 schedules, the
    default one included (409 `schedule-limit-reached`)."""
    schedule_id, page = host_settings.create_schedule(host_settings.CreateSchedule(principal, body), adapters())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page), status=201)


@api.host("/me/schedules/<schedule_id>", response=ScheduleView)
def get_named_schedule(request: Request, principal: Host, schedule_id: str) -> Response:
    """One schedule, with the event types that use it."""
    page, found = host_settings.named_schedule(principal, schedule_id, adapters())
    return json_response(ScheduleView.of(schedule_id, found, page))


@api.host("/me/schedules/<schedule_id>", methods=("PUT",), body=NamedSchedule, response=ScheduleView)
def put_named_schedule(request: Request, principal: Host, schedule_id: str, body: NamedSchedule) -> Response:
    """Replace a schedule's name and hours."""
    command = host_settings.ReplaceNamedSchedule(principal, schedule_id, body)
    page = host_settings.replace_named_schedule(command, adapters())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page))


@api.host("/me/schedules/<schedule_id>", methods=("PATCH",), body=ScheduleUpdate, response=ScheduleView)
def patch_named_schedule(request: Request, principal: Host, schedule_id: str, body: ScheduleUpdate) -> Response:
    """Change some fields of a schedule (rename it, or replace its weekly hours, overrides or time off)."""
    page = host_settings.update_schedule(host_settings.UpdateSchedule(principal, schedule_id, body), adapters())
    return json_response(ScheduleView.of(schedule_id, page.named_schedule(schedule_id), page))


@api.host("/me/schedules/<schedule_id>", methods=("DELETE",), status=204)
def delete_named_schedule(request: Request, principal: Host, schedule_id: str) -> Response:
    """Remove a schedule. Refused (409 `schedule-in-use`) while an event type uses it, and for the default."""
    host_settings.delete_schedule(host_settings.DeleteSchedule(principal, schedule_id), adapters())
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


@api.host("/me/bookings", query=BookingsQuery, response=HostBookingList)
def list_bookings(request: Request, principal: Host, query: BookingsQuery) -> Response:
    """The host's bookings, a page at a time, with their calendar sync state (failed syncs show here)."""
    ports = adapters()
    listing = HostListing(
        now=ports.now(),
        upcoming=query.when == "upcoming",
        status=BookingStatus(query.status) if query.status else None,
        event_type_id=query.event_type,
        after_booking_id=query.cursor,
        limit=query.limit,
        ends_from=query.ends_from,
        ends_before=query.ends_before,
    )
    found, next_cursor = booking_service.host_bookings(principal, listing, ports)
    bookings = [HostBookingView.of(booking) for booking in found]
    return json_response(HostBookingList(bookings=bookings, next_cursor=next_cursor))


@api.host("/me/bookings/<booking_id>/cancel", methods=("POST",), body=CancelRequest, response=HostBookingView)
def cancel_booking(request: Request, principal: Host, booking_id: str, body: CancelRequest) -> Response:
    """Cancel one of the host's bookings; the calendar event is removed."""
    by = booking_service.ByHost(principal.id)
    cancelled = booking_service.cancel(booking_service.CancelBooking(booking_id, body.reason, by), adapters())
    return json_response(HostBookingView.of(cancelled))


@api.host(
    "/me/bookings/<booking_id>/reschedule",
    methods=("POST",),
    body=RescheduleRequest,
    response=HostBookingView,
)
def reschedule_booking(request: Request, principal: Host, booking_id: str, body: RescheduleRequest) -> Response:
    """Move one of the host's bookings to another offered slot; the event and its invitee follow (Google
    sends the invitee the update). Any other time: move the event in Google Calendar, the booking follows."""
    by = booking_service.ByHost(principal.id)
    moved = booking_service.reschedule(booking_service.RescheduleBooking(booking_id, body.start, by), adapters())
    return json_response(HostBookingView.of(moved))


@api.host(
    "/me/bookings/<booking_id>/resolve",
    methods=("POST",),
    body=ResolveRequest,
    response=HostBookingView,
)
def resolve_booking(request: Request, principal: Host, booking_id: str, body: ResolveRequest) -> Response:
    """Settle a booking you moved in Google onto another booking's time (`needs_attention`): keep the moved
    time (once it no longer clashes) or put the event back at the booked time."""
    by = booking_service.ByHost(principal.id)
    command = booking_service.ResolveBooking(booking_id, body.keep == "moved", by)
    return json_response(HostBookingView.of(booking_service.resolve(command, adapters())))


# --- outgoing webhooks --------------------------------------------------------------------------------
def _webhook_policy() -> webhooks.WebhookPolicy:
    settings = get_settings()
    return webhooks.WebhookPolicy(
        allow_private=settings.webhooks_allow_private, max_endpoints=settings.webhooks_per_host
    )


@api.host("/me/webhooks", methods=("POST",), body=WebhookRegistration, response=WebhookCreated, status=201)
def create_webhook(request: Request, principal: Host, body: WebhookRegistration) -> Response:
    """Register an https:// endpoint for booking events; the answer holds its signing secret, shown only now.
    Refused (422 `webhook-url-refused`): a host that resolves to a private, loopback or other non-public
    address. At most 10 endpoints (409 `webhook-limit-reached`)."""
    endpoint, secret = webhooks.register(webhooks.RegisterWebhook(principal, body, _webhook_policy()), adapters())
    return json_response(WebhookCreated.with_secret(endpoint, secret), status=201)


@api.host("/me/webhooks", response=WebhookList)
def list_webhooks(request: Request, principal: Host) -> Response:
    """Your webhook endpoints (without their secrets)."""
    found = webhooks.endpoints(principal, adapters())
    return json_response(WebhookList(webhooks=[WebhookView.of(endpoint) for endpoint in found]))


@api.host("/me/webhooks/<webhook_id>", response=WebhookView)
def get_webhook(request: Request, principal: Host, webhook_id: str) -> Response:
    """One webhook endpoint (without its secret)."""
    return json_response(WebhookView.of(webhooks.endpoint(principal, webhook_id, adapters())))


@api.host("/me/webhooks/<webhook_id>", methods=("DELETE",), status=204)
def delete_webhook(request: Request, principal: Host, webhook_id: str) -> Response:
    """Stop sending events to this endpoint (deliveries on their way are dropped)."""
    webhooks.remove(webhooks.RemoveWebhook(principal, webhook_id), adapters())
    return Response(status=204)


@api.host("/me/webhooks/<webhook_id>/rotate-secret", methods=("POST",), response=WebhookCreated)
def rotate_webhook_secret(request: Request, principal: Host, webhook_id: str) -> Response:
    """Replace the endpoint's signing secret; the new one is shown only now and signs from now on."""
    endpoint, secret = webhooks.rotate_secret(webhooks.RotateSecret(principal, webhook_id), adapters())
    return json_response(WebhookCreated.with_secret(endpoint, secret))


class DeliveriesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=100, description="Deliveries per page.")
    cursor: str | None = Field(None, pattern=DELIVERY_ID_PATTERN, description="`next_cursor` of the previous page.")


@api.host("/me/webhooks/<webhook_id>/deliveries", query=DeliveriesQuery, response=DeliveryList)
def list_webhook_deliveries(request: Request, principal: Host, webhook_id: str, query: DeliveriesQuery) -> Response:
    """The endpoint's delivery log, latest first: event, event id, attempts, last status, state (kept 30 days)."""
    page = webhooks.DeliveryLog(principal, webhook_id, query.limit, query.cursor)
    found, next_cursor = webhooks.deliveries(page, adapters())
    return json_response(DeliveryList(deliveries=[DeliveryView.of(d) for d in found], next_cursor=next_cursor))


@functions_framework.http
def hosts(request: Request) -> Response:
    return api(request)
