"""Public booking API: booking pages, free slots, and the invitee's booking (create, view, cancel, reschedule)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.avatar import AVATAR_MEDIA_TYPE
from shared.domain.booking import BookingRequest, CancelRequest, InviteeUpdate, RescheduleRequest
from shared.domain.calendar_span import CalendarDay
from shared.domain.errors import FieldProblem, HostNotFound
from shared.domain.language import Language
from shared.domain.links import LINK_TOKEN_PATTERN
from shared.domain.time_zones import ZoneName
from shared.services import availability, avatars, bot_gate, team_availability
from shared.services import booking as booking_service
from shared.services import privacy as rights
from shared.web import pages, previews
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import InviteeGrant
from shared.web.problems import Problem, request_language
from shared.web.rate_limit import requesting_client
from shared.web.views import (
    BookingCreated,
    BookingPageView,
    BookingView,
    BookingWithPageView,
    HostPageView,
    ListedEventType,
    PublicEventType,
    PublicHost,
    SlotList,
)

api = Endpoints("bookings")


class SlotsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    first_day: CalendarDay = Field(alias="from", description="First calendar date (YYYY-MM-DD) in `tz`, included.")
    last_day: CalendarDay = Field(alias="to", description="Last calendar date (YYYY-MM-DD) in `tz`, included.")
    tz: ZoneName = Field(description="The invitee's IANA time zone, e.g. Europe/Berlin.")


LINK_HEADER = "Kaleno-Link"
# The single-use link travels in a header, never in the URL: URLs reach access logs, headers do not.
_LINK_HEADERS = (
    (
        LINK_HEADER,
        {"type": "string", "pattern": LINK_TOKEN_PATTERN},
        "A single-use link's token (the `#link=` part of the link the host sent): required for a private event "
        "type, which otherwise answers 404 as an unknown one does. A link that was used answers 410 `link-used`, "
        "one that expired or was revoked 410 `link-expired`.",
    ),
)


PROOF_HEADER = "Kaleno-Proof"
_PROOF_HEADERS = (
    (
        PROOF_HEADER,
        {"type": "string", "pattern": bot_gate.PROOF_PATTERN},
        "A solved bot-gate challenge: base64 of ALTCHA's JSON payload {algorithm, challenge, number, salt, "
        "signature}. Needed only when a write answered 403 `proof-required` (its `challenge` member says what to "
        "solve); each solution allows one write and expires with its challenge. A header of another shape answers "
        "403 `proof-required` (with a challenge) whether or not a proof is needed; a well-formed one that is not a "
        "valid, unspent proof counts only where a proof is needed (403 with a fresh challenge).",
    ),
)
_GATE_PROBLEMS = {
    403: "`proof-required`: this write needs a solved proof of work (a bot gate; an event type's `bot_gate`, or a "
    "page or client booking unusually fast). The problem carries a fresh `challenge`: solve it and send the same "
    "request again with header `Kaleno-Proof`. A missing, forged, expired or already used proof answers so too."
}


def _sender(request: Request) -> booking_service.Sender:
    """What a booking write's request says about where it came from: its client and its proof header."""
    return booking_service.Sender(requesting_client(request), request.headers.get(PROOF_HEADER))


def _language(request: Request) -> Language:
    """The language of the words an answer says (a booking's status line): the request's Accept-Language."""
    return request_language(request.headers.get("Accept-Language"))


def _visitor(request: Request) -> availability.Visitor:
    """The link's token, if one was sent (a malformed one, even empty, names nothing: 404).
    Without one, a private type still opens to its host and to the invitees of its bookings (to move them);
    an invitee's manage token also makes the slots count their booking as the one being moved."""
    from shared.web.auth import insider, rescheduled  # imported on first use: public reads never need them

    return availability.Visitor(request.headers.get(LINK_HEADER), insider(request), rescheduled(request))


@api.public("/pages/<host_slug>", response=HostPageView, limit="public-reads")
def get_host_page(request: Request, host_slug: str) -> Response:
    """The host's public page: their public event types (private ones are not listed). A team's slug answers
    the team's page: its name as the host's, its public event types."""
    try:
        page = availability.listed_page(availability.OpenHostPage(host_slug), adapters())
    except HostNotFound:
        return _team_page(host_slug)
    return json_response(
        HostPageView(
            host=PublicHost.of_page(page, host_slug),
            event_types=[ListedEventType.of(event_type) for event_type in page.listed().values()],
            host_time_zone=page.schedule.time_zone,
        )
    )


@api.public(
    "/pages/<host_slug>/<event_type_slug>", response=BookingPageView, limit="public-reads", headers=_LINK_HEADERS
)
def get_page(request: Request, host_slug: str, event_type_slug: str) -> Response:
    """What the public booking page shows about the host and the event type. A team's shows the team's name
    as the host's and, for a collective type, who will attend."""
    opened = availability.OpenBookingPage(host_slug, event_type_slug, _visitor(request))
    try:
        page, _, event_type = availability.booking_page(opened, adapters())
    except HostNotFound:
        return _team_booking_page(opened)
    return json_response(
        BookingPageView(
            host=PublicHost.of_page(page, host_slug),
            event_type=PublicEventType.of(event_type),
            host_time_zone=page.schedule_of(event_type).time_zone,
        )
    )


@api.public(
    "/pages/<host_slug>/<event_type_slug>/slots",
    query=SlotsQuery,
    response=SlotList,
    limit="public-reads",
    headers=_LINK_HEADERS,
)
def get_slots(request: Request, host_slug: str, event_type_slug: str, query: SlotsQuery) -> Response:
    """Free slots from `from` to `to` (dates in `tz`), presented in `tz`."""
    zone = ZoneInfo(query.tz)
    asked = availability.FindFreeSlots(
        host_slug, event_type_slug, query.first_day, query.last_day, zone, _visitor(request)
    )
    slots = team_availability.host_or_team_slots(asked, adapters())
    body = SlotList.body(slots.starts, slots.duration_seconds, zone, slots.complete, slots.seats_left)
    return Response(body, mimetype="application/json")


# A picture's address changes with every upload (a new id), so a browser or a cache may keep it for ever; it is
# served as an image and nothing else (no sniffing, no active content even if opened on its own).
AVATAR_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


@api.public("/avatars/<avatar_id>.webp", produces=AVATAR_MEDIA_TYPE, limit="public-reads")
def get_avatar(request: Request, avatar_id: str) -> Response:
    """A host's picture (WebP, at most 256 × 256), at the address their page's `avatar_url` gives."""
    found = avatars.avatar(avatar_id, adapters())
    return Response(found.image, mimetype=AVATAR_MEDIA_TYPE, headers=AVATAR_HEADERS)


def _team_page(team_slug: str) -> Response:
    found = team_availability.listed_team_page(availability.OpenHostPage(team_slug), adapters())
    return json_response(
        HostPageView(
            host=PublicHost(display_name=found.team.name, slug=team_slug),
            event_types=[ListedEventType.of(event_type) for event_type in found.listed().values()],
            host_time_zone=found.time_zone,
        )
    )


def _team_booking_page(opened: availability.OpenBookingPage) -> Response:
    found = team_availability.team_booking_page(opened, adapters())
    return json_response(
        BookingPageView(
            host=PublicHost(display_name=found.team.name, slug=opened.host_slug),
            event_type=PublicEventType.of(found.event_type.event_type),
            host_time_zone=found.time_zone,
            attendees=found.attendees or None,
        )
    )


def _form_problems(body: object) -> list[FieldProblem]:
    return booking_service.form_problems(body, adapters())


# The web client's pages (shared/web/pages.py). The edge serves each at its public address (infra/edge.tf
# client_pages): this function answers them because the host's and the booking page will carry what it reads
# (their title and preview in the HTML, for crawlers that run no script), and a visitor's first request then
# warms the instance their page's API calls reach next.
@api.public("/html/dashboard", produces="text/html")
def dashboard_html(request: Request) -> Response:
    """The host dashboard's page, served at `/` and `/dashboard`."""
    return pages.client_page("dashboard", request)


@api.public("/html/dashboard/<section>", produces="text/html")
def dashboard_section_html(request: Request, section: str) -> Response:
    """A section of the host dashboard, served at `/dashboard/{section}`."""
    return pages.dashboard_page(section, request)


@api.public("/html/host/<host_slug>", produces="text/html")
def host_html(request: Request, host_slug: str) -> Response:
    """A host's public page, served at `/{host_slug}`: its title and link preview name the host."""
    preview = previews.host_preview(host_slug, request, get_settings().base_url.rstrip("/"), adapters())
    return pages.client_page("host", request, preview)


@api.public("/html/book/<host_slug>/<event_type_slug>", produces="text/html")
def booking_html(request: Request, host_slug: str, event_type_slug: str) -> Response:
    """The public booking page, served at `/{host_slug}/{event_type_slug}`: its title and link preview name the
    event and its host."""
    base_url = get_settings().base_url.rstrip("/")
    preview = previews.booking_preview(host_slug, event_type_slug, request, base_url, adapters())
    return pages.client_page("book", request, preview)


@api.public("/html/manage", produces="text/html")
def manage_html(request: Request) -> Response:
    """The invitee's booking page, served at `/manage`."""
    return pages.client_page("manage", request)


@api.public("/html/privacy-rights", produces="text/html")
def privacy_rights_html(request: Request) -> Response:
    """The page for rights over every booking made with an email address, served at `/privacy-rights`."""
    return pages.client_page("privacy-rights", request)


@api.public(
    "/",
    methods=("POST",),
    body=BookingRequest,
    response=BookingCreated,
    status=201,
    limit="booking-writes",
    personal=True,  # the invitee's details and their manage token
    body_problems=_form_problems,
    headers=_PROOF_HEADERS,
    problems=_GATE_PROBLEMS,
)
def create(request: Request, body: BookingRequest) -> Response:
    """Book a free slot. Send an Idempotency-Key: a retry with the same key and body replays the answer."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 8 <= len(key) <= 200:
        raise Problem(400, "invalid-idempotency-key", "Invalid Idempotency-Key", "Use 8 to 200 characters.")
    language = _language(request)  # the invitee's, for their mail
    booked = booking_service.book(booking_service.Book(body, key, _sender(request), language), adapters())
    headers = {"Idempotent-Replayed": "true"} if booked.replayed else None
    return json_response(BookingCreated.of(booked.booking, booked.manage_token), status=201, headers=headers)


@api.invitee("/<booking_id>", response=BookingWithPageView)
def view(request: Request, principal: InviteeGrant, booking_id: str) -> Response:
    """The booking, for the invitee holding its manage token, with the host's page and event type to
    reschedule on."""
    opened = booking_service.open_booking(booking_service.OpenBooking(booking_id, principal.token), adapters())
    shown, context = BookingView.of(opened.booking, _language(request)).model_dump(), opened.context
    return json_response(
        BookingWithPageView(
            **shown, host_slug=context.host_slug, event_type_slug=context.event_type_slug, hosts=list(context.hosts)
        )
    )


@api.invitee("/<booking_id>/ics", produces="text/calendar")
def ics(request: Request, principal: InviteeGrant, booking_id: str) -> Response:
    """The booking as an RFC 5545 file (text/calendar) for the invitee's own calendar."""
    body = booking_service.booking_file(booking_service.OpenBooking(booking_id, principal.token), adapters())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="kaleno-booking.ics"'},
    )


@api.invitee(
    "/<booking_id>",
    methods=("PATCH",),
    body=InviteeUpdate,
    response=BookingView,
    limit="booking-writes",
)
def rectify(request: Request, principal: InviteeGrant, booking_id: str, body: InviteeUpdate) -> Response:
    """Correct your name, email or time zone on this booking, and this booking only (the host's calendar
    invite follows for a booking to come)."""
    command = rights.RectifyInvitee(booking_id, principal.token, body, requesting_client(request))
    rectified = rights.rectify(command, adapters())
    return json_response(BookingView.of(rectified, _language(request)))


@api.invitee(
    "/<booking_id>/cancel",
    methods=("POST",),
    body=CancelRequest,
    response=BookingView,
    limit="booking-writes",
)
def cancel(request: Request, principal: InviteeGrant, booking_id: str, body: CancelRequest) -> Response:
    """Cancel; the host's calendar event is removed and the host told (even while you restrict processing)."""
    by = booking_service.ByInvitee(principal.token, _sender(request))
    cancelled = booking_service.cancel(booking_service.CancelBooking(booking_id, body.reason, by), adapters())
    return json_response(BookingView.of(cancelled, _language(request)))


@api.invitee(
    "/<booking_id>/reschedule",
    methods=("POST",),
    body=RescheduleRequest,
    response=BookingView,
    limit="booking-writes",
    headers=_PROOF_HEADERS,
    problems=_GATE_PROBLEMS,
)
def reschedule(request: Request, principal: InviteeGrant, booking_id: str, body: RescheduleRequest) -> Response:
    """Move to another free slot; the old time is released in the same commit. The host's calendar and the
    host follow, even while you restrict or object to processing (that limits Kaleno, not your rights)."""
    by = booking_service.ByInvitee(principal.token, _sender(request))
    moved = booking_service.reschedule(booking_service.RescheduleBooking(booking_id, body.start, by), adapters())
    return json_response(BookingView.of(moved, _language(request)))


@functions_framework.http
def bookings(request: Request) -> Response:
    return api(request)
