"""Public availability: the free slots of one event type, served from our own busy mirror.

Never calls Google. A mirror older than `STALE_AFTER` still answers, and a refresh is requested.
The booking writer asks the same question for one start, so what is shown is what can be booked. The rules
are pure (shared/domain/offer.py); this module reads what they need and admits the visitor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.booking import Booking
from shared.domain.booking_page import BookingPage
from shared.domain.errors import EventTypeNotFound, HostNotConnected, HostNotFound, InvalidRange
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval
from shared.domain.links import BookingLink, Visibility, link_id_of, link_token_hash
from shared.domain.offer import LOOKAROUND, FreeSlots, Offer, check_start, periods_around
from shared.domain.slots import invitee_range
from shared.logging import log_exception
from shared.services.busy_refresh import refresh_soon, stale_reason
from shared.services.ports import Ports, TaskQueue, UnitOfWork
from shared.services.tokens import same_secret

MAX_RANGE_DAYS = 62
STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Visitor:
    """A member of the public asking for an event type (its page, slots, a booking), with the single-use
    link's token they hold, if any. Rescheduling an existing booking is not a visit: the booking opens it."""

    link_token: str | None = None
    # Whether the caller already has a right to (host id, event type id) without a link: its host, or the
    # invitee of one of its bookings picking a new time. Asked only for a private type opened without a link.
    insider: Callable[[str, str], bool] | None = None
    # The booking of (host id, event type id) the caller holds (manage token) and is picking a new time for:
    # the times offered to it count it as moved, as the reschedule itself does (its own week stays open).
    moving: Callable[[str, str], Booking | None] | None = None


@dataclass(frozen=True)
class OfferQuery:
    """Which event type a read is about, at what time, for whom, and what a booking write looks up with it."""

    host_slug: str
    event_type_slug: str
    now: datetime
    visitor: Visitor | None = None  # admitted before anything about the times is told; None: not a visit
    moving: Booking | None = None  # a booking being rescheduled: its own time and places are free to it
    places: Sequence[str] = ()  # a booking write's places (write limits): which exist (snapshot.places_taken)
    velocity_windows: tuple[int, ...] = ()  # the bot gate's windows: the host's bookings counted in them
    # A team's event type (id, type) offered on one member's page, which does not list it: the booking of a
    # team type is that member's (shared/services/team_availability.py); no visitor is admitted for it here.
    team_type: tuple[str, EventType] | None = None
    team_link: BookingLink | None = None  # the team type's single-use link its visitor was admitted with


@dataclass(frozen=True)
class OpenHostPage:
    """What a visitor asked: the host's public page."""

    host_slug: str


@dataclass(frozen=True)
class OpenBookingPage:
    """What a visitor asked: the booking page of one event type."""

    host_slug: str
    event_type_slug: str
    visitor: Visitor = Visitor()


@dataclass(frozen=True)
class FindFreeSlots:
    """What a visitor asked: the free slots of an event type from `first_day` to `last_day` (dates in `zone`)."""

    host_slug: str
    event_type_slug: str
    first_day: date
    last_day: date
    zone: ZoneInfo
    visitor: Visitor = Visitor()


def listed_page(command: OpenHostPage, deps: Ports) -> BookingPage:
    """The host's public page: what `BookingPage.listed` shows."""
    page = deps.uow().pages.get(command.host_slug)
    if page is None:
        raise HostNotFound(f"no host '{command.host_slug}'")
    return page


def booking_page(command: OpenBookingPage, deps: Ports) -> tuple[BookingPage, str, EventType]:
    """The page and the event type the visitor may open (see `opened_page`)."""
    query = OfferQuery(command.host_slug, command.event_type_slug, deps.now(), command.visitor)
    return opened_page(query, deps.uow())


def opened_page(query: OfferQuery, uow: UnitOfWork) -> tuple[BookingPage, str, EventType]:
    """The page and the event type (id, record) the query's visitor may open, else what they are told."""
    page = uow.pages.get(query.host_slug)
    if page is None:
        raise HostNotFound(f"no host '{query.host_slug}'")
    event_type_id, event_type = page.by_slug(query.event_type_slug)
    _admitted(page, event_type_id, query, uow)
    return page, event_type_id, event_type


def free_slots(command: FindFreeSlots, deps: Ports) -> FreeSlots:
    """The free slots asked for, from the mirror; a stale mirror still answers and is refreshed soon."""
    if (command.last_day - command.first_day).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRange(f"ask for at most {MAX_RANGE_DAYS} days at a time")
    now, visitor = deps.now(), command.visitor
    asked = invitee_range(command.first_day, command.last_day, command.zone)
    offer = load_offer(OfferQuery(command.host_slug, command.event_type_slug, now, visitor), asked, deps.uow())
    calendar = offer.page.calendar
    if calendar.synced_at is None or now - calendar.synced_at > STALE_AFTER:
        best_effort_refresh(offer.page.host_id, stale_reason(calendar.synced_at), deps.tasks)
    moving = visitor.moving(offer.page.host_id, offer.event_type_id) if visitor.moving else None
    return offer.free_slots(command.first_day, command.last_day, command.zone, now, moving)


def check_offered(query: OfferQuery, start: datetime, uow: UnitOfWork) -> Offer:
    """The offer if `start` is a free slot now; otherwise say whether it is taken or was never offered."""
    offer = offer_around(query, start, uow)
    check_start(offer, start, query.now, query.moving)
    return offer


def offer_around(query: OfferQuery, start: datetime, uow: UnitOfWork) -> Offer:
    """What `check_start` needs to tell whether `start` is free (the visitor admitted first), which of a
    booking write's `places` are taken (`offer.snapshot.places_taken`) and the host's recent bookings for
    the bot gate, in the same read."""
    return load_offer(query, Interval(start, start + timedelta(minutes=1)), uow)


def load_offer(query: OfferQuery, around: Interval, uow: UnitOfWork) -> Offer:
    """Page, host and months in one read, a little wider than `around` (the longest meeting and buffers),
    with a booking write's `places` (snapshot.places_taken) and the host's bookings counted in the bot gate's
    `velocity_windows` (snapshot.host_recent_bookings). A visitor is admitted first (before anything about
    the times can be told)."""
    host_slug, event_type_slug = query.host_slug, query.event_type_slug
    wide = (around.start - LOOKAROUND, around.end + LOOKAROUND)
    snapshot = uow.months.snapshot(host_slug, *wide, query.places, query.velocity_windows)
    if snapshot is None:
        raise HostNotFound(f"no host '{host_slug}'")
    event_type_id, event_type = query.team_type or snapshot.page.by_slug(event_type_slug)
    link = _admitted(snapshot.page, event_type_id, query, uow) if query.team_type is None else _still_open(query, uow)
    periods = periods_around(around, event_type, snapshot.page.schedule_of(event_type).zone)
    if periods != around:  # weekly or monthly limits count the whole weeks and months: a second, wider read
        wider = (periods.start - LOOKAROUND, periods.end + LOOKAROUND)
        snapshot = uow.months.snapshot(host_slug, *wider, query.places, query.velocity_windows)
        if snapshot is None:
            raise HostNotFound(f"no host '{host_slug}'")
        event_type_id, event_type = query.team_type or snapshot.page.by_slug(event_type_slug)
    if not snapshot.page.calendar.connected or snapshot.page.calendar.paused:
        raise HostNotConnected("this host's calendar is not connected, so no times can be offered")
    return Offer(snapshot, event_type_id, event_type, link)


def _admitted(page: BookingPage, event_type_id: str, query: OfferQuery, uow: UnitOfWork) -> BookingLink | None:
    """The link the query's visitor may use for this event type (None: none needed, or not a visit), else
    what they are told.

    A private event type without a genuine link of its own answers exactly as an unknown slug does, so its
    existence does not leak. A link presented is checked whatever the visibility: a genuine one that ended
    says so (410: its holder knows the secret, so nothing leaks); a forged one names nothing (404).
    """
    visitor = query.visitor
    if visitor is None:
        return None
    event_type = page.event_types[event_type_id]
    unknown = EventTypeNotFound(f"no event type '{event_type.slug}'")
    if visitor.link_token is None:
        if event_type.visibility is Visibility.PRIVATE and not (
            visitor.insider and visitor.insider(page.host_id, event_type_id)
        ):
            raise unknown
        return None
    link = genuine_link(visitor.link_token, (page.host_id, event_type_id), uow)
    if link is None:
        raise unknown
    link.ensure_usable(query.now)
    return link


def _still_open(query: OfferQuery, uow: UnitOfWork) -> BookingLink | None:
    """A team type's link, admitted once for the whole booking, read again for each member's attempt: used by a
    racer meanwhile, it answers 410 `link-used` rather than sending the booking on to the next member."""
    if query.team_link is None:
        return None
    found = uow.links.get(query.team_link.id) or query.team_link
    found.ensure_usable(query.now)
    return found


def genuine_link(token: str, owned: tuple[str, str], uow: UnitOfWork) -> BookingLink | None:
    """The link `token` names, if it is one of `owned` = (owner id: a host's or a team's, event type id) and the
    secret matches; None for a forged token or another type's link (whether it is still usable is the caller's)."""
    link_id = link_id_of(token)
    link = uow.links.get(link_id) if link_id else None
    if link is None or (link.host_id, link.event_type_id) != owned:
        return None
    return link if same_secret(link.token_hash, link_token_hash(token)) else None


def best_effort_refresh(host_id: str, reason: str, tasks: TaskQueue) -> None:
    """A read answers from the mirror whatever happens to the refresh it asks for (the sweep catches up)."""
    try:
        refresh_soon(host_id, reason, tasks)
    except Exception as error:
        log_exception("refresh_enqueue_failed", error, host_id=host_id)
