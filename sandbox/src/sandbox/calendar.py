"""Calendar API v3 under /calendar/v3/: events, watch channels, freeBusy and calendarList.list over each
account's primary calendar and its secondary calendars (own ones, and ones it can only read).

This module is the HTTP surface (auth, scopes, faults, query parameters, privacy accounting);
`sandbox.events` holds the events themselves.

Scopes are enforced per method from the discovery document shipped with google-api-python-client,
so the sandbox accepts exactly the scopes Google lists for each method. Each account has its primary
calendar plus the secondary calendars the control API gives it (an `owner` one is written like the
primary; a `reader` one is read-only: writes answer 403); recurring events, ACLs and sync tokens are not
modelled.
Every JSON answer honours the `fields` partial-response parameter, checked against the method's
response schema in the same discovery document.
"""

from __future__ import annotations

import base64
import functools
import json
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import googleapiclient
from werkzeug.wrappers import Request, Response

from sandbox.errors import GoogleApiError
from sandbox.events import CalendarStore, StoredEvent, bad_request
from sandbox.fields import Selection, check_fields, parse_fields, select
from sandbox.push import CHANNEL_MAX_TTL, Channel, ChannelRegistry, resource_id_for
from sandbox.state import Account, SandboxState
from sandbox.timefmt import in_zone, parse_instant, utc_millis, zone
from sandbox.tokens import AccessToken, TokenStore
from sandbox.web import Route, json_body, json_response

# Method ids as in the discovery document; also the names of faults and call counts.
API_METHODS = (
    "calendar.events.insert",
    "calendar.events.get",
    "calendar.events.patch",
    "calendar.events.update",
    "calendar.events.delete",
    "calendar.events.list",
    "calendar.events.watch",
    "calendar.channels.stop",
    "calendar.freebusy.query",
    "calendar.calendarList.list",
)
# Google rejects a freeBusy query over a longer range with 400 timeRangeTooLong. The limit is not
# documented; integrators report 90 days (e.g. cal.com splits its queries into 90-day windows).
FREEBUSY_MAX_RANGE = 90 * 86400
FREEBUSY_MAX_CALENDARS = 50
LIST_DEFAULT_MAX_RESULTS = 250
LIST_MAX_RESULTS = 2500
TEXT_FIELDS = ("summary", "description", "location")  # what the `q` search looks at


@functools.cache
def discovery() -> dict[str, Any]:
    """The Calendar v3 discovery document shipped with google-api-python-client."""
    path = Path(googleapiclient.__file__).parent / "discovery_cache/documents/calendar.v3.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _methods() -> dict[str, dict[str, Any]]:
    methods: dict[str, dict[str, Any]] = {}

    def walk(resources: dict[str, Any]) -> None:
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                methods[method["id"]] = method
            walk(resource.get("resources", {}))

    walk(discovery()["resources"])
    return methods


@functools.cache
def method_scopes() -> dict[str, frozenset[str]]:
    """Method id (e.g. `calendar.events.insert`) -> scopes that authorize it, from discovery."""
    return {name: frozenset(method.get("scopes", [])) for name, method in _methods().items()}


@functools.cache
def method_response_schemas() -> dict[str, dict[str, Any]]:
    """Method id -> the schema of its response (for checking `fields` selections)."""
    return {name: method["response"] for name, method in _methods().items() if "response" in method}


def field_selection(request: Request, method: str) -> Selection | None:
    """The request's `fields` selection, checked against the method's response schema (None: everything)."""
    text = request.args.get("fields")
    if text is None or not text.strip():
        return None
    selection = parse_fields(text)
    check_fields(selection, method_response_schemas()[method], discovery()["schemas"])
    return selection


def answer(request: Request, method: str, body: dict[str, Any], status: int = 200) -> Response:
    """A JSON answer, cut down to the `fields` selection when the request has one."""
    return json_response(select(body, field_selection(request, method)), status)


def _conference_version(request: Request) -> int:
    value = request.args.get("conferenceDataVersion", "0")
    try:
        version = int(value)
    except ValueError:
        version = -1
    if version not in (0, 1):
        raise bad_request(
            "invalid", f"Invalid value '{value}'. Values must be within the range: [0, 1]", "conferenceDataVersion"
        )
    return version


def _property_filters(values: list[str]) -> list[tuple[str, str]]:
    filters = []
    for value in values:
        key, sep, expected = value.partition("=")
        if not sep:
            raise bad_request("invalid", "Invalid extended property filter.")
        filters.append((key, expected))
    return filters


def _instant_arg(request: Request, name: str) -> float | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return parse_instant(value).timestamp()
    except ValueError as exc:
        raise bad_request("badRequest", "Bad Request", name) from exc


class CalendarApi:
    def __init__(
        self, state: SandboxState, tokens: TokenStore, store: CalendarStore, channels: ChannelRegistry
    ) -> None:
        self.state = state
        self.tokens = tokens
        self.store = store
        self.channels = channels

    def routes(self) -> list[Route]:
        base = "/calendar/v3"
        events = base + "/calendars/<calendar_id>/events"
        return [
            (events, ["POST"], self.insert),
            (events, ["GET"], self.list),
            (events + "/watch", ["POST"], self.watch),
            (events + "/<event_id>", ["GET"], self.get),
            (events + "/<event_id>", ["PATCH"], self.patch),
            (events + "/<event_id>", ["PUT"], self.update),
            (events + "/<event_id>", ["DELETE"], self.delete),
            (base + "/channels/stop", ["POST"], self.stop_channel),
            (base + "/freeBusy", ["POST"], self.freebusy),
            (base + "/users/me/calendarList", ["GET"], self.calendar_list),
        ]

    # -- common ----------------------------------------------------------------------------------

    def _begin(self, request: Request, method: str) -> tuple[AccessToken, Account]:
        """Count the call, apply an injected fault, authenticate, and check the method's scopes."""
        fault = self.state.register_call(method)
        if fault is not None:
            raise GoogleApiError(fault.status, retry_after=fault.retry_after)
        header = request.headers.get("Authorization", "")
        token = self.tokens.authenticate(header[7:].strip()) if header.lower().startswith("bearer ") else None
        if token is None:
            raise GoogleApiError(401, location="Authorization", location_type="header")
        if not token.scopes & method_scopes()[method]:
            raise GoogleApiError(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
                domain="global",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                        "domain": "googleapis.com",
                        "metadata": {"service": "calendar-json.googleapis.com", "method": method},
                    }
                ],
            )
        account = self.state.account(token.email)
        if account is None:
            raise GoogleApiError(401, location="Authorization", location_type="header")
        field_selection(request, method)  # a bad selection fails the call before it changes anything
        return token, account

    def _calendar(self, account: Account, calendar_id: str, *, write: bool = False) -> str:
        """The key of a calendar the caller sees (its primary or one in its list); others do not exist for
        it (404). Writing needs the owner's access, as at Google (403 requiredAccessLevel)."""
        resolved = self.state.resolve_calendar(account, calendar_id)
        if resolved is None:
            raise GoogleApiError(404)
        key, role = resolved
        if write and role != "owner":
            raise GoogleApiError(403, "requiredAccessLevel", "You need to have writer access to this calendar.")
        return key

    def _reveal(self, events: list[StoredEvent]) -> None:
        """Privacy accounting: the app just received the contents of events it did not create."""
        foreign = sum(1 for event in events if not event.app_created)
        if foreign:
            with self.state.lock:
                self.state.counters.foreign_events_read += foreign

    # -- events ----------------------------------------------------------------------------------

    def insert(self, request: Request, calendar_id: str) -> Response:
        method = "calendar.events.insert"
        _, account = self._begin(request, method)
        key = self._calendar(account, calendar_id, write=True)
        written = self.store.insert(
            account,
            json_body(request),
            app_created=True,
            conference_version=_conference_version(request),
            calendar_key=key,
        )
        self.channels.calendar_changed(key)
        return answer(request, method, written.response)

    def get(self, request: Request, calendar_id: str, event_id: str) -> Response:
        method = "calendar.events.get"
        _, account = self._begin(request, method)
        event = self.store.get(account, event_id, self._calendar(account, calendar_id))
        self._reveal([event])
        return answer(request, method, event.full())

    def patch(self, request: Request, calendar_id: str, event_id: str) -> Response:
        method = "calendar.events.patch"
        _, account = self._begin(request, method)
        key = self._calendar(account, calendar_id, write=True)
        written = self.store.patch(
            account, event_id, json_body(request), conference_version=_conference_version(request), calendar=key
        )
        self.channels.calendar_changed(key)
        self._reveal([written.event])
        return answer(request, method, written.response)

    def update(self, request: Request, calendar_id: str, event_id: str) -> Response:
        method = "calendar.events.update"
        _, account = self._begin(request, method)
        key = self._calendar(account, calendar_id, write=True)
        written = self.store.update(
            account, event_id, json_body(request), conference_version=_conference_version(request), calendar=key
        )
        self.channels.calendar_changed(key)
        self._reveal([written.event])
        return answer(request, method, written.response)

    def delete(self, request: Request, calendar_id: str, event_id: str) -> Response:
        _, account = self._begin(request, "calendar.events.delete")
        key = self._calendar(account, calendar_id, write=True)
        self.store.delete(account, event_id, key)
        self.channels.calendar_changed(key)
        return Response(status=204)

    def list(self, request: Request, calendar_id: str) -> Response:
        _, account = self._begin(request, "calendar.events.list")
        key = self._calendar(account, calendar_id)
        args = request.args
        time_min = _instant_arg(request, "timeMin")
        time_max = _instant_arg(request, "timeMax")
        updated_min = _instant_arg(request, "updatedMin")
        if time_min is not None and time_max is not None and time_max <= time_min:
            raise bad_request("timeRangeEmpty", "The specified time range is empty.", "timeMax", "calendar")
        # Google: with updatedMin, events deleted since then are included whatever showDeleted says.
        show_deleted = args.get("showDeleted") == "true" or updated_min is not None
        private = _property_filters(args.getlist("privateExtendedProperty"))
        shared = _property_filters(args.getlist("sharedExtendedProperty"))
        order_by = args.get("orderBy")
        if order_by == "startTime" and args.get("singleEvents") != "true":
            raise bad_request("badRequest", "The requested ordering is not available for the particular query.")
        if order_by not in (None, "startTime", "updated"):
            raise bad_request("invalid", "Invalid value for: orderBy", "orderBy")
        try:
            max_results = min(int(args.get("maxResults", LIST_DEFAULT_MAX_RESULTS)), LIST_MAX_RESULTS)
            offset = int(base64.urlsafe_b64decode(args["pageToken"]).decode()) if "pageToken" in args else 0
        except ValueError as exc:
            raise bad_request("invalid", "Invalid value", "maxResults/pageToken") from exc
        if max_results < 1:
            raise bad_request("invalid", "Invalid value for: maxResults", "maxResults")
        text = args.get("q", "").lower()

        def matches(event: StoredEvent) -> bool:
            resource = event.resource
            props = resource.get("extendedProperties", {})
            return (
                (show_deleted or not event.deleted)
                and (time_min is None or event.end > time_min)
                and (time_max is None or event.start < time_max)
                and (updated_min is None or event.updated >= updated_min)
                and all(props.get("private", {}).get(k) == v for k, v in private)
                and all(props.get("shared", {}).get(k) == v for k, v in shared)
                and (not text or any(text in str(resource.get(f, "")).lower() for f in TEXT_FIELDS))
            )

        with self.state.lock:
            selected = [event for event in self.store.all(account, key) if matches(event)]
            if order_by == "startTime":
                selected.sort(key=lambda e: (e.start, e.seq))
            elif order_by == "updated":
                selected.sort(key=lambda e: (e.updated, e.seq))
            page = selected[offset : offset + max_results]
            items = [event.minimal() if event.deleted else event.full() for event in page]
            self._reveal(page)
            body: dict[str, Any] = {
                "kind": "calendar#events",
                "etag": f'"{self.state.next_seq()}"',
                "summary": self._summary(account, key),
                "description": "",
                "updated": utc_millis(max((e.updated for e in selected), default=self.state.clock.time())),
                "timeZone": account.time_zone,
                "accessRole": self._role(account, key),
                "defaultReminders": [],
                "items": items,
            }
            if offset + max_results < len(selected):
                body["nextPageToken"] = base64.urlsafe_b64encode(str(offset + max_results).encode()).decode()
        return answer(request, "calendar.events.list", body)

    def _summary(self, account: Account, key: str) -> str:
        with self.state.lock:
            calendar = self.state.calendars.get(key)
        return calendar.summary if calendar is not None else account.email

    def _role(self, account: Account, key: str) -> str:
        resolved = self.state.resolve_calendar(account, key)
        return resolved[1] if resolved else "owner"

    # -- calendarList ------------------------------------------------------------------------------

    def calendar_list(self, request: Request) -> Response:
        """The caller's calendars: its primary first (id = its email, `primary: true`), then the others in
        the order they were added. `minAccessRole` filters as at Google; no paging (lists are short)."""
        _, account = self._begin(request, "calendar.calendarList.list")
        ranks = {"freeBusyReader": 0, "reader": 1, "writer": 2, "owner": 3}
        wanted = request.args.get("minAccessRole")
        if wanted is not None and wanted not in ranks:
            raise bad_request("invalid", "Invalid value for: minAccessRole", "minAccessRole")
        entries = [(account.email, account.email, "owner", True)] + [
            (c.id, c.summary, c.access_role, False) for c in self.state.calendars_of(account)
        ]
        items = []
        for calendar_id, summary, role, primary in entries:
            if wanted is not None and ranks[role] < ranks[wanted]:
                continue
            item: dict[str, Any] = {
                "kind": "calendar#calendarListEntry",
                "etag": f'"{zlib.crc32(calendar_id.encode())}"',
                "id": calendar_id,
                "summary": summary,
                "timeZone": account.time_zone,
                "accessRole": role,
                "defaultReminders": [],
                "selected": True,
            }
            if primary:
                item["primary"] = True
            items.append(item)
        body = {"kind": "calendar#calendarList", "etag": f'"{self.state.next_seq()}"', "items": items}
        return answer(request, "calendar.calendarList.list", body)

    # -- push channels -----------------------------------------------------------------------------

    def watch(self, request: Request, calendar_id: str) -> Response:
        token, account = self._begin(request, "calendar.events.watch")
        key = self._calendar(account, calendar_id)
        body = json_body(request)
        if not body.get("id"):
            raise bad_request("required", "Channel id is required.", "id")
        if body.get("type") not in ("web_hook", "webhook"):
            raise bad_request("invalid", "Invalid value for: type", "type")
        address = str(body.get("address") or "")
        if not address.startswith(("http://", "https://")):
            raise bad_request(
                "push.webhookUrlUnparseable", "WebHook callback address is not a valid URL.", "address", "push"
            )
        now = self.state.clock.time()
        expiration = now + CHANNEL_MAX_TTL
        if body.get("expiration") is not None:
            try:
                requested = int(body["expiration"]) / 1000
            except (TypeError, ValueError) as exc:
                raise bad_request("invalid", "Invalid value for: expiration", "expiration") from exc
            if requested <= now:
                raise bad_request("invalid", "Invalid value for: expiration", "expiration")
            expiration = min(requested, expiration)
        channel = Channel(
            id=str(body["id"]),
            resource_id=resource_id_for(key),
            resource_uri=f"{request.host_url}calendar/v3/calendars/{quote(calendar_id, safe='')}/events?alt=json",
            calendar_key=key,
            address=address,
            token=str(body["token"]) if body.get("token") is not None else None,
            expiration=expiration,
            client_id=token.client_id,
        )
        if not self.channels.open(channel):
            raise bad_request("channelIdNotUnique", f"Channel id {channel.id} not unique", "id", "push")
        response = {
            "kind": "api#channel",
            "id": channel.id,
            "resourceId": channel.resource_id,
            "resourceUri": channel.resource_uri,
            "expiration": str(int(channel.expiration * 1000)),
        }
        if channel.token is not None:
            response["token"] = channel.token
        return answer(request, "calendar.events.watch", response)

    def stop_channel(self, request: Request) -> Response:
        self._begin(request, "calendar.channels.stop")
        body = json_body(request)
        channel_id = str(body.get("id", ""))
        if not self.channels.stop(channel_id, str(body.get("resourceId", ""))):
            raise GoogleApiError(404, "notFound", f"Channel '{channel_id}' not found for project 'kaleno-local'")
        return Response(status=204)

    # -- freeBusy ----------------------------------------------------------------------------------

    def freebusy(self, request: Request) -> Response:
        _, account = self._begin(request, "calendar.freebusy.query")
        body = json_body(request)
        bounds = []
        for name in ("timeMin", "timeMax"):
            if not body.get(name):
                raise bad_request("required", f"Missing {name}.", name)
            try:
                bounds.append(parse_instant(str(body[name])).timestamp())
            except ValueError as exc:
                raise bad_request("badRequest", "Bad Request", name) from exc
        time_min, time_max = bounds
        if time_max <= time_min:
            raise bad_request("timeRangeEmpty", "The specified time range is empty.", "timeMax", "calendar")
        if time_max - time_min > FREEBUSY_MAX_RANGE:
            raise bad_request("timeRangeTooLong", "The requested time range is too long.", "timeMax", "calendar")
        try:
            out_zone = zone(str(body.get("timeZone") or "UTC"))
        except ValueError as exc:
            raise bad_request("invalid", "Invalid time zone.", "timeZone") from exc
        calendars: dict[str, Any] = {}
        for index, item in enumerate(body.get("items") or []):
            calendar_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            if index >= FREEBUSY_MAX_CALENDARS:
                error = {"domain": "usageLimits", "reason": "tooManyCalendarsRequested"}
                calendars[calendar_id] = {"errors": [error], "busy": []}
                continue
            resolved = self.state.resolve_calendar(account, calendar_id)
            if resolved is None:
                calendars[calendar_id] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = _merged_busy(self.store.all(account, resolved[0]), time_min, time_max)
            calendars[calendar_id] = {
                "busy": [{"start": in_zone(s, out_zone), "end": in_zone(e, out_zone)} for s, e in busy]
            }
        return answer(
            request,
            "calendar.freebusy.query",
            {
                "kind": "calendar#freeBusy",
                "timeMin": utc_millis(time_min),
                "timeMax": utc_millis(time_max),
                "calendars": calendars,
            },
        )


def _merged_busy(events: list[StoredEvent], time_min: float, time_max: float) -> list[tuple[float, float]]:
    """Busy intervals clipped to the query range, overlapping and touching ones merged."""
    spans = sorted(
        (max(e.start, time_min), min(e.end, time_max))
        for e in events
        if e.busy() and e.end > time_min and e.start < time_max
    )
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
