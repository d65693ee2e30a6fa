"""Google Calendar adapter: watch channels, busy times (free/busy only), and our own booking events.

Privacy by construction: busy times come from `freebusy.query`, which returns intervals and nothing
else; event contents are requested only for events Kaleno created (filtered by our private marker).
The discovery document ships with the client library (static), so no discovery fetch ever happens.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from shared.adapters.google_calendar_resources import (
    Attendee,
    CalendarId,
    CalendarList,
    Event,
    Events,
    FreeBusy,
    FreeBusyRequest,
    WatchChannel,
)
from shared.config import Settings
from shared.deadlines import bounded
from shared.domain.booking import HANDOVER_MARK, Booking
from shared.domain.booking_form import LocationKind
from shared.domain.calendars import ListedCalendar
from shared.domain.intervals import Interval
from shared.domain.seats import SESSION_EVENT_PREFIX
from shared.logging import log_event
from shared.services.errors import CalendarAccessRevoked, GoogleRejected, GoogleUnavailable
from shared.services.records import Channel, OurEvent, SessionEvent

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import Resource
    from googleapiclient.errors import HttpError
    from googleapiclient.http import HttpRequest

    # googleapiclient builds its methods from the discovery document at run time: `Resource` and
    # `HttpRequest` have no static types (mypy sees them as Any), and what a request answers is untyped JSON.
    Request = Callable[[Resource], HttpRequest]

EVENT_ID_PREFIX = Booking.EVENT_ID_PREFIX
OUR_MARKER = "kaleno"  # private extended property on every event Kaleno creates: the only ones we read
FREEBUSY_MAX_SPAN = timedelta(days=90)  # Google answers "The requested time range is too long." beyond
_TIMEOUT = 15
# What we read of our own events (never of others): enough to notice deletes, moves, declines and the Meet.
_OUR_FIELDS = "id,status,start,end,hangoutLink,conferenceData/createRequest/status,attendees(self,responseStatus)"
_WRITE_OPTIONS = {"conferenceDataVersion": 1}  # lets a write ask Google for a Meet
T = TypeVar("T")


class GoogleCalendarClient:
    """Every calendar job (ports CalendarList, CalendarWatch, BusyTimes, CalendarEvents, CalendarAccess) over one
    Calendar API client; shared/bootstrap.py binds it to each."""

    def __init__(
        self,
        settings: Settings,
        credentials_for: Callable[[str], Credentials],
        forget_credentials: Callable[[str], None],
        manage_link: Callable[[Booking], str],
    ) -> None:
        self._settings = settings
        self._credentials_for = credentials_for
        self._forget_credentials = forget_credentials
        self._manage_link = manage_link
        self._service: Resource | None = None
        self._lock = threading.Lock()

    def _api(self) -> Resource:
        with self._lock:
            if self._service is None:
                import httplib2
                from googleapiclient.discovery import build

                options = {"api_endpoint": self._settings.calendar_api_endpoint} if self._settings.sandbox_url else None
                self._service = build(
                    "calendar",
                    "v3",
                    http=httplib2.Http(),
                    static_discovery=True,
                    cache_discovery=False,
                    client_options=options,
                )
            return self._service

    def _execute(self, host_id: str, request: Request) -> Any:  # Any: Google's untyped JSON (see Request)
        """Run one API request as the host, translating Google's failures into our kinds; callers read the
        answer through the TypedDicts of google_calendar_resources.py.

        Refused credentials are retried once with the refresh token read afresh: another instance may
        have stored a new one (the host reconnected) since this instance cached its credentials.
        """
        try:
            return self._execute_once(host_id, request)
        except CalendarAccessRevoked:
            self._forget_credentials(host_id)
            return self._execute_once(host_id, request)

    def _answered(self, host_id: str, request: Request, otherwise: tuple[int, ...]) -> bool:
        """True when the request went through; False when Google answered one of the `otherwise` statuses
        (e.g. 409 "exists already" to an insert), which for that call mean the work is done or moot."""
        from googleapiclient.errors import HttpError

        try:
            self._execute(host_id, request)
        except HttpError as error:
            if int(error.resp.status) in otherwise:
                return False
            raise
        return True

    def _execute_once(self, host_id: str, request: Request) -> Any:  # Any: Google's JSON, as in _execute
        import google_auth_httplib2
        import httplib2
        from google.auth.exceptions import RefreshError
        from googleapiclient.errors import HttpError

        credentials = self._credentials_for(host_id)
        # A socket timeout per read, never past the request's deadline (shared/deadlines.py).
        http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=bounded(_TIMEOUT)))
        try:
            return request(self._api()).execute(http=http)
        except (TimeoutError, ConnectionError) as error:  # Google hanging or unreachable: ask again later
            raise GoogleUnavailable(503, None) from error
        except RefreshError as error:
            if error.retryable or "invalid_grant" not in str(error):
                raise GoogleUnavailable(503, None) from error  # the token endpoint itself failed: try later
            self._forget_credentials(host_id)
            raise CalendarAccessRevoked(host_id) from error
        except HttpError as error:
            status = int(error.resp.status)
            if status == 401:
                self._forget_credentials(host_id)
                raise CalendarAccessRevoked(host_id) from error
            if status in (429, 500, 502, 503, 504) or (status == 403 and _is_rate_limit(error)):
                retry_after = error.resp.get("retry-after")
                raise GoogleUnavailable(status, float(retry_after) if retry_after else None) from error
            if status in (404, 409, 410):
                raise  # meaningful answers the callers handle
            raise GoogleRejected(status, _reason(error)) from error

    def calendars(self, host_id: str) -> list[ListedCalendar]:
        """The host's calendar list (needs calendar.calendarlist.readonly): ids, names and whether the host
        owns each. Names are shown to the host and never stored."""
        found: list[ListedCalendar] = []
        page_token: str | None = None
        while True:
            params = {"pageToken": page_token, "fields": "items(id,summary,primary,accessRole),nextPageToken"}
            response: CalendarList = self._execute(host_id, _calendar_list(params))
            for item in response.get("items", []):
                found.append(
                    ListedCalendar(
                        id=str(item["id"]),
                        summary=str(item.get("summary") or item["id"]),
                        primary=bool(item.get("primary", False)),
                        owned=item.get("accessRole") == "owner",
                    )
                )
            page_token = response.get("nextPageToken")
            if not page_token:
                return found

    def time_zone(self, host_id: str) -> str | None:
        """The primary calendar's zone, from an events list filtered to our own marker with `fields` asking
        for the zone alone: no event of the host is returned (the freebusy and events.owned scopes allow it)."""
        params = {
            "calendarId": "primary",
            "privateExtendedProperty": f"{OUR_MARKER}=1",
            "maxResults": 1,
            "fields": "timeZone",
        }
        answer: Events = self._execute(host_id, _events_list(params))
        zone = answer.get("timeZone")
        return str(zone) if zone else None

    def watch(self, host_id: str, calendar_id: str, channel_id: str, token: str, address: str) -> Channel:
        expires = datetime.now(UTC) + timedelta(hours=self._settings.channel_ttl_hours)
        body: WatchChannel = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "expiration": int(expires.timestamp() * 1000),
        }  # Google caps it at its own maximum
        response: WatchChannel = self._execute(
            host_id, lambda api: api.events().watch(calendarId=calendar_id, body=body)
        )
        expires_at = datetime.fromtimestamp(int(response["expiration"]) / 1000, UTC)
        return Channel(
            id=channel_id,
            host_id=host_id,
            resource_id=response["resourceId"],
            expires_at=expires_at,
            calendar_id=calendar_id,
        )

    def stop_channel(self, host_id: str, channel: Channel) -> None:
        body: WatchChannel = {"id": channel.id, "resourceId": channel.resource_id}
        self._answered(host_id, lambda api: api.channels().stop(body=body), otherwise=(404,))  # 404: expired

    def busy(self, host_id: str, window: Interval, calendar_ids: tuple[str, ...]) -> list[Interval]:
        """Busy intervals of the host's conflict calendars, all of them in each query (Google answers per
        calendar), queried in spans Google accepts."""
        busy: list[Interval] = []
        start = window.start
        items: list[CalendarId] = [{"id": calendar_id} for calendar_id in calendar_ids]
        while items and start < window.end:
            end = min(window.end, start + FREEBUSY_MAX_SPAN)
            body: FreeBusyRequest = {"timeMin": _rfc3339(start), "timeMax": _rfc3339(end), "items": items}
            response: FreeBusy = self._execute(host_id, _freebusy_query(body))
            for calendar in response.get("calendars", {}).values():
                errors = calendar.get("errors") or []
                if errors and all(error.get("reason") == "notFound" for error in errors):
                    # A chosen calendar the host deleted (or lost access to) has no busy times left to respect.
                    log_event("conflict_calendar_not_found", host_id=host_id)
                    continue
                if errors:
                    # An error comes without busy times: reading it as "free" would offer booked time.
                    raise GoogleUnavailable(503, None)
                for item in calendar.get("busy", []):
                    busy.append(Interval(_parse(item["start"]), _parse(item["end"])))
            start = end
        return busy

    # --- Our own booking events: the only events whose contents we ever send or read -------------------
    def insert_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None:
        """Insert with the booking's deterministic id; None when it exists already (a retried insert)."""
        body = self._event_body(booking, time_zone)
        return self._insert(host_id, booking.event_calendar, booking.google_event_id, body)

    def patch_booking_event(self, host_id: str, booking: Booking, time_zone: str) -> OurEvent | None:
        """Make the event match the booking; None when the event is gone (deleted in Google)."""
        body = self._event_body(booking, time_zone)
        return self._patch(host_id, booking.event_calendar, booking.google_event_id, body, otherwise=(404, 410))

    def _insert(self, host_id: str, calendar_id: str, event_id: str, body: Event) -> OurEvent | None:
        """Insert with our deterministic id; None when Google has that id already (409)."""
        send = self._settings.calendar_send_updates
        return self._written(
            host_id,
            calendar_id,
            event_id,
            lambda api: api.events().insert(
                calendarId=calendar_id, body={"id": event_id, **body}, sendUpdates=send, **_WRITE_OPTIONS
            ),
            otherwise=(409,),
        )

    def _patch(
        self, host_id: str, calendar_id: str, event_id: str, body: Event, otherwise: tuple[int, ...]
    ) -> OurEvent | None:
        send = self._settings.calendar_send_updates
        return self._written(
            host_id,
            calendar_id,
            event_id,
            lambda api: api.events().patch(
                calendarId=calendar_id, eventId=event_id, body=body, sendUpdates=send, **_WRITE_OPTIONS
            ),
            otherwise=otherwise,
        )

    def _written(
        self,
        host_id: str,
        calendar_id: str,
        event_id: str,
        request: Request,
        otherwise: tuple[int, ...],
    ) -> OurEvent | None:
        """Google creates a Meet asynchronously: a write may answer "pending", so the event is read back once
        for its link (a later push brings it otherwise)."""
        from googleapiclient.errors import HttpError

        try:
            event: Event = self._execute(host_id, request)
        except HttpError as error:
            if int(error.resp.status) in otherwise:
                return None
            raise
        if _meet_pending(event):
            get = lambda api: api.events().get(calendarId=calendar_id, eventId=event_id, fields=_OUR_FIELDS)  # noqa: E731
            event = self._execute(host_id, get)
        return _our_event(event)

    # --- A group session's one event: guests are the bookings holding its seats ------------------------
    def insert_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None:
        """Insert with the session's deterministic id; None when it exists already (a retried or racing insert,
        or the session's earlier life: Google keeps a deleted event's id)."""
        return self._insert(host_id, event.calendar_id, event.event_id, self._session_body(event, time_zone))

    def patch_session_event(self, host_id: str, event: SessionEvent, time_zone: str) -> OurEvent | None:
        """Make the event show the session's guests (restoring it if it was deleted: status confirmed); None
        when it was never inserted."""
        body = self._session_body(event, time_zone)
        return self._patch(host_id, event.calendar_id, event.event_id, body, otherwise=(404,))

    def _session_body(self, event: SessionEvent, time_zone: str) -> Event:
        """Every guest can open a group event, so it carries nothing of any one invitee beyond their name and
        address in the guest list (which guests see only if the host allows): no answers, notes or manage
        links (each invitee has theirs in the booking's answer and Kaleno's own confirmation)."""
        host_link = f"{self._settings.base_url.rstrip('/')}/"
        location = event.location
        meet = event.event_id if location is not None and location.kind is LocationKind.GOOGLE_MEET else None
        place = location.describe() if location is not None and not location.asks_invitee_phone else None
        body = _our_event_body(
            f"{event.title} ({len(event.guests)} booked)",
            f"Group session booked with Kaleno (host): {host_link}",
            Interval(event.start, event.end),
            time_zone,
            [{"email": email, "displayName": name} for email, name in event.guests],
            {"kalenoSessionId": event.session_id},
            meet_request=meet,
            place=place,
        )
        return body | {
            "status": "confirmed",  # a session opened again at a start brings its deleted event back
            "guestsCanSeeOtherGuests": event.guests_see_each_other,
            "guestsCanInviteOthers": False,
        }

    def delete_booking_event(self, host_id: str, booking: Booking) -> None:
        """Delete; already deleted or never created counts as done."""
        self.delete_session_event(host_id, booking.google_event_id, booking.event_calendar)

    def delete_session_event(self, host_id: str, event_id: str, calendar_id: str) -> None:
        """Delete our event by id; already deleted or never created counts as done."""
        send = self._settings.calendar_send_updates
        self._answered(
            host_id,
            lambda api: api.events().delete(calendarId=calendar_id, eventId=event_id, sendUpdates=send),
            otherwise=(404, 410),
        )

    def our_events_changed_since(
        self, host_id: str, since: datetime | None, calendar_ids: tuple[str, ...]
    ) -> list[OurEvent]:
        """Our own events (by private marker) changed since `since` in each calendar they may live in,
        deleted ones included. A calendar that no longer exists (404) holds none of them any more.

        The filter is applied by Google, so no other event of the host is ever returned to us; `fields`
        keeps even our own events down to id, status, times and marker.
        """
        from googleapiclient.errors import HttpError

        found: list[OurEvent] = []
        for calendar_id in calendar_ids:
            try:
                found.extend(self._our_events_in(host_id, calendar_id, since))
            except HttpError as error:
                if int(error.resp.status) not in (404, 410):
                    raise
                log_event("event_calendar_not_found", host_id=host_id)
        return found

    def _our_events_in(self, host_id: str, calendar_id: str, since: datetime | None) -> list[OurEvent]:
        found: list[OurEvent] = []
        page_token: str | None = None
        while True:
            params: dict[str, object] = {
                "calendarId": calendar_id,
                "privateExtendedProperty": f"{OUR_MARKER}=1",
                "showDeleted": True,
                "singleEvents": True,
                "maxResults": 250,
                "pageToken": page_token,
                "fields": f"items({_OUR_FIELDS}),nextPageToken",
            }
            if since is not None:
                params["updatedMin"] = _rfc3339(since)
            response: Events = self._execute(host_id, _events_list(params))
            found.extend(_our_event(item) for item in response.get("items", []) if _booking_id_of(item))
            page_token = response.get("nextPageToken")
            if not page_token:
                return found

    def _event_body(self, booking: Booking, time_zone: str) -> Event:
        """The event as host and invitee see it: who, when, where, the invitee's answers and note, the
        invitee's own link to reschedule or cancel (Google's invitation carries it to them), and the host's
        link; nothing more."""
        host_link = f"{self._settings.base_url.rstrip('/')}/dashboard/bookings?booking={booking.id}"
        answers = "\n".join(f"{answer.label}: {answer.text()}" for answer in booking.answers)
        location = booking.location
        parts = [
            booking.meeting_place if location and location.kind is LocationKind.PHONE else None,
            answers,
            booking.notes,
            f"Reschedule or cancel (invitee): {self._manage_link(booking)}",
            f"Booked with Kaleno (host): {host_link}",
        ]
        description = "\n\n".join(part for part in parts if part)
        invitee = booking.invitee
        # An invitee who erased their data is no longer named anywhere, Google included.
        attendees: list[Attendee] = (
            [] if booking.anonymised else [{"email": invitee.email, "displayName": invitee.name}]
        )
        meet = booking.id if location is not None and location.kind is LocationKind.GOOGLE_MEET else None
        return _our_event_body(
            f"{booking.event_title}: {invitee.name}",
            description,
            Interval(booking.start, booking.end),
            time_zone,
            attendees,
            {"kalenoBookingId": booking.id},
            meet_request=meet,
            place=booking.meeting_place,
        )

    def forget(self, host_id: str) -> None:
        self._forget_credentials(host_id)


def _our_event_body(
    summary: str,
    description: str,
    when: Interval,
    time_zone: str,
    attendees: list[Attendee],
    marker: dict[str, str],
    meet_request: str | None,
    place: str | None,
) -> Event:
    """What each of our events carries: the private marker that finds it again (and only it), busy time,
    guests who cannot edit it, and the place or a Meet request."""
    body: Event = {
        "summary": summary,
        "description": description,
        "start": {"dateTime": _rfc3339(when.start), "timeZone": time_zone},
        "end": {"dateTime": _rfc3339(when.end), "timeZone": time_zone},
        "attendees": attendees,
        "extendedProperties": {"private": {OUR_MARKER: "1", **marker}},
        "transparency": "opaque",
        "guestsCanModify": False,
        "reminders": {"useDefault": True},
    }
    if meet_request is not None:
        # Google ignores a createRequest whose requestId it has seen for this event: one Meet per event.
        body["conferenceData"] = {
            "createRequest": {"requestId": meet_request, "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        }
    elif place is not None:
        body["location"] = place
    return body


def _calendar_list(params: Mapping[str, object]) -> Request:
    return lambda api: api.calendarList().list(**params)


def _events_list(params: Mapping[str, object]) -> Request:
    return lambda api: api.events().list(**params)


def _booking_id_of(item: Event) -> str | None:
    """From our deterministic event id: a deleted event may come back with nothing but its id and status.
    A group session's event is no one booking's: the host's edits of it are not followed (README)."""
    event_id = str(item.get("id", ""))
    if not event_id.startswith(EVENT_ID_PREFIX) or event_id.startswith(SESSION_EVENT_PREFIX):
        return None
    # A team booking handed to another member: `kal{id}h{n}` (booking ids are hex, so `h` is no part of them).
    return event_id.removeprefix(EVENT_ID_PREFIX).partition(HANDOVER_MARK)[0]


def _our_event(item: Event) -> OurEvent:
    cancelled = item.get("status") == "cancelled"
    start, end = item.get("start", {}).get("dateTime"), item.get("end", {}).get("dateTime")
    # Our events invite one guest: the invitee (the host is the organizer, marked `self`).
    declined = any(
        guest.get("responseStatus") == "declined" for guest in item.get("attendees", ()) if not guest.get("self")
    )
    return OurEvent(
        booking_id=_booking_id_of(item) or "",
        event_id=str(item.get("id", "")),
        cancelled=cancelled,
        start=None if cancelled or not start else _parse(start),
        end=None if cancelled or not end else _parse(end),
        declined=declined,
        meeting_url=item.get("hangoutLink"),
    )


def _meet_pending(event: Event) -> bool:
    status = event.get("conferenceData", {}).get("createRequest", {}).get("status", {}).get("statusCode")
    return status == "pending" and not event.get("hangoutLink")


def _freebusy_query(body: FreeBusyRequest) -> Request:
    return lambda api: api.freebusy().query(body=body)


def _reason(error: HttpError) -> str:
    """Google's error reason (e.g. "invalid"), a code from Google, never request data."""
    try:
        reason = json.loads(error.content)["error"]["errors"][0]["reason"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "unknown"
    return str(reason)[:40]


def _is_rate_limit(error: HttpError) -> bool:
    return b"rateLimitExceeded" in error.content or b"userRateLimitExceeded" in error.content


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
