"""A typed client for the sandbox's control API (`/_sandbox/*`): what a test does "as Google" or "as the user".

    google = SandboxClient(sb.http_url)
    google.create_account("ada@example.com", time_zone="Europe/Berlin")
    google.add_event("ada@example.com", {"start": {...}, "end": {...}})   # the owner edits their calendar
    google.fault("calendar.events.insert", 503, count=2)
    google.drain_tasks()
    google.state()["calls"]["calendar.events.insert"]
    google.mail(to="grace@example.com")                                     # what the SMTP relay accepted

Plain HTTP (requests), one call per method, safe to use from several threads. Any answer other than 2xx
raises SandboxError, carrying the status and the parsed body. This is the only code outside the
sandbox that needs to know the control API's URLs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict, cast
from urllib.parse import quote

import requests

Event = dict[str, Any]  # a Calendar v3 event resource, as Google shapes it


class Account(TypedDict):
    email: str
    name: str
    sub: str
    deny_scopes: list[str]
    time_zone: str


class TokenDetail(TypedDict):
    kind: str  # "refresh" or "access"
    token: str
    client_id: str
    scopes: list[str]
    live: bool
    expires_in: NotRequired[int]  # access tokens only


class IssuedTokens(TypedDict):
    refresh_tokens: list[str]
    access_tokens: list[str]
    details: list[TokenDetail]


class Channel(TypedDict):
    id: str
    resourceId: str
    resourceUri: str
    calendar: str
    address: str
    expiration: str  # epoch milliseconds, as Google writes it
    messages_sent: int


class TokenCounts(TypedDict):
    access_issued: int
    refresh_issued: int
    revoked: int


class TaskCounts(TypedDict):
    queued: int
    dispatched: int
    succeeded: int
    failed: int


class PushCounts(TypedDict):
    pending: int
    delivered: int
    failed: int


class State(TypedDict):
    calls: dict[str, int]
    foreign_events_read: int
    tokens: TokenCounts
    active_channels: int
    pushes: PushCounts
    secrets: int
    secret_versions: int
    tasks: TaskCounts
    clock_offset_seconds: float


class PendingTask(TypedDict):
    name: str
    queue: str
    url: str
    method: str
    schedule_time: str
    attempts: int
    in_flight: bool


Mail = TypedDict(
    "Mail",
    {
        "id": int,
        "to": list[str],  # envelope recipients (Bcc included)
        "from": str,  # the From header (the envelope sender when there is none)
        "envelope_from": str,
        "subject": str | None,
        "text": str | None,  # the text/plain body
        "html": str | None,  # the text/html body
        "attachments": list[str],  # file names (the content type for an unnamed attachment)
        "message_id": str | None,
        "headers": dict[str, str],  # every header; a repeated one keeps its first value
        "received_at": str,  # RFC 3339, sandbox clock
    },
)


class ClockReading(TypedDict):
    now: str
    offset_seconds: float


class SandboxError(Exception):
    """The control API answered with something other than 2xx."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(f"{method} {path}: {status} {body}")


class SandboxClient:
    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Any = None, *, timeout: float | None = None) -> Any:
        response = requests.request(
            method,
            f"{self.url}/_sandbox{path}",
            json=body,
            timeout=self.timeout if timeout is None else timeout,
        )
        try:
            parsed: Any = response.json() if response.content else None
        except ValueError:
            parsed = response.text
        if not 200 <= response.status_code < 300:
            raise SandboxError(method, path, response.status_code, parsed)
        return parsed

    # -- the person and their Google account -----------------------------------------------------------

    def create_account(
        self,
        email: str,
        name: str = "Ada Lovelace",
        *,
        time_zone: str | None = None,
        deny_scopes: Iterable[str] = (),
    ) -> Account:
        """A new Google account; on the consent screen it will refuse `deny_scopes`."""
        body: dict[str, Any] = {"email": email, "name": name, "deny_scopes": list(deny_scopes)}
        if time_zone is not None:
            body["time_zone"] = time_zone
        return cast(Account, self._call("POST", "/accounts", body))

    def accounts(self) -> list[Account]:
        return cast(list[Account], self._call("GET", "/accounts")["items"])

    def update_account(
        self, email: str, *, name: str | None = None, deny_scopes: Iterable[str] | None = None
    ) -> Account:
        """What the person does differently on the consent screen next time (e.g. ticks every box)."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if deny_scopes is not None:
            body["deny_scopes"] = list(deny_scopes)
        return cast(Account, self._call("PATCH", f"/accounts/{_segment(email)}", body))

    def revoke_all(self, email: str) -> int:
        """The person removes the app's access in their Google account; returns how many tokens died."""
        return int(self._call("POST", f"/accounts/{_segment(email)}/revoke")["revoked"])

    def issued_tokens(self, email: str) -> IssuedTokens:
        """Every token issued to the account, live or not, with details."""
        return cast(IssuedTokens, self._call("GET", f"/accounts/{_segment(email)}/tokens"))

    def tokens(self, email: str) -> list[str]:
        """Every refresh and access token issued to the account, live or not (to search stores and logs for)."""
        issued = self.issued_tokens(email)
        return [*issued["refresh_tokens"], *issued["access_tokens"]]

    # -- the owner's calendar (not the app: nothing here counts as the app reading) ------------------------

    def add_calendar(self, email: str, summary: str, access_role: str = "owner") -> str:
        """A secondary calendar the account owns (or, with `access_role="reader"`, one shared with it that it
        can only read); returns its id."""
        body = {"summary": summary, "access_role": access_role}
        return str(self._call("POST", f"/accounts/{_segment(email)}/calendars", body)["id"])

    def calendars(self, email: str) -> list[dict[str, str]]:
        """The account's secondary calendars: id, summary, access_role."""
        return cast(list[dict[str, str]], self._call("GET", f"/accounts/{_segment(email)}/calendars")["items"])

    def events(self, email: str, calendar_id: str | None = None) -> list[Event]:
        """The account's events (of its primary calendar, or of `calendar_id`), deleted ones omitted."""
        path = f"/calendars/{_segment(email)}/events{_calendar_query(calendar_id)}"
        return cast(list[Event], self._call("GET", path)["items"])

    def add_event(self, email: str, event: Event, calendar_id: str | None = None) -> Event:
        """The owner creates an event (not app-created: the app reading it counts as `foreign_events_read`)."""
        return cast(
            Event, self._call("POST", f"/calendars/{_segment(email)}/events{_calendar_query(calendar_id)}", event)
        )

    def patch_event(self, email: str, event_id: str, changes: Event, calendar_id: str | None = None) -> Event:
        """The owner edits any event, app-created ones included (patch semantics)."""
        path = f"/calendars/{_segment(email)}/events/{_segment(event_id)}{_calendar_query(calendar_id)}"
        return cast(Event, self._call("PATCH", path, changes))

    def delete_event(self, email: str, event_id: str, calendar_id: str | None = None) -> None:
        self._call("DELETE", f"/calendars/{_segment(email)}/events/{_segment(event_id)}{_calendar_query(calendar_id)}")

    def channels(self) -> list[Channel]:
        """Live watch channels."""
        return cast(list[Channel], self._call("GET", "/channels")["items"])

    # -- Google's side: faults, counters, clock, tokens, tasks ---------------------------------------------

    def fault(
        self,
        method: str,
        status: int = 503,
        count: int = 1,
        retry_after: float | None = None,
        hang_seconds: float | None = None,
    ) -> None:
        """The next `count` calls of `method` (e.g. `calendar.events.insert`) fail with `status`; 0 clears it.
        `hang_seconds`: each is held that long first (a Google that hangs)."""
        body: dict[str, Any] = {"method": method, "status": status, "count": count}
        if retry_after is not None:
            body["retry_after"] = retry_after
        if hang_seconds is not None:
            body["hang_seconds"] = hang_seconds
        self._call("POST", "/faults", body)

    def state(self) -> State:
        return cast(State, self._call("GET", "/state"))

    def reset(self) -> None:
        """Forget everything but the OAuth clients and the signing key; the clock returns to real time."""
        self._call("POST", "/reset")

    def advance_clock(self, seconds: float) -> ClockReading:
        """Move the sandbox clock (negative: back, e.g. to mint tokens that are already expired)."""
        return cast(ClockReading, self._call("POST", "/clock", {"advance_seconds": seconds}))

    def oidc_token(self, audience: str, email: str) -> str:
        """An OIDC token as Cloud Scheduler or Cloud Tasks would send it for that service account."""
        return str(self._call("POST", "/oidc_token", {"audience": audience, "email": email})["token"])

    def tasks(self) -> list[PendingTask]:
        """Pending Cloud Tasks, in schedule order."""
        return cast(list[PendingTask], self._call("GET", "/tasks")["items"])

    def drain_tasks(self, timeout: float = 20.0) -> None:
        """Wait until no task is in flight or due (counting those falling due within `timeout`).

        Raises SandboxError (status 408) if the queues are still busy after `timeout` seconds.
        """
        self._call("POST", "/tasks/drain", {"timeout": timeout}, timeout=timeout + 5)

    # -- the SMTP relay ------------------------------------------------------------------------------------

    def mail(self, to: str | None = None) -> list[Mail]:
        """Messages the SMTP relay accepted, in arrival order; `to` keeps those with that envelope recipient."""
        path = "/mail" if to is None else f"/mail?to={quote(to, safe='@')}"
        return cast(list[Mail], self._call("GET", path)["items"])

    def raw_mail(self, mail_id: int) -> bytes:
        """A message exactly as it was sent (RFC 5322 bytes), e.g. to read an attachment with `email`."""
        path = f"/mail/{mail_id}/raw"
        response = requests.get(f"{self.url}/_sandbox{path}", timeout=self.timeout)
        if response.status_code != 200:
            raise SandboxError("GET", path, response.status_code, response.text)
        return response.content


def _segment(value: str) -> str:
    return quote(value, safe="@")


def _calendar_query(calendar_id: str | None) -> str:
    return "" if calendar_id is None else f"?calendarId={quote(calendar_id, safe='@')}"
