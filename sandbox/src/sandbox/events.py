"""The events of each calendar (an account's primary and its secondary calendars), with who created each
(the app or the owner).

Validation and resource shaping follow Calendar v3: base32hex ids, start/end rules, server-owned
fields, patch merge semantics, and deleted events kept (with status "cancelled") so their ids stay
taken. Both the Calendar API and the control API (the owner's edits) go through this store.

Google Meet through `conferenceData` (with `conferenceDataVersion=1`): a `createRequest` makes a Meet
whose creation, as at Google, is asynchronous: the write's own answer shows it `pending` (see
`Written.response`); every later read shows it done (`success`, entry points, `hangoutLink`).
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.errors import GoogleApiError
from sandbox.state import Account, SandboxState
from sandbox.timefmt import start_of_day, utc_millis, zone

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
# Fields the server owns: ignored when a client sends them on insert/update/patch.
SERVER_FIELDS = frozenset({"kind", "etag", "id", "htmlLink", "created", "updated", "creator", "organizer", "iCalUID"})
# Handled by the conference rules only (hangoutLink is read-only; conferenceData needs version 1).
CONFERENCE_FIELDS = frozenset({"conferenceData", "hangoutLink"})
MEET = "hangoutsMeet"
MEET_SOLUTION = {
    "key": {"type": MEET},
    "name": "Google Meet",
    "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
}


def new_event_id() -> str:
    return base64.b32hexencode(secrets.token_bytes(16)).decode().lower().rstrip("=")


def new_meet_code() -> str:
    """A Meet code like Google's: `abc-defg-hij`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in (3, 4, 3))


def bad_request(reason: str, message: str, location: str | None = None, domain: str = "global") -> GoogleApiError:
    return GoogleApiError(400, reason, message, domain=domain, location=location)


def _edge(value: Any, which: str, calendar_tz: str) -> float:
    """Epoch seconds of an EventDateTime; all-day dates are midnight in the calendar's zone."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("dateTime")):
        raise bad_request("required", f"Missing {which} time.")
    try:
        if value.get("date"):
            return start_of_day(str(value["date"]), zone(calendar_tz))
        moment = datetime.fromisoformat(str(value["dateTime"]))
        if moment.tzinfo is None:
            if not value.get("timeZone"):
                raise bad_request("timeZoneRequired", f"Missing time zone definition for {which} time.")
            moment = moment.replace(tzinfo=zone(str(value["timeZone"])))
        return moment.timestamp()
    except ValueError as exc:
        raise bad_request("invalid", f"Invalid {which} time.") from exc


@dataclass
class StoredEvent:
    resource: dict[str, Any]
    app_created: bool
    seq: int
    start: float
    end: float
    updated: float
    deleted: bool = False

    @property
    def id(self) -> str:
        return str(self.resource["id"])

    def full(self) -> dict[str, Any]:
        return copy.deepcopy(self.resource)

    def minimal(self) -> dict[str, Any]:
        """What events.list shows of a deleted event: only its id is guaranteed."""
        return {
            "kind": "calendar#event",
            "etag": self.resource["etag"],
            "id": self.id,
            "status": "cancelled",
            "updated": self.resource["updated"],
        }

    def busy(self) -> bool:
        if self.deleted or self.resource.get("status") == "cancelled":
            return False
        if self.resource.get("transparency") == "transparent":
            return False
        # An invitation the owner declined does not make them busy.
        return not any(
            a.get("self") and a.get("responseStatus") == "declined" for a in self.resource.get("attendees", [])
        )


@dataclass(frozen=True)
class Written:
    """The result of a write: the stored event, and the write's own answer (a new Meet still pending)."""

    event: StoredEvent
    response: dict[str, Any]


def _pending_view(resource: dict[str, Any]) -> dict[str, Any]:
    """What the write that asked for a Meet answers: the request is accepted, the Meet not made yet."""
    view = copy.deepcopy(resource)
    view.pop("hangoutLink", None)
    request = dict(view["conferenceData"]["createRequest"], status={"statusCode": "pending"})
    view["conferenceData"] = {"createRequest": request}
    return view


def _meet(request_id: str) -> tuple[dict[str, Any], str]:
    code = new_meet_code()
    uri = f"https://meet.google.com/{code}"
    conference = {
        "createRequest": {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": MEET},
            "status": {"statusCode": "success"},
        },
        "entryPoints": [{"entryPointType": "video", "uri": uri, "label": f"meet.google.com/{code}"}],
        "conferenceSolution": copy.deepcopy(MEET_SOLUTION),
        "conferenceId": code,
    }
    return conference, uri


def _video_uri(conference: dict[str, Any]) -> str | None:
    if conference.get("conferenceSolution", {}).get("key", {}).get("type") != MEET:
        return None
    for entry in conference.get("entryPoints", []):
        if isinstance(entry, dict) and entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return None


def apply_conference(
    previous: dict[str, Any] | None, resource: dict[str, Any], body: dict[str, Any], version: int, *, replace: bool
) -> bool:
    """Set `resource`'s conferenceData/hangoutLink from the stored event and the request; True if a new Meet.

    Version 0 ignores conferenceData in the body (the stored conference stays). Version 1: `null` (or,
    on a full update, no conferenceData) removes it; a `createRequest` makes a Meet unless the event's
    conference came from the same requestId (idempotent); conference data without a createRequest is
    merged into the event's own conference, or copied when it names another one.
    """
    for name in CONFERENCE_FIELDS:
        resource.pop(name, None)
    old = copy.deepcopy(previous.get("conferenceData")) if previous else None
    if old is not None:
        resource["conferenceData"] = old
        if previous and previous.get("hangoutLink"):
            resource["hangoutLink"] = previous["hangoutLink"]
    if version < 1 or ("conferenceData" not in body and not replace):
        return False
    wanted = body.get("conferenceData")
    if wanted is None:
        resource.pop("conferenceData", None)
        resource.pop("hangoutLink", None)
        return False
    if not isinstance(wanted, dict):
        raise bad_request("invalid", "Invalid conference data.", "conferenceData")
    create = wanted.get("createRequest")
    if create is not None:
        if not isinstance(create, dict) or not isinstance(create.get("requestId"), str) or not create["requestId"]:
            raise bad_request("invalid", "Invalid conference create request.", "conferenceData.createRequest")
        key = create.get("conferenceSolutionKey")
        if not isinstance(key, dict) or key.get("type") != MEET:
            raise bad_request("invalid", "Invalid conference type value.", "conferenceData.createRequest")
        if old is not None and old.get("createRequest", {}).get("requestId") == create["requestId"]:
            return False  # the same request again: the same Meet
        conference, link = _meet(create["requestId"])
        for name in ("notes", "parameters"):
            if name in wanted:
                conference[name] = copy.deepcopy(wanted[name])
        resource["conferenceData"] = conference
        resource["hangoutLink"] = link
        return True
    if old is not None and wanted.get("conferenceId") in (None, old.get("conferenceId")):
        _merge(old, {k: v for k, v in wanted.items() if k not in ("conferenceId", "conferenceSolution")})
        video = _video_uri(old)
        if video:
            resource["hangoutLink"] = video
        else:
            resource.pop("hangoutLink", None)
        return False
    solution = wanted.get("conferenceSolution")
    if not (isinstance(solution, dict) and isinstance(solution.get("key"), dict) and wanted.get("entryPoints")):
        raise bad_request("invalid", "Invalid conference data.", "conferenceData")
    resource["conferenceData"] = copy.deepcopy(wanted)
    video = _video_uri(wanted)
    if video:
        resource["hangoutLink"] = video
    return False


class CalendarStore:
    """Events of every calendar, keyed by the calendar (an account's email for its primary, else the
    secondary calendar's id), with the owner/app provenance of each."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.events: dict[str, dict[str, StoredEvent]] = {}

    def reset(self) -> None:
        with self.state.lock:
            self.events.clear()

    def _calendar(self, account: Account, calendar: str | None) -> dict[str, StoredEvent]:
        """The events of `calendar` (a key from `SandboxState.resolve_calendar`; None: the primary)."""
        return self.events.setdefault(calendar or account.email.lower(), {})

    def _stamp(self, resource: dict[str, Any]) -> float:
        now = self.state.clock.time()
        resource["updated"] = utc_millis(now)
        resource["etag"] = f'"{int(now * 1000) * 1000 + self.state.next_seq() % 1000}"'
        return now

    def _normalize(self, resource: dict[str, Any], account: Account) -> None:
        status = resource.setdefault("status", "confirmed")
        if status not in ("confirmed", "tentative", "cancelled"):
            raise bad_request("invalid", "Invalid value for: status", "status")
        if resource.get("transparency", "opaque") not in ("opaque", "transparent"):
            raise bad_request("invalid", "Invalid value for: transparency", "transparency")
        if not isinstance(resource.get("sequence", 0), int):
            raise bad_request("invalid", "Invalid value for: sequence", "sequence")
        attendees = resource.get("attendees")
        if attendees is not None:
            if not isinstance(attendees, list) or not all(isinstance(a, dict) for a in attendees):
                raise bad_request("invalid", "Invalid value for: attendees", "attendees")
            for attendee in attendees:
                attendee.setdefault("responseStatus", "needsAction")
                if str(attendee.get("email", "")).lower() == account.email.lower():
                    attendee["self"] = True

    def get(self, account: Account, event_id: str, calendar: str | None = None) -> StoredEvent:
        with self.state.lock:
            event = self._calendar(account, calendar).get(event_id)
            if event is None:
                raise GoogleApiError(404)
            return event

    def insert(
        self,
        account: Account,
        body: dict[str, Any],
        *,
        app_created: bool,
        conference_version: int = 0,
        calendar_key: str | None = None,
    ) -> Written:
        with self.state.lock:
            calendar = self._calendar(account, calendar_key)
            event_id = body.get("id")
            if event_id is None:
                event_id = new_event_id()
            elif not isinstance(event_id, str) or not EVENT_ID.match(event_id):
                raise bad_request("invalid", "Invalid resource id value.")
            if event_id in calendar:
                # Google keeps deleted events, so their ids stay taken.
                raise GoogleApiError(409, "duplicate", "The requested identifier already exists.")
            resource = {k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_FIELDS}
            new_meet = apply_conference(None, resource, body, conference_version, replace=False)
            start = _edge(resource.get("start"), "start", account.time_zone)
            end = _edge(resource.get("end"), "end", account.time_zone)
            if end <= start:
                raise bad_request("timeRangeEmpty", "The specified time range is empty.", domain="calendar")
            self._normalize(resource, account)
            owner = {"email": account.email, "self": True}
            eid = base64.urlsafe_b64encode(f"{event_id} {account.email}".encode()).decode().rstrip("=")
            resource.update(
                kind="calendar#event",
                id=event_id,
                htmlLink=f"https://www.google.com/calendar/event?eid={eid}",
                created=utc_millis(self.state.clock.time()),
                creator=owner,
                organizer=dict(owner),
                iCalUID=f"{event_id}@google.com",
            )
            resource.setdefault("sequence", 0)
            resource.setdefault("reminders", {"useDefault": True})
            resource.setdefault("eventType", "default")
            now = self._stamp(resource)
            event = StoredEvent(resource, app_created, self.state.next_seq(), start, end, now)
            event.deleted = resource["status"] == "cancelled"
            calendar[event_id] = event
            return Written(event, _pending_view(resource) if new_meet else event.full())

    def patch(
        self,
        account: Account,
        event_id: str,
        body: dict[str, Any],
        *,
        conference_version: int = 0,
        merge_attendees: bool = False,
        calendar: str | None = None,
    ) -> Written:
        """Patch semantics; `merge_attendees` (the control API) updates attendees by email instead of
        replacing the list, as an attendee's reply changes only their own entry."""
        with self.state.lock:
            event = self.get(account, event_id, calendar)
            resource = event.full()
            changes = {k: v for k, v in body.items() if k not in SERVER_FIELDS | CONFERENCE_FIELDS}
            if merge_attendees and isinstance(changes.get("attendees"), list):
                changes["attendees"] = _merged_attendees(resource.get("attendees"), changes["attendees"])
            for edge in ("start", "end"):
                # A date and a dateTime are alternatives: setting one clears the other.
                value = changes.get(edge)
                if isinstance(value, dict) and isinstance(resource.get(edge), dict):
                    other = "date" if "dateTime" in value else "dateTime" if "date" in value else None
                    if other:
                        resource[edge].pop(other, None)
            _merge(resource, changes)
            new_meet = apply_conference(event.resource, resource, body, conference_version, replace=False)
            return self._replace(account, event, resource, new_meet)

    def update(
        self,
        account: Account,
        event_id: str,
        body: dict[str, Any],
        *,
        conference_version: int = 0,
        calendar: str | None = None,
    ) -> Written:
        with self.state.lock:
            event = self.get(account, event_id, calendar)
            resource = {k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_FIELDS}
            new_meet = apply_conference(event.resource, resource, body, conference_version, replace=True)
            for field in SERVER_FIELDS:
                if field in event.resource:
                    resource[field] = copy.deepcopy(event.resource[field])
            resource.setdefault("sequence", event.resource.get("sequence", 0))
            resource.setdefault("reminders", {"useDefault": True})
            resource.setdefault("eventType", "default")
            return self._replace(account, event, resource, new_meet)

    def _replace(self, account: Account, event: StoredEvent, resource: dict[str, Any], new_meet: bool) -> Written:
        start = _edge(resource.get("start"), "start", account.time_zone)
        end = _edge(resource.get("end"), "end", account.time_zone)
        if end <= start:
            raise bad_request("timeRangeEmpty", "The specified time range is empty.", domain="calendar")
        self._normalize(resource, account)
        if (start, end) != (event.start, event.end):
            resource["sequence"] = int(resource.get("sequence", 0)) + 1
        event.updated = self._stamp(resource)
        event.resource = resource
        event.start, event.end = start, end
        event.deleted = resource["status"] == "cancelled"
        return Written(event, _pending_view(resource) if new_meet else event.full())

    def delete(self, account: Account, event_id: str, calendar: str | None = None) -> StoredEvent:
        with self.state.lock:
            event = self.get(account, event_id, calendar)
            if event.deleted:
                raise GoogleApiError(410, "deleted", "Resource has been deleted")
            event.resource["status"] = "cancelled"
            event.deleted = True
            event.updated = self._stamp(event.resource)
            return event

    def all(self, account: Account, calendar: str | None = None) -> list[StoredEvent]:
        with self.state.lock:
            return sorted(self._calendar(account, calendar).values(), key=lambda e: e.seq)


def _merged_attendees(current: Any, given: list[Any]) -> list[Any]:
    """Attendees updated by email: a given entry merges into the attendee with its email, or is added."""
    merged = copy.deepcopy(current) if isinstance(current, list) else []
    for entry in given:
        email = str(entry.get("email", "")).lower() if isinstance(entry, dict) else ""
        match = next(
            (a for a in merged if email and isinstance(a, dict) and str(a.get("email", "")).lower() == email), None
        )
        if match is None:
            merged.append(copy.deepcopy(entry))
        else:
            _merge(match, entry)
    return merged


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    """Patch semantics: objects merge recursively, arrays and scalars replace, null removes."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
