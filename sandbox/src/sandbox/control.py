"""The control API under /_sandbox/: what a test does "as Google" or "as the user".

Create accounts, edit a calendar as its owner, inject faults, read counters, move the clock, mint
scheduler OIDC tokens, drain the task queue, read the mail the SMTP relay took, and reset everything.
Not part of any Google API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.dispatch import Dispatcher
from sandbox.errors import GoogleApiError
from sandbox.events import CalendarStore
from sandbox.keys import SigningKey
from sandbox.mail import MailStore
from sandbox.push import ChannelRegistry
from sandbox.secrets import SecretStore
from sandbox.state import Account, Fault, SandboxState
from sandbox.tasks import TaskQueues
from sandbox.timefmt import zone
from sandbox.tokens import TokenStore
from sandbox.web import Route, json_response

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _problem(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


def _body(request: Request) -> dict[str, Any]:
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        raise GoogleApiError(400, "parseError", "expected a JSON object")
    return body


class ControlApi:
    def __init__(
        self,
        *,
        state: SandboxState,
        tokens: TokenStore,
        calendar: CalendarStore,
        channels: ChannelRegistry,
        secrets: SecretStore,
        queues: TaskQueues,
        dispatcher: Dispatcher,
        keys: SigningKey,
        mail: MailStore,
        reset: Callable[[], None],
        methods: list[str],
    ) -> None:
        self.state = state
        self.tokens = tokens
        self.calendar = calendar
        self.channels = channels
        self.secrets = secrets
        self.queues = queues
        self.dispatcher = dispatcher
        self.keys = keys
        self.mail = mail
        self._reset = reset
        self.methods = sorted(methods)

    def routes(self) -> list[Route]:
        base = "/_sandbox"
        events = base + "/calendars/<email>/events"
        return [
            (base + "/accounts", ["GET"], self.list_accounts),
            (base + "/accounts", ["POST"], self.create_account),
            (base + "/accounts/<email>", ["PATCH"], self.update_account),
            (base + "/accounts/<email>/revoke", ["POST"], self.revoke_account),
            (base + "/accounts/<email>/tokens", ["GET"], self.account_tokens),
            (base + "/accounts/<email>/calendars", ["GET"], self.list_calendars),
            (base + "/accounts/<email>/calendars", ["POST"], self.create_calendar),
            (events, ["GET"], self.list_events),
            (events, ["POST"], self.create_event),
            (events + "/<event_id>", ["PATCH"], self.patch_event),
            (events + "/<event_id>", ["DELETE"], self.delete_event),
            (base + "/channels", ["GET"], self.list_channels),
            (base + "/faults", ["POST"], self.add_fault),
            (base + "/state", ["GET"], self.snapshot),
            (base + "/reset", ["POST"], self.reset),
            (base + "/clock", ["POST"], self.advance_clock),
            (base + "/oidc_token", ["POST"], self.oidc_token),
            (base + "/tasks", ["GET"], self.list_tasks),
            (base + "/tasks/drain", ["POST"], self.drain_tasks),
            (base + "/mail", ["GET"], self.list_mail),
            (base + "/mail/<int:mail_id>/raw", ["GET"], self.raw_mail),
        ]

    # -- accounts -----------------------------------------------------------------------------------

    def list_accounts(self, request: Request) -> Response:
        with self.state.lock:
            accounts = sorted(self.state.accounts.values(), key=lambda a: a.created_seq)
            return json_response({"items": [a.public() for a in accounts]})

    def create_account(self, request: Request) -> Response:
        body = _body(request)
        email = str(body.get("email", ""))
        if not _EMAIL.match(email):
            return _problem(400, "email is required")
        time_zone = str(body.get("time_zone") or "UTC")
        try:
            zone(time_zone)
        except ValueError:
            return _problem(400, f"unknown time_zone {time_zone!r}")
        deny = body.get("deny_scopes") or []
        if not isinstance(deny, list):
            return _problem(400, "deny_scopes must be a list")
        try:
            account = self.state.create_account(
                email, str(body.get("name") or email.split("@")[0]), frozenset(map(str, deny)), time_zone
            )
        except KeyError:
            return _problem(409, f"account {email} already exists")
        return json_response(account.public(), 201)

    def update_account(self, request: Request, email: str) -> Response:
        """What the person changes on Google's consent screen next time (e.g. ticks a box they left empty)."""
        body = _body(request)
        deny = body.get("deny_scopes")
        if deny is not None and not isinstance(deny, list):
            return _problem(400, "deny_scopes must be a list")
        account = self.state.update_account(
            email, deny_scopes=None if deny is None else frozenset(map(str, deny)), name=body.get("name")
        )
        if account is None:
            return _problem(404, f"no account {email}")
        return json_response(account.public(), 200)

    def _account(self, email: str) -> Account:
        account = self.state.account(email)
        if account is None:
            raise GoogleApiError(404, "notFound", f"no account {email}")
        return account

    def revoke_account(self, request: Request, email: str) -> Response:
        self._account(email)
        return json_response({"revoked": self.tokens.revoke_account(email)})

    def account_tokens(self, request: Request, email: str) -> Response:
        self._account(email)
        return json_response(self.tokens.tokens_of(email))

    # -- secondary calendars ------------------------------------------------------------------------------

    def create_calendar(self, request: Request, email: str) -> Response:
        """A calendar the account owns (`access_role` "owner", the default), or one shared with it that it can
        only read ("reader"); either is listed by calendarList.list and has its own events."""
        account = self._account(email)
        body = _body(request)
        summary = str(body.get("summary") or "").strip()
        role = body.get("access_role", "owner")
        if not summary:
            return _problem(400, "summary is required")
        if role not in ("owner", "reader"):
            return _problem(400, "access_role must be owner or reader")
        calendar = self.state.add_calendar(account, summary, role)
        return json_response({"id": calendar.id, "summary": calendar.summary, "access_role": role}, 201)

    def list_calendars(self, request: Request, email: str) -> Response:
        account = self._account(email)
        calendars = self.state.calendars_of(account)
        items = [{"id": c.id, "summary": c.summary, "access_role": c.access_role} for c in calendars]
        return json_response({"items": items})

    # -- the owner edits their calendar -------------------------------------------------------------------

    def _calendar_key(self, request: Request, account: Account) -> str:
        """`?calendarId=ID` picks one of the account's calendars (default: its primary). The owner's edits
        reach a calendar shared with them too: they stand for whoever owns it."""
        resolved = self.state.resolve_calendar(account, request.args.get("calendarId", "primary"))
        if resolved is None:
            raise GoogleApiError(404, "notFound", "no such calendar for this account")
        return resolved[0]

    def list_events(self, request: Request, email: str) -> Response:
        account = self._account(email)
        key = self._calendar_key(request, account)
        items = [e.full() for e in self.calendar.all(account, key) if not e.deleted]
        return json_response({"items": items})

    def create_event(self, request: Request, email: str) -> Response:
        """The owner adds an event in Google Calendar (a `conferenceData.createRequest` adds a Meet)."""
        account = self._account(email)
        key = self._calendar_key(request, account)
        written = self.calendar.insert(
            account, _body(request), app_created=False, conference_version=1, calendar_key=key
        )
        self.channels.calendar_changed(key)
        return json_response(written.event.full(), 201)

    def patch_event(self, request: Request, email: str, event_id: str) -> Response:
        """The owner edits an event, or an attendee replies: attendees are updated by email, not replaced."""
        account = self._account(email)
        key = self._calendar_key(request, account)
        written = self.calendar.patch(
            account, event_id, _body(request), conference_version=1, merge_attendees=True, calendar=key
        )
        self.channels.calendar_changed(key)
        return json_response(written.event.full())

    def delete_event(self, request: Request, email: str, event_id: str) -> Response:
        account = self._account(email)
        key = self._calendar_key(request, account)
        self.calendar.delete(account, event_id, key)
        self.channels.calendar_changed(key)
        return Response(status=204)

    def list_channels(self, request: Request) -> Response:
        return json_response({"items": [c.public() for c in self.channels.active()]})

    # -- faults, counters, reset ---------------------------------------------------------------------------

    def add_fault(self, request: Request) -> Response:
        body = _body(request)
        method = str(body.get("method", ""))
        if method not in self.methods:
            # A typo would otherwise inject nothing and a test would pass for the wrong reason.
            return json_response({"error": f"unknown method {method!r}", "methods": self.methods}, 400)
        try:
            status = int(body.get("status", 503))
            count = int(body.get("count", 1))
            retry_after = float(body["retry_after"]) if body.get("retry_after") is not None else None
            hang_seconds = float(body.get("hang_seconds") or 0)
        except (TypeError, ValueError):
            return _problem(400, "status, count, retry_after and hang_seconds must be numbers")
        if not 400 <= status <= 599 or count < 0 or not 0 <= hang_seconds <= 120:
            return _problem(400, "status must be 4xx/5xx, count >= 0 (0 clears the method's fault), hang_seconds 0-120")
        self.state.add_fault(method, Fault(status, count, retry_after, hang_seconds))
        answer = {"method": method, "status": status, "count": count, "retry_after": retry_after}
        return json_response({**answer, "hang_seconds": hang_seconds}, 201)

    def snapshot(self, request: Request) -> Response:
        secrets, versions = self.secrets.counts()
        pushes = self.channels.delivery.tally()
        with self.state.lock:
            counters = self.state.counters
            return json_response(
                {
                    "calls": dict(sorted(counters.calls.items())),
                    "foreign_events_read": counters.foreign_events_read,
                    "tokens": {
                        "access_issued": counters.access_issued,
                        "refresh_issued": counters.refresh_issued,
                        "revoked": counters.revoked,
                    },
                    "active_channels": self.channels.active_count(),
                    "pushes": {"pending": pushes.pending, "delivered": pushes.delivered, "failed": pushes.failed},
                    "secrets": secrets,
                    "secret_versions": versions,
                    "tasks": {
                        "queued": self.queues.queued_count(),
                        "dispatched": counters.tasks_dispatched,
                        "succeeded": counters.tasks_succeeded,
                        "failed": counters.tasks_failed,
                    },
                    "clock_offset_seconds": self.state.clock.offset,
                }
            )

    def reset(self, request: Request) -> Response:
        self._reset()
        return json_response({"reset": True})

    def advance_clock(self, request: Request) -> Response:
        try:
            seconds = float(_body(request).get("advance_seconds", 0))
            self.state.clock.advance(seconds)
        except (TypeError, ValueError):
            return _problem(400, "advance_seconds must be a number")
        return json_response({"now": self.state.clock.now().isoformat(), "offset_seconds": self.state.clock.offset})

    # -- tokens and tasks for tests ------------------------------------------------------------------------

    def oidc_token(self, request: Request) -> Response:
        body = _body(request)
        audience, email = body.get("audience"), body.get("email")
        if not audience or not email:
            return _problem(400, "audience and email are required")
        token = self.keys.service_account_id_token(audience=str(audience), email=str(email), now=self.state.jwt_time())
        return json_response({"token": token})

    def list_tasks(self, request: Request) -> Response:
        return json_response({"items": self.queues.pending()})

    def drain_tasks(self, request: Request) -> Response:
        try:
            timeout = float(_body(request).get("timeout", 10))
        except (TypeError, ValueError):
            return _problem(400, "timeout must be a number")
        idle = self.dispatcher.wait_idle(min(max(timeout, 0.0), 300.0))
        return json_response({"idle": idle}, 200 if idle else 408)

    # -- mail the SMTP relay accepted ----------------------------------------------------------------------

    def list_mail(self, request: Request) -> Response:
        """Accepted messages in arrival order; `?to=address` keeps those with that envelope recipient."""
        return json_response({"items": [m.public() for m in self.mail.items(request.args.get("to"))]})

    def raw_mail(self, request: Request, mail_id: int) -> Response:
        """The message as it was sent (RFC 5322), e.g. to read an attachment."""
        stored = self.mail.get(mail_id)
        if stored is None:
            return _problem(404, f"no mail {mail_id}")
        return Response(stored.raw, content_type="message/rfc822")
