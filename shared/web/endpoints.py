"""Routing inside one Cloud Function, with parsing and errors handled in one place.

Each function module declares its routes on an `Endpoints` table; the function entry point is the table
itself. Declared request/response models drive both validation and the generated OpenAPI document.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Concatenate, Generic, ParamSpec, Protocol, TypedDict, TypeVar, Unpack

from flask import Request, Response
from pydantic import BaseModel, JsonValue, ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, Rule

from shared.config import get_settings
from shared.deadlines import ARRIVED_AT, within
from shared.domain.errors import DomainError, FieldProblem
from shared.domain.event_type import SCHEDULE_ID_PATTERN, SLUG_PATTERN
from shared.domain.host import Host
from shared.domain.ids import (
    AVATAR_ID_PATTERN,
    BOOKING_ID_PATTERN,
    ERASURE_ID_PATTERN,
    EVENT_TYPE_ID_PATTERN,
    HOST_ID_PATTERN,
    INVITATION_ID_PATTERN,
    TEAM_ID_PATTERN,
    WEBHOOK_ID_PATTERN,
)
from shared.domain.links import LINK_ID_PATTERN
from shared.domain.team import INVITE_TOKEN_PATTERN
from shared.logging import log_event, log_exception
from shared.web.errors import problem_for_domain_error, problem_for_unavailable
from shared.web.principals import InviteeGrant, QueueCallers, RightsHolder, TaskCaller
from shared.web.problems import INTERNAL, Problem, request_language, validation_problem
from shared.web.rate_limit import enforce

# A view as the table stores it: the typed decorators below check each one's principal when it is declared;
# what follows it (path parameters, `query`, `body`) is matched by name at dispatch.
View = Callable[..., Response]
BodyProblems = Callable[[JsonValue], Sequence[FieldProblem]]  # the raw JSON body -> fields refused beyond the model
JsonSchema = dict[str, JsonValue]
M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")
PrincipalT = TypeVar("PrincipalT")
PrincipalT_co = TypeVar("PrincipalT_co", covariant=True)
Principal = Host | InviteeGrant | RightsHolder | TaskCaller  # whatever a guard proves (shared/web/principals.py)

# Every path parameter a rule may name, with the shape of the values that can exist: anything else names
# nothing, so it answers 404 before any lookup, and the OpenAPI document states the same pattern. A rule
# naming a parameter missing here fails at import.
PATH_PARAMETERS: dict[str, str] = {
    "host_slug": SLUG_PATTERN,
    "event_type_slug": SLUG_PATTERN,
    "event_type_id": EVENT_TYPE_ID_PATTERN,
    "booking_id": BOOKING_ID_PATTERN,
    "erasure_id": ERASURE_ID_PATTERN,
    "webhook_id": WEBHOOK_ID_PATTERN,
    "link_id": LINK_ID_PATTERN,
    "schedule_id": SCHEDULE_ID_PATTERN,  # "default", or "sc" + 5 random bytes in hex (shared/services/hosts.py)
    "team_id": TEAM_ID_PATTERN,
    "host_id": HOST_ID_PATTERN,
    "invitation_token": INVITE_TOKEN_PATTERN,
    "invitation_id": INVITATION_ID_PATTERN,
    "avatar_id": AVATAR_ID_PATTERN,
    "section": SLUG_PATTERN,  # a dashboard section's name (shared/web/pages.py DASHBOARD_SECTIONS)
}
_PATH_PARAMETER_SHAPES = {name: re.compile(pattern) for name, pattern in PATH_PARAMETERS.items()}
_RULE_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")

# The longest request header line ("Name: value") an answer is given to: gunicorn's own default
# `limit_request_field_size`, which the server Cloud Functions runs keeps. Every server in front of the app
# then draws the line at the same place, and the app's own answer (431 problem+json) is the same on each.
MAX_HEADER_LINE_BYTES = 8190

# Answers carrying personal data (or a credential) must not be kept by a browser or a shared cache.
NO_STORE = "no-store"
# Once a browser has seen Kaleno over HTTPS it never tries plain HTTP again, for two years (preload-ready).
# The same value is declared at the edge (infra/edge.tf); only sent when the base URL is HTTPS.
HSTS = "max-age=63072000; includeSubDomains; preload"


@dataclass(frozen=True)
class Guard(Generic[PrincipalT_co]):
    """Who may call a route: how the caller is proven (into the principal its view receives) and the OpenAPI
    security requirements saying the same (any one of them suffices)."""

    name: str
    security: tuple[str, ...]
    authenticate: Callable[[Request, str], PrincipalT_co]  # (request, function name) -> principal, else a Problem
    # Only our own queues call it: Cloud Tasks and Cloud Scheduler retry any answer outside 200-299 (4xx
    # included), so a payload that can never succeed is acknowledged with 200 and logged, not refused: a 422
    # would only be sent again, with backoff, until the queue gives up (DESIGN.md: 2xx = done or dropped).
    # Nobody waits on them: their deadline is longer.
    queue: bool = False


# shared.web.auth is imported on first use, in these: public routes never pay for it.
def _signed_in_host(request: Request, function: str) -> Host:
    from shared.web.auth import session_host

    return session_host(request, function)


def _invitee(request: Request, function: str) -> InviteeGrant:
    from shared.web.auth import invitee_grant

    return invitee_grant(request, function)


def _rights_holder(request: Request, function: str) -> RightsHolder:
    from shared.web.auth import rights_subject

    return rights_subject(request, function)


def _queue_caller(callers: QueueCallers) -> Callable[[Request, str], TaskCaller]:
    def authenticate(request: Request, function: str) -> TaskCaller:
        from shared.web.auth import google_caller

        return google_caller(callers)(request, function)

    return authenticate


HOST = Guard("session", ("session",), _signed_in_host)
INVITEE = Guard("manage-token", ("manageToken",), _invitee)
RIGHTS_HOLDER = Guard("host-or-invitee", ("session", "manageToken", "addressGrant"), _rights_holder)
QUEUES = {
    callers: Guard(
        "-or-".join(sorted(str(caller.name).lower() for caller in callers)),
        ("googleOidc",),
        _queue_caller(callers),
        queue=True,
    )
    for callers in (QueueCallers.TASKS, QueueCallers.SCHEDULER, QueueCallers.TASKS | QueueCallers.SCHEDULER)
}
GUARDS: tuple[Guard[Principal], ...] = (HOST, INVITEE, RIGHTS_HOLDER, *QUEUES.values())


class RouteOptions(TypedDict, total=False):
    """What a route declares beyond its rule and its principal (see `Route`)."""

    methods: tuple[str, ...]
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    limit: str | None
    other_responses: dict[int, type[BaseModel]]
    produces: str | None
    headers: tuple[tuple[str, Mapping[str, JsonValue], str], ...]
    personal: bool | None
    body_problems: BodyProblems | None
    deadline: str | None
    problems: dict[int, str]
    max_body_bytes: int | None
    uploads: tuple[str, ...]


class PublicRegistrar(Protocol):
    """Registers a view taking no principal: the request, then the route's path parameters, query and body."""

    def __call__(
        self, view: Callable[Concatenate[Request, P], Response], /
    ) -> Callable[Concatenate[Request, P], Response]: ...


class Registrar(Protocol[PrincipalT]):
    """Registers a view whose second parameter accepts the route's principal (mypy refuses any other view)."""

    def __call__(
        self, view: Callable[Concatenate[Request, PrincipalT, P], Response], /
    ) -> Callable[Concatenate[Request, PrincipalT, P], Response]: ...


@dataclass(frozen=True)
class Route:
    rule: str
    methods: tuple[str, ...]
    view: View
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    guard: Guard[Principal] | None = None  # who may call, and the principal the view receives; None: anyone
    limit: str | None = None  # a kind of Settings.client_limits: per-client request limit
    # Other successes the route may answer, by status (202 for work that goes on, 200 when it finished).
    other_responses: tuple[tuple[int, type[BaseModel]], ...] = ()
    produces: str | None = None  # a media type other than JSON that the success answers with (a file)
    # Request headers the route reads, for the OpenAPI document: name -> (JSON schema, description).
    headers: tuple[tuple[str, Mapping[str, JsonValue], str], ...] = field(default=(), hash=False)
    # Whether the answer carries personal data or a credential (so `Cache-Control: no-store`): every
    # authenticated route does; a public route says so when it does (a booking's creation, a cookie set).
    personal_data: bool | None = None
    # Fields the body model cannot check alone (a booking's answers, against its event type's questions):
    # asked for the raw body when the model refuses it, so one 422 names every invalid field.
    body_problems: BodyProblems | None = field(default=None, hash=False)
    # The Settings field holding this route's deadline, when it is not the one its callers imply
    # (`deadline_seconds`): the sign-in callback's is longer.
    deadline: str | None = None
    # Problems worth their own line in the OpenAPI document (status -> what it means), beyond "default".
    problems: tuple[tuple[int, str], ...] = ()
    # A larger body than Settings.max_body_bytes, for the one route that takes a file (a host's picture).
    max_body_bytes: int | None = None
    uploads: tuple[str, ...] = ()  # a file body's media types (the view reads the bytes), for the OpenAPI document

    @property
    def personal(self) -> bool:
        return self.guard is not None if self.personal_data is None else self.personal_data

    @property
    def queued(self) -> bool:
        """Only our own queues call it (see `Guard.queue`)."""
        return self.guard is not None and self.guard.queue


@dataclass
class Endpoints:
    """A route table for one function: `api = Endpoints("hosts")`, then one decorator per route naming who may
    call it: `@api.public(...)`, `@api.host(...)`, `@api.invitee(...)`, `@api.rights_holder(...)` or
    `@api.queue(..., callers=TASKS)`; the view receives `(request, principal, **path parameters, query, body)`
    (no principal for a public route)."""

    name: str
    routes: list[Route] = field(default_factory=list)
    _map: Map = field(default_factory=lambda: Map(strict_slashes=False))
    __name__: str = ""

    def __post_init__(self) -> None:
        self.__name__ = self.name  # functions-framework looks the target up by name

    def public(self, rule: str, **options: Unpack[RouteOptions]) -> PublicRegistrar:
        """Anyone may call it (a per-client `limit` bounds how often)."""
        return self._registrar(rule, None, options)

    def host(self, rule: str, **options: Unpack[RouteOptions]) -> Registrar[Host]:
        """The signed-in host (session cookie; writes from our own origin)."""
        return self._registrar(rule, HOST, options)

    def invitee(self, rule: str, **options: Unpack[RouteOptions]) -> Registrar[InviteeGrant]:
        """Whoever holds a manage token Kaleno issued (`Authorization: Bearer`)."""
        return self._registrar(rule, INVITEE, options)

    def rights_holder(self, rule: str, **options: Unpack[RouteOptions]) -> Registrar[RightsHolder]:
        """A data subject: a proven address, the invitee of a manage token's booking, or the signed-in host."""
        return self._registrar(rule, RIGHTS_HOLDER, options)

    def queue(self, rule: str, *, callers: QueueCallers, **options: Unpack[RouteOptions]) -> Registrar[TaskCaller]:
        """Our own Cloud Tasks queue and/or Cloud Scheduler (a Google OIDC token); POST unless said."""
        return self._registrar(rule, QUEUES[callers], {"methods": ("POST",), **options})

    def _registrar(self, rule: str, guard: Guard[Principal] | None, options: RouteOptions) -> Callable[[View], View]:
        unknown = set(_RULE_PARAMETER.findall(rule)) - set(PATH_PARAMETERS)
        if unknown:
            raise LookupError(f"{rule}: add {sorted(unknown)} to PATH_PARAMETERS in shared/web/endpoints.py")

        def register(view: View) -> View:
            methods = options.get("methods", ("GET",))
            route = Route(
                rule,
                methods,
                view,
                options.get("summary") or (view.__doc__ or "").strip(),
                options.get("body"),
                options.get("query"),
                options.get("response"),
                options.get("status", 200),
                guard,
                options.get("limit"),
                tuple(options.get("other_responses", {}).items()),
                options.get("produces"),
                options.get("headers", ()),
                options.get("personal"),
                options.get("body_problems"),
                options.get("deadline"),
                tuple(options.get("problems", {}).items()),
                options.get("max_body_bytes"),
                options.get("uploads", ()),
            )
            self.routes.append(route)
            self._map.add(Rule(rule, methods=list(methods), endpoint=route))
            return view

        return register

    def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        limit = get_settings().max_body_bytes
        # One byte over the limit may be read: a streamed (chunked) body without Content-Length that gets
        # there is too large, which reading exactly up to the limit could not tell from a body of that size.
        request.max_content_length = limit + 1
        route_rule, personal = "unmatched", False
        try:
            check_header_sizes(request.headers.items())
            route, params = self._match(request)
            route_rule, personal = route.rule, route.personal
            limit = route.max_body_bytes or limit
            request.max_content_length = limit + 1
            if (request.content_length or 0) > limit:
                raise RequestEntityTooLarge()
            with within(deadline_seconds(route), since=_arrived_at(request)):
                response = self._dispatch(request, route, params)
        except DroppedTask as dropped:
            response = dropped.acknowledged(self.name, route_rule)
        except Problem as problem:
            response = problem.to_response(request_language(request.headers.get("Accept-Language")))
        except DomainError as error:
            answer = problem_for_domain_error(error)
            response = answer.to_response(request_language(request.headers.get("Accept-Language")))
        except RequestEntityTooLarge:
            response = Problem(
                413,
                "body-too-large",
                "Request body too large",
                f"Bodies are limited to {limit} bytes.",
            ).to_response()
        except HTTPException as error:
            response = Problem(error.code or 400, "http-error", error.name).to_response()
        except Exception as error:
            unavailable = problem_for_unavailable(error)
            event = "dependency_unavailable" if unavailable else "unhandled_error"
            log_exception(event, error, function=self.name, route=route_rule)
            response = (unavailable or INTERNAL).to_response()
        # Let the framework drain the body afterwards (it always does) without tripping our limit again.
        request.max_content_length = None
        secure_headers(response, personal)
        log_event(
            "request",
            function=self.name,
            route=route_rule,
            method=request.method,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            trace=_trace(request),
        )
        return response

    def _dispatch(self, request: Request, route: Route, params: dict[str, str]) -> Response:
        _check_path_parameters(params)  # an address that cannot exist is not found, for anyone
        # Who first, then how often: a caller without valid credentials gets 401 however often it asks, and
        # spends nothing of the allowance its address shares with others (a household, an office's NAT).
        # The checks before a limit are cheap (a manage token is an HMAC under a cached key: no read); the
        # edge's rules (Cloud Armor) bound a flood of them before any instance, whatever the order here.
        caller = () if route.guard is None else (route.guard.authenticate(request, self.name),)
        if route.limit is not None:
            enforce(route.limit, request)
        return route.view(request, *caller, **params, **self._parse(request, route))

    def _match(self, request: Request) -> tuple[Route, dict[str, str]]:
        adapter = self._map.bind("function", "/")
        try:
            route, params = adapter.match(request.path or "/", method=request.method)
        except NotFound as exc:
            raise Problem(404, "not-found", "Not found", "No such endpoint.") from exc
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            raise Problem(
                405,
                "method-not-allowed",
                "Method not allowed",
                f"Use one of: {allowed}.",
                headers={"Allow": allowed},
            ) from exc
        assert isinstance(route, Route)  # nosec B101  # narrows the type; every rule's endpoint is a Route
        return route, {name: str(value) for name, value in params.items()}  # as the rule's patterns match them

    @staticmethod
    def _parse(request: Request, route: Route) -> dict[str, BaseModel]:
        parsed: dict[str, BaseModel] = {}
        if route.query is not None:
            try:
                parsed["query"] = route.query.model_validate(request.args.to_dict())
            except ValidationError as error:
                raise validation_problem(error, "query") from error
        if route.body is not None:
            try:
                parsed["body"] = parse_json_body(request, route.body, route.body_problems)
            except Problem as problem:
                if route.queued:  # authenticated already: our own task, malformed for good
                    raise DroppedTask(problem) from problem
                raise
        return parsed


class DroppedTask(Exception):
    """A queue's payload that can never succeed (malformed, or an id no document can have)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.kind)
        self.problem = problem

    def acknowledged(self, function: str, route: str) -> Response:
        """200, so the queue stops retrying; the log names the refused fields (never their values)."""
        refused = ",".join(problem.field for problem in self.problem.problems)  # field names, not values
        log_event(
            "task_dropped",
            logging.WARNING,
            function=function,
            route=route,
            problem_type=self.problem.kind,
            reason=f"refused: {refused}",
        )
        return json_response({"outcome": "dropped", "problem": self.problem.to_dict()})


def check_header_sizes(headers: Iterable[tuple[str, str]]) -> None:
    """431 problem+json for a request header longer than a server lets through (the header's name is said,
    never its value: it may be a credential)."""
    for name, value in headers:
        if len(name) + len(value) + 2 > MAX_HEADER_LINE_BYTES:
            said = name if len(name) <= 64 and name.replace("-", "").isalnum() else "A"
            raise header_too_large(f"The {said} header is longer than {MAX_HEADER_LINE_BYTES} bytes.")


def header_too_large(detail: str) -> Problem:
    return Problem(431, "header-too-large", "Request header fields too large", detail)


def deadline_seconds(route: Route) -> float:
    """The request's overall deadline: longer for Cloud Tasks and Scheduler targets, where nobody waits
    (Settings.task_deadline_seconds says why), than for everything a person waits on."""
    settings = get_settings()
    if route.deadline is not None:
        return float(getattr(settings, route.deadline))
    background = route.queued
    return settings.task_deadline_seconds if background else settings.request_deadline_seconds


def _arrived_at(request: Request) -> float | None:
    """When the request reached this process, if the server says so (else: now, as the deadline starts)."""
    arrived = request.environ.get(ARRIVED_AT)
    return float(arrived) if isinstance(arrived, float) else None


def secure_headers(response: Response, personal: bool) -> None:
    """Decided here for every answer, errors included: no-store where a route carries personal data, HSTS
    whenever Kaleno is served over HTTPS (not on the plain-HTTP loopback stack, where browsers ignore it)."""
    if personal:
        response.headers["Cache-Control"] = NO_STORE
    if get_settings().base_url.startswith("https://"):
        response.headers["Strict-Transport-Security"] = HSTS


def _check_path_parameters(params: Mapping[str, str]) -> None:
    for name, shape in _PATH_PARAMETER_SHAPES.items():
        if name in params and not shape.fullmatch(params[name]):
            raise Problem(404, "not-found", "Not found", f"No such {name.removesuffix('_id').replace('_', ' ')}.")


# No request of ours nests deeper than a few levels. Checked before parsing, because the parser's own bound is the
# process's recursion limit, which other code in the process (a test runner, a library) may have raised.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def _nested_deeper_than(raw: bytes, limit: int) -> bool:
    """The body opens more than `limit` arrays or objects inside one another (brackets inside strings aside)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual body: too few brackets to nest that deep
        return False
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b"", raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def parse_json_body(request: Request, model: type[M], more_problems: BodyProblems | None = None) -> M:
    raw = request.get_data(cache=True) or b"{}"
    if len(raw) > get_settings().max_body_bytes:  # a streamed body read one byte past the limit
        raise RequestEntityTooLarge()
    too_deep = Problem(400, "malformed-json", "Malformed JSON", "The request body is nested too deeply.")
    if _nested_deeper_than(raw, MAX_JSON_DEPTH):
        raise too_deep
    try:
        data: JsonValue = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON.") from error
    except RecursionError as error:  # the parser nests one call per level: thousands of `[` exhaust it
        raise too_deep from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_problem(error, more=more_problems(data) if more_problems else ()) from error


def json_response(
    payload: BaseModel | Mapping[str, object] | Sequence[object],  # a model, or anything json.dumps takes
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    body = payload.model_dump_json(by_alias=True) if isinstance(payload, BaseModel) else json.dumps(payload)
    response = Response(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def redirect_to(location: str) -> Response:
    return Response(status=302, headers={"Location": location})


def _trace(request: Request) -> str | None:
    header = request.headers.get("X-Cloud-Trace-Context", "")
    trace_id = header.split("/", 1)[0]
    if not trace_id:
        return None
    return f"projects/{get_settings().project}/traces/{trace_id}"
