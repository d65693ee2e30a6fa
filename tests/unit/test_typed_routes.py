"""Typed routes: each decorator names who may call (public, host, invitee, rights holder, queue), mypy refuses a view
whose principal parameter cannot take what that caller proves, and the view receives it at dispatch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, Request, Response
from flask import request as current_request
from mypy import api as mypy

from shared import bootstrap
from shared.services.tokens import manage_token
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import BOTH, SCHEDULER, TASKS, InviteeGrant
from tests.unit.fakes import FakePorts

ROOT = Path(__file__).parents[2]
BOOKING_ID = "0123456789abcdef0123456789abcdef"
APP = Flask(__name__)

# Five views that fit their decorator, then three that do not: each refused one says so on its decorator's line.
VIEWS = """
from flask import Request, Response

from shared.domain.host import Host
from shared.web.endpoints import Endpoints
from shared.web.principals import TASKS, InviteeGrant, RightsHolder, TaskCaller

api = Endpoints("snippet")


@api.public("/a")
def public(request: Request) -> Response:
    raise NotImplementedError


@api.host("/b")
def host(request: Request, principal: Host) -> Response:
    raise NotImplementedError


@api.invitee("/<booking_id>")
def invitee(request: Request, principal: InviteeGrant, booking_id: str) -> Response:
    raise NotImplementedError


@api.rights_holder("/c")
def rights(request: Request, principal: RightsHolder) -> Response:
    raise NotImplementedError


@api.queue("/d", callers=TASKS)
def queue(request: Request, principal: TaskCaller) -> Response:
    raise NotImplementedError


@api.invitee("/<booking_id>/e")  # refused: a manage token is no host
def invitee_as_host(request: Request, principal: Host, booking_id: str) -> Response:
    raise NotImplementedError


@api.queue("/f", callers=TASKS)  # refused: the caller is a TaskCaller, not a str
def queue_as_text(request: Request, principal: str) -> Response:
    raise NotImplementedError


@api.rights_holder("/g")  # refused: a rights holder may be an invitee or an address, not only a host
def rights_as_host(request: Request, principal: Host) -> Response:
    raise NotImplementedError
"""


def test_mypy_refuses_a_view_whose_principal_is_not_what_its_decorator_proves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    views = tmp_path / "views.py"
    views.write_text(VIEWS)
    monkeypatch.chdir(ROOT)  # the project's config, import paths and cache

    report, errors, status = mypy.run(["--config-file", str(ROOT / "pyproject.toml"), str(views)])

    refused = {number for number, line in enumerate(VIEWS.splitlines(), 1) if "# refused" in line}
    flagged = {int(number) for number in re.findall(r"views\.py:(\d+): error: .*\[arg-type\]", report)}
    assert errors == ""
    assert status == 1
    assert len(refused) == 3
    assert flagged == refused
    assert report.count(": error:") == len(refused), report  # the five fitting views pass


@pytest.fixture
def ports() -> Iterator[FakePorts]:
    fakes = FakePorts()
    bootstrap.install(fakes)
    yield fakes
    bootstrap.reset()


def invitee_table() -> Endpoints:
    table = Endpoints("invitee")

    @table.invitee("/<booking_id>")
    def opened(request: Request, principal: InviteeGrant, booking_id: str) -> Response:
        return json_response({"token": principal.token, "named": principal.booking_id, "path": booking_id})

    return table


def call(table: Endpoints, path: str, token: str) -> Response:
    with APP.test_request_context(path, headers={"Authorization": f"Bearer {token}"}):
        return table(current_request)


def test_an_invitee_view_receives_the_manage_token_and_the_booking_it_names(ports: FakePorts) -> None:
    token = manage_token(ports.keys.manage(), BOOKING_ID)

    answer = call(invitee_table(), f"/{BOOKING_ID}", token)

    assert answer.status_code == 200
    assert answer.get_json() == {"token": token, "named": BOOKING_ID, "path": BOOKING_ID}
    assert InviteeGrant.of(token) == InviteeGrant(token=token, booking_id=BOOKING_ID)


def test_a_token_kaleno_did_not_issue_never_reaches_the_view(ports: FakePorts) -> None:
    forged = manage_token("another key", BOOKING_ID)

    answer = call(invitee_table(), f"/{BOOKING_ID}", forged)

    assert answer.status_code == 401
    assert answer.get_json()["type"].endswith("/invalid-token")


def test_each_queue_admits_the_service_accounts_of_the_callers_it_names() -> None:
    assert TASKS.service_account_settings == ("tasks_service_account",)
    assert SCHEDULER.service_account_settings == ("scheduler_service_account",)
    assert set(BOTH.service_account_settings) == {"tasks_service_account", "scheduler_service_account"}
