"""One deadline per request (shared/deadlines.py): every dependency call gets at most what is left, retry
loops stop when it is spent, and the web layer answers 503 with Retry-After within the bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import google.api_core.exceptions  # imported here: a first import inside a deadline would spend it
import google.api_core.retry  # noqa: F401
import pytest
from flask import Flask, Response
from flask import request as current_request
from werkzeug.exceptions import ServiceUnavailable

from shared import deadlines
from shared.adapters.firestore.deadlines import reads, writes
from shared.adapters.secrets import deadline as secret_call_deadline
from shared.config import get_settings
from shared.deadlines import ARRIVED_AT, bounded, carried, check, holding, leaving, remaining, within
from shared.services.contention import retried
from shared.services.errors import Contention, DeadlineSpent
from shared.web.endpoints import GUARDS, Endpoints, deadline_seconds
from shared.web.principals import BOTH, SCHEDULER, TASKS
from shared.web.problems import PROBLEM_JSON

APP = Flask(__name__)


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KALENO_REQUEST_DEADLINE_SECONDS", "0.3")
    monkeypatch.setenv("KALENO_TASK_DEADLINE_SECONDS", "0.6")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def call(table: Endpoints, path: str, method: str = "GET") -> tuple[Response, float]:
    with APP.test_request_context(path, method=method):
        started = time.monotonic()
        response = table(current_request)
        return response, time.monotonic() - started


def test_outside_a_request_each_call_keeps_its_own_bound() -> None:
    assert remaining() is None
    assert bounded(5.0) == 5.0
    assert writes()["timeout"] == get_settings().store_timeout_seconds


def test_inside_a_request_a_call_gets_only_what_is_left() -> None:
    with within(1.0):
        time.sleep(0.2)

        firestore_timeout = reads()["timeout"]
        secret_timeout = secret_call_deadline(10.0)["timeout"]

    assert 0.7 < firestore_timeout <= 0.8
    assert 0.7 < secret_timeout <= 0.8


def test_a_spent_deadline_starts_no_further_call() -> None:
    with within(0.05):
        time.sleep(0.06)

        with pytest.raises(DeadlineSpent, match="spent"):
            bounded(5.0)
        with pytest.raises(DeadlineSpent):
            reads()


def test_an_inner_deadline_never_extends_the_request_one() -> None:
    with within(0.5), within(10.0):
        left = remaining()

    assert left is not None
    assert left <= 0.5


def test_best_effort_work_leaves_time_for_what_follows() -> None:
    with within(2.0):
        with leaving(1.5):
            inner = remaining()
        outer = remaining()

    assert inner is not None
    assert inner <= 0.5
    assert outer is not None
    assert outer > 1.9


def test_work_handed_to_a_thread_pool_carries_the_deadline_and_a_bare_one_does_not() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool, within(1.0):
        carried_left = pool.submit(carried(remaining)).result()
        bare_left = pool.submit(remaining).result()

    assert carried_left is not None
    assert carried_left <= 1.0
    assert bare_left is None


def test_waiting_for_a_lock_another_request_holds_ends_with_the_deadline() -> None:
    lock = threading.Lock()
    lock.acquire()
    started = time.monotonic()
    try:
        with within(0.2), pytest.raises(DeadlineSpent, match="waiting"), holding(lock):
            pass
    finally:
        lock.release()

    assert time.monotonic() - started < 0.4


def test_a_contended_retry_loop_stops_when_the_deadline_is_spent() -> None:
    rounds = 0

    def always_contended() -> None:
        nonlocal rounds
        rounds += 1
        time.sleep(0.1)
        raise Contention("someone else changed it")

    started = time.monotonic()
    with within(0.25), pytest.raises(DeadlineSpent):
        retried(always_contended, attempts=10)

    assert 1 <= rounds <= 3
    assert time.monotonic() - started < 0.4


def test_task_and_scheduler_targets_have_the_longer_bound_and_everything_else_the_interactive_one() -> None:
    table = Endpoints("kinds")
    table.public("/public")(lambda request: Response())
    table.host("/host")(lambda request, principal: Response())
    table.invitee("/invitee")(lambda request, principal: Response())
    table.rights_holder("/rights")(lambda request, principal: Response())
    for callers in (TASKS, SCHEDULER, BOTH):
        table.queue(f"/{callers.name}", callers=callers)(lambda request, principal: Response())
    bounds = {route.guard.name if route.guard else None: deadline_seconds(route) for route in table.routes}

    assert {route.guard for route in table.routes} == {None, *GUARDS}  # every kind of caller, once
    assert {kind for kind, bound in bounds.items() if bound == 0.6} == {"tasks", "scheduler", "scheduler-or-tasks"}
    interactive = {None, "session", "manage-token", "host-or-invitee"}
    assert {kind for kind, bound in bounds.items() if bound == 0.3} == interactive


def test_a_request_that_runs_out_of_time_answers_503_with_retry_after_within_the_bound() -> None:
    table = Endpoints("slow")
    calls_started = 0

    @table.public("/")
    def slow(request: Any) -> Response:
        nonlocal calls_started
        while True:  # one "dependency call" after another, each as long as it is allowed
            time.sleep(min(0.1, bounded(5.0)))
            calls_started += 1

    response, seconds = call(table, "/")

    assert response.status_code == 503
    assert response.mimetype == PROBLEM_JSON
    assert response.get_json()["type"].endswith("/temporarily-unavailable")
    assert response.headers["Retry-After"] == "2"
    assert 0.25 < seconds < 0.4
    assert calls_started <= 3


def test_every_503_the_web_layer_answers_carries_retry_after() -> None:
    from google.api_core import exceptions as google

    from shared.services.errors import GoogleUnavailable

    raised: list[Exception] = [
        ServiceUnavailable(),  # werkzeug's own, raised by anything below a view
        DeadlineSpent("spent"),
        Contention("contended"),
        GoogleUnavailable(503, None),
        google.DeadlineExceeded("slow"),
        google.ServiceUnavailable("down"),
        google.InternalServerError("broken"),
        google.TooManyRequests("busy"),
        google.RetryError("gave up", cause=None),
    ]
    table = Endpoints("failing")
    for number, error in enumerate(raised):

        def fail(request: Any, error: Exception = error) -> Response:
            raise error

        table.public(f"/{number}", summary=type(error).__name__)(fail)

    answers = {type(error).__name__: call(table, f"/{number}")[0] for number, error in enumerate(raised)}

    assert {name: answer.status_code for name, answer in answers.items()} == {name: 503 for name in answers}
    assert all(answer.headers.get("Retry-After") == "2" for answer in answers.values())


def test_module_state_is_per_request() -> None:
    seen: list[float | None] = []

    def in_another_request() -> None:
        seen.append(deadlines.remaining())

    with within(1.0):
        thread = threading.Thread(target=in_another_request)
        thread.start()
        thread.join()

    assert seen == [None]
    check()  # nothing left over here either


def test_time_a_request_spent_queued_in_its_server_counts_against_its_deadline() -> None:
    table = Endpoints("queued")
    left: list[float | None] = []

    @table.public("/")
    def view(request: Any) -> Response:
        left.append(remaining())
        return Response()

    with APP.test_request_context("/", environ_base={ARRIVED_AT: time.monotonic() - 0.2}):
        table(current_request)

    assert left[0] is not None
    assert left[0] <= 0.1


def test_every_route_naming_its_own_deadline_names_a_setting_and_the_sign_in_callback_has_the_longer_one() -> None:
    from functions.main import ROUTE_TABLES

    named = {
        (table.name, route.rule): route.deadline
        for table in ROUTE_TABLES.values()
        for route in table.routes
        if route.deadline is not None
    }

    assert named == {("oauth", "/callback"): "sign_in_deadline_seconds"}
    assert all(deadline in type(get_settings()).model_fields for deadline in named.values())
    callback = next(route for route in ROUTE_TABLES["oauth"].routes if route.rule == "/callback")
    assert deadline_seconds(callback) == get_settings().sign_in_deadline_seconds == 10.0
