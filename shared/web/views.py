"""Response models: what the API shows of our records (and nothing more)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from shared.domain.avatar import avatar_path
from shared.domain.booking import Booking, BookingStatus, MailState, SyncState
from shared.domain.booking_form import Answer, Location, LocationKind, Question
from shared.domain.booking_page import BookingPage
from shared.domain.calendars import MAX_CONFLICT_CALENDARS, PRIMARY, CalendarChoice, ListedCalendar
from shared.domain.event_type import EventType
from shared.domain.host import ConnectionState, Host
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.domain.links import BookingLink, LinkState
from shared.domain.offsets import DAY, EPOCH_ORDINAL, ZoneOffsets
from shared.domain.schedule import DEFAULT_SCHEDULE_ID, NamedSchedule
from shared.i18n import N_, translations
from shared.services.records import ConsentRecord, Erasure

_SCOPE_NAMES = {
    "https://www.googleapis.com/auth/calendar.events.owned": "create and manage the booking events Kaleno adds",
    "https://www.googleapis.com/auth/calendar.freebusy": "see when you are busy (times only, no event details)",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly": "see the names of your calendars, so you "
    "can choose which ones count as busy and which one receives bookings",
}


class ConnectionView(BaseModel):
    state: ConnectionState
    reason: str | None
    missing_scopes: list[str]
    message: str


class HostView(BaseModel):
    id: str
    email: str
    display_name: str
    slug: str
    time_zone: str
    connection: ConnectionView
    granted_scopes: list[str]
    onboarded: bool = Field(description="False until the host finished or skipped the dashboard's first-run setup.")
    restricted: bool = Field(description="The host restricted processing (POST /privacy/restrict).")
    objected: bool = Field(description="The host objected to processing (POST /privacy/object).")
    brand_color: str | None = Field(description="The public pages' accent, \"#rrggbb\"; null: Kaleno's own.")
    avatar_url: str | None = Field(description="Your picture on the public pages (PUT /hosts/me/avatar); null: none.")
    locale: Language = Field(description="Your pages' default language and your notices'.")

    @classmethod
    def of(cls, host: Host) -> HostView:
        return cls(
            id=host.id,
            email=host.email,
            display_name=host.display_name,
            slug=host.slug,
            time_zone=host.time_zone,
            connection=_connection_view(host),
            granted_scopes=list(host.granted_scopes),
            onboarded=host.onboarded,
            restricted=host.restricted,
            objected=host.objected,
            brand_color=host.brand_color,
            avatar_url=avatar_url(host.avatar),
            locale=host.locale,
        )


def _connection_view(host: Host) -> ConnectionView:
    connection = host.connection
    if connection.state is ConnectionState.CONNECTED:
        message = "Your Google Calendar is connected."
    elif connection.missing_scopes:
        needed = "; ".join(_SCOPE_NAMES.get(scope, scope) for scope in connection.missing_scopes)
        message = (
            f"Calendar not connected: Kaleno needs permission to {needed}. "
            "Sign in again at /oauth/start and tick the calendar permissions on Google's consent screen."
        )
    elif connection.reason == "google_access_revoked":
        message = "Google no longer lets Kaleno use your calendar. Sign in again at /oauth/start to reconnect."
    elif connection.reason == "host_disconnected":
        message = "You disconnected your calendar. Sign in again at /oauth/start to reconnect."
    else:
        message = "Calendar not connected. Sign in again at /oauth/start to connect it."
    return ConnectionView(
        state=connection.state,
        reason=connection.reason,
        missing_scopes=list(connection.missing_scopes),
        message=message,
    )


class EventTypeView(EventType):
    id: str

    @classmethod
    def of(cls, event_type_id: str, event_type: EventType) -> EventTypeView:
        return cls(id=event_type_id, **event_type.model_dump())


class EventTypeList(BaseModel):
    event_types: list[EventTypeView]


class ScheduleView(NamedSchedule):
    id: str = Field(description='"default" for the default schedule (the one `/hosts/me/schedule` serves).')
    is_default: bool
    used_by: list[str] = Field(description="Ids of the event types whose hours come from this schedule.")

    @classmethod
    def of(cls, schedule_id: str, schedule: NamedSchedule, page: BookingPage) -> ScheduleView:
        return cls(
            id=schedule_id,
            is_default=schedule_id == DEFAULT_SCHEDULE_ID,
            used_by=page.schedule_users(schedule_id),
            **schedule.model_dump(),
        )


class ScheduleList(BaseModel):
    schedules: list[ScheduleView] = Field(description="The default schedule first, then the others as created.")


def avatar_url(avatar_id: str | None) -> str | None:
    """The picture's absolute address (the base URL from settings: link previews need it whole)."""
    from shared.config import get_settings

    return None if avatar_id is None else get_settings().base_url.rstrip("/") + avatar_path(avatar_id)


class PublicHost(BaseModel):
    """The host (or team) as their public pages show them: only what they published."""

    display_name: str
    slug: str
    avatar_url: str | None = Field(None, description="The host's picture (WebP, at most 256 × 256); null: none.")
    brand_color: str | None = Field(None, description='The pages\' accent, "#rrggbb" (readable: WCAG AA).')
    locale: Language = Field(DEFAULT_LANGUAGE, description="The language the host's pages fall back to.")

    @classmethod
    def of_page(cls, page: BookingPage, slug: str) -> PublicHost:
        return cls(
            display_name=page.display_name,
            slug=slug,
            avatar_url=avatar_url(page.avatar),
            brand_color=page.brand_color,
            locale=page.locale,
        )


class PublicEventType(BaseModel):
    """What the booking form needs. The location's address or link is for those who book: here, its kind."""

    slug: str
    title: str
    description: str = Field("", description="Plain text (line breaks kept); the page shows links in it safely.")
    duration_minutes: int
    booking_window_days: int
    min_notice_minutes: int
    location_kind: LocationKind | None
    asks_invitee_phone: bool = Field(description="The host calls the invitee: the form asks for `invitee_phone`.")
    questions: list[Question]
    seats: int = Field(1, description="Invitees per start; more than 1: a group session (slots say `seats_left`).")

    @classmethod
    def of(cls, event_type: EventType) -> PublicEventType:
        location = event_type.location
        return cls(
            **event_type.model_dump(
                include={"slug", "title", "description", "duration_minutes", "booking_window_days", "seats"}
            ),
            min_notice_minutes=event_type.min_notice_minutes,
            location_kind=location.kind if location else None,
            asks_invitee_phone=bool(location and location.asks_invitee_phone),
            questions=event_type.questions,
        )


SUMMARY_LENGTH = 300


def summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The start of a description, cut at a space and marked "…" when longer than `length` characters."""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(maxsplit=1)[0] if " " in text[:length].strip() else text[:length]
    return cut.rstrip() + "…"


class ListedEventType(BaseModel):
    """One event type as the host's public page lists it: what a visitor chooses by. Its questions, and the
    rest of its description, are on its own booking page (PublicEventType), so the list stays small however
    many questions the host asks."""

    slug: str
    title: str
    description: str = Field(
        "",
        description=f"The description's first {SUMMARY_LENGTH} characters, cut at a space and ending in "
        '"…" when longer (plain text, line breaks kept).',
    )
    duration_minutes: int
    location_kind: LocationKind | None
    seats: int = Field(1, description="Invitees per start; more than 1: a group session.")

    @classmethod
    def of(cls, event_type: EventType) -> ListedEventType:
        location = event_type.location
        return cls(
            **event_type.model_dump(include={"slug", "title", "duration_minutes", "seats"}),
            description=summary(event_type.description),
            location_kind=location.kind if location else None,
        )


class BookingPageView(BaseModel):
    host: PublicHost
    event_type: PublicEventType
    host_time_zone: str
    attendees: list[str] | None = Field(
        None, description="A team's collective event type: the names of the members who will all attend."
    )


class HostPageView(BaseModel):
    """The host's public page: their public event types (private ones are only opened by link)."""

    host: PublicHost
    event_types: list[ListedEventType]
    host_time_zone: str


class LinkView(BaseModel):
    """A single-use link as its host sees it (never its token, which only its creation answer holds)."""

    id: str
    event_type_id: str
    state: LinkState = Field(
        description="active: opens the event type for one booking; used: a booking was made with it (it stays "
        "used if that booking is cancelled); expired: past `expires_at`; revoked: withdrawn by the host."
    )
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    used_at: datetime | None
    booking_id: str | None

    @classmethod
    def of(cls, link: BookingLink, now: datetime) -> LinkView:
        return cls(
            **link.model_dump(include={"id", "event_type_id", "created_at", "expires_at", "revoked_at", "used_at"}),
            booking_id=link.booking_id,
            state=link.state(now),
        )


class LinkCreated(LinkView):
    token: str = Field(description="Shown only now: Kaleno keeps only its hash.")
    url: str = Field(description="The booking page's address with the token in its fragment (`#link=`): send this.")


class LinkList(BaseModel):
    links: list[LinkView]


class SlotView(BaseModel):
    start: datetime
    end: datetime
    seats_left: int | None = Field(
        None, description="Group event types only (seats > 1): how many seats of this session are still free."
    )


class SlotList(BaseModel):
    time_zone: str
    slots: list[SlotView]
    complete: bool = Field(
        description="false when part of the range is not covered by the busy mirror yet: ask again shortly"
    )

    @staticmethod
    def body(
        starts: Sequence[int],
        duration: int,
        zone: ZoneInfo,
        complete: bool,
        seats_left: Mapping[int, int] | None = None,
    ) -> str:
        """The JSON text of this model for slots starting at `starts` (epoch seconds) and lasting `duration`
        seconds, written directly: this is the hot path, and a month can hold hundreds of slots. Byte for
        byte what `json.dumps` gives for the slots' `astimezone(zone).isoformat()` (tests/unit/test_slots_json.py).

        The zone's offsets are learnt once for the whole range, so each time is a few integer operations
        and cached strings (the date per local day, the clock per minute, the offset per change), in the
        exact form `datetime.isoformat` and `json.dumps` give.
        """
        head = f'{{"time_zone": {json.dumps(zone.key)}, "complete": {"true" if complete else "false"}, "slots": ['
        if not starts:
            return head + "]}"
        offsets = ZoneOffsets(zone, starts[0] - DAY, starts[-1] + duration + DAY)
        stamp = _Stamps(offsets).stamp
        if seats_left is not None:  # a group event type: each slot says how many seats are free
            slots = [
                f'{{"start": "{stamp(start)}", "end": "{stamp(start + duration)}", "seats_left": {seats_left[start]}}}'
                for start in starts
            ]
        else:
            slots = [f'{{"start": "{stamp(start)}", "end": "{stamp(start + duration)}"}}' for start in starts]
        return head + ", ".join(slots) + "]}"


class _Stamps:
    """ISO 8601 local times with offsets ("2027-03-14T03:00:00-04:00"), as `isoformat` writes them."""

    __slots__ = ("_days", "_offsets", "_seen", "_suffixes", "_uniform")

    def __init__(self, offsets: ZoneOffsets) -> None:
        self._offsets = offsets
        self._uniform = offsets.piece_offset(0) if offsets.uniform else None  # most ranges: no transition
        self._days: dict[int, str] = {}
        self._suffixes: dict[int, str] = {}
        self._seen: dict[int, str] = {}  # back-to-back slots: an end is the next start

    def stamp(self, moment: int) -> str:
        text = self._seen.get(moment)
        if text is not None:
            return text
        offset = self._uniform if self._uniform is not None else self._offsets.offset(moment)
        day, second = divmod(moment + offset, DAY)
        day_text = self._days.get(day)
        if day_text is None:
            day_text = self._days[day] = date.fromordinal(EPOCH_ORDINAL + day).isoformat()
        suffix = self._suffixes.get(offset)
        if suffix is None:
            suffix = self._suffixes[offset] = _offset_text(offset)
        clock = _CLOCKS[second // 60] if not second % 60 else f"{_CLOCKS[second // 60][:6]}{second % 60:02}"
        text = self._seen[moment] = f"{day_text}T{clock}{suffix}"
        return text


_CLOCKS = [f"{minute // 60:02}:{minute % 60:02}:00" for minute in range(24 * 60)]


def _offset_text(offset: int) -> str:
    """`+HH:MM`, or `+HH:MM:SS` when the offset has seconds, as `datetime.isoformat` writes an offset."""
    sign = "-" if offset < 0 else "+"
    hours, rest = divmod(abs(offset), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02}:{minutes:02}" + (f":{seconds:02}" if seconds else "")


_MEETING_URL = Field(description="The Google Meet link once Google has created it (null until then, or no Meet).")


def _shown_location(booking: Booking) -> Location | None:
    """The meeting place as its people see it: a call to the invitee names the number they gave."""
    location = booking.location
    if location is not None and location.asks_invitee_phone and booking.invitee_phone:
        return location.model_copy(update={"value": booking.invitee_phone})
    return location


class BookingCreated(BaseModel):
    id: str
    status: BookingStatus
    start: datetime
    end: datetime
    manage_token: str
    location: Location | None
    meeting_url: str | None = _MEETING_URL

    @classmethod
    def of(cls, booking: Booking, manage_token: str) -> BookingCreated:
        return cls(
            id=booking.id,
            status=booking.status,
            start=booking.start,
            end=booking.end,
            manage_token=manage_token,
            location=_shown_location(booking),
            meeting_url=booking.meeting_url,
        )


class InviteeView(BaseModel):
    name: str
    email: str
    time_zone: str


class BookingView(BaseModel):
    """What the invitee's manage page shows (times in the invitee's zone)."""

    id: str
    status: BookingStatus
    status_message: str
    event_title: str
    start: datetime
    end: datetime
    invitee: InviteeView
    notes: str | None
    answers: list[Answer]
    location: Location | None
    meeting_url: str | None = _MEETING_URL
    calendar_invite: Literal["up_to_date", "pending"] = Field(
        description="Whether the host's calendar shows this booking as it is now (`pending`: Kaleno is still "
        "writing it there, and retries on its own)."
    )
    confirmation_mail: MailState = Field(
        description="The invitee's mail about the latest change (confirmation, new time, cancellation): `pending` "
        "(not sent yet), `sent`, `failed` (the mail service refused it for good; the host was alerted) or "
        "`not_sent` (no mail service configured, or deliberately not sent)."
    )

    @classmethod
    def of(cls, booking: Booking, language: Language = DEFAULT_LANGUAGE) -> BookingView:
        """`language`: the request's (the manage page's), for the status line."""
        zone = ZoneInfo(booking.invitee.time_zone)
        return cls(
            id=booking.id,
            status=booking.status,
            status_message=translations(language, "messages").gettext(_STATUS_MESSAGES[booking.status]),
            event_title=booking.event_title,
            start=booking.start.astimezone(zone),
            end=booking.end.astimezone(zone),
            invitee=InviteeView(**booking.invitee.model_dump()),
            notes=booking.notes,
            answers=list(booking.answers),
            location=_shown_location(booking),
            meeting_url=booking.meeting_url,
            calendar_invite="up_to_date" if booking.synced_version >= booking.version else "pending",
            confirmation_mail=booking.confirmation_mail,
        )


class BookingWithPageView(BookingView):
    """One booking as its invitee opens it: with the host's page and event type to reschedule on (null
    when the host or the event type is gone)."""

    host_slug: str | None
    event_type_slug: str | None
    hosts: list[str] = Field(
        default_factory=list,
        description="Who the booking is with, by display name: the host, or a team booking's assigned member "
        "(round-robin) or every member who attends (collective).",
    )


class HostBookingView(BookingView):
    event_type_id: str
    cancel_reason: str | None
    moved_start: datetime | None = Field(
        description="needs_attention: the time the event has in Google now; resolve by keeping it or the original."
    )
    moved_end: datetime | None
    sync_state: SyncState
    sync_error: str | None
    version: int
    seat: int | None = Field(None, description="Group event types: the seat this booking holds in its session.")

    @classmethod
    def of(cls, booking: Booking, language: Language = DEFAULT_LANGUAGE) -> HostBookingView:
        return cls(
            **BookingView.of(booking, language).model_dump(),
            event_type_id=booking.event_type_id,
            cancel_reason=booking.cancel_reason,
            moved_start=booking.moved_start,
            moved_end=booking.moved_end,
            sync_state=booking.sync_state,
            sync_error=booking.sync_error,
            version=booking.version,
            seat=booking.seat,
        )


class HostBookingList(BaseModel):
    bookings: list[HostBookingView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


_STATUS_MESSAGES = {
    BookingStatus.CONFIRMED: N_("Your booking is confirmed."),
    BookingStatus.CANCELLED: N_("This booking was cancelled."),
    BookingStatus.CANCELLED_BY_HOST: N_("The host removed this meeting from their calendar, so it is cancelled."),
    BookingStatus.NEEDS_ATTENTION: N_(
        "The host moved this meeting in their calendar to a time that clashes with another meeting; until the "
        "host confirms, your booked time below still stands."
    ),
}


class ComplaintView(BaseModel):
    contact: str
    authority: str


class PrivacyExport(BaseModel):
    """`GET /privacy/export`: one section per kind of record held about the subject."""

    model_config = {"extra": "allow"}

    format_version: int
    subject: str
    exported_at: datetime
    complaint: ComplaintView


class ErasureView(BaseModel):
    erasure_id: str
    state: str
    steps: dict[str, datetime]
    requested_at: datetime
    erased_at: datetime | None

    @classmethod
    def of(cls, erasure: Erasure) -> ErasureView:
        return cls(
            erasure_id=erasure.id,
            state=erasure.state,
            steps=erasure.steps,
            requested_at=erasure.requested_at,
            erased_at=erasure.finished_at,
        )


class ProcessingView(BaseModel):
    """Whether processing is restricted or objected to (for an invitee: on any of their bookings)."""

    restricted: bool
    objected: bool


class ConsentView(BaseModel):
    decided: bool
    analytics: bool
    policy_version: str
    consent_id: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def of(cls, record: ConsentRecord) -> ConsentView:
        return cls(
            decided=True,
            analytics=record.analytics,
            policy_version=record.policy_version,
            consent_id=record.id,
            decided_at=record.decided_at,
        )

    @classmethod
    def undecided(cls, policy_version: str) -> ConsentView:
        """Essential cookies only until the visitor chooses."""
        return cls(decided=False, analytics=False, policy_version=policy_version)


class CalendarEntryView(BaseModel):
    id: str = Field(description="Google's calendar id (the primary calendar's is the host's email).")
    summary: str = Field(description="The calendar's name in Google (shown, never stored).")
    primary: bool
    owned: bool = Field(description="The host owns it, so bookings may be written to it.")
    conflict: bool = Field(description="Its busy times block slots.")
    write: bool = Field(description="New bookings are written to it.")


class HostCalendarsView(BaseModel):
    calendars: list[CalendarEntryView]
    conflict: list[str] = Field(description="The conflict calendars' ids (as listed).")
    write: str = Field(description="The write calendar's id (as listed).")
    max_conflict: int = Field(description="How many conflict calendars may be chosen.")

    @classmethod
    def of(cls, listed: list[ListedCalendar], choice: CalendarChoice) -> HostCalendarsView:
        primary_id = next((c.id for c in listed if c.primary), PRIMARY)

        def shown(calendar_id: str) -> str:
            return primary_id if calendar_id == PRIMARY else calendar_id

        conflict = [shown(c) for c in choice.conflict]
        write = shown(choice.write)
        entries = [
            CalendarEntryView(
                id=c.id,
                summary=c.summary,
                primary=c.primary,
                owned=c.owned,
                conflict=c.id in conflict,
                write=c.id == write,
            )
            for c in listed
        ]
        return cls(calendars=entries, conflict=conflict, write=write, max_conflict=MAX_CONFLICT_CALENDARS)
