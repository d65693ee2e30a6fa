"""Google sign-in and calendar connection: start, callback, logout."""

from __future__ import annotations

from typing import Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, Field

from shared.bootstrap import adapters
from shared.domain.host import Host
from shared.services import onboarding
from shared.web.auth import (
    OAUTH_STATE_COOKIE,
    OAUTH_STATE_PATH,
    SESSION_COOKIE,
    clear_cookie,
    set_oauth_state_cookie,
    set_session_cookie,
)
from shared.web.endpoints import Endpoints, redirect_to
from shared.web.languages import page_language

api = Endpoints("oauth")


class StartQuery(BaseModel):
    return_to: str | None = Field(
        None,
        max_length=512,
        description="A path on this site to return to (anything else is refused: sign-in-unsafe-return-to).",
        json_schema_extra={"pattern": r"^(/([^/\\\x00-\x1f][^\\\x00-\x1f]*)?)?$"},  # empty: "/"
    )
    login_hint: str | None = Field(None, max_length=320, description="Passed to Google to preselect an account.")
    purpose: Literal["sign_in", "calendars"] = Field(
        "sign_in",
        description="calendars: also ask for the permission to list the host's calendars (asked only when the "
        "host opens the calendars setting; a refusal keeps the primary calendar and the host signed in).",
    )


class CallbackQuery(BaseModel):
    code: str | None = Field(None, max_length=2048)
    state: str | None = Field(None, max_length=512)
    error: str | None = Field(None, max_length=200)


@api.public("/start", query=StartQuery, status=302, personal=True)  # sets the sign-in state cookie
def start(request: Request, query: StartQuery) -> Response:
    """Redirect to Google's consent screen (PKCE, single-use state and nonce bound to this browser)."""
    command = onboarding.StartSignIn(query.return_to, query.login_hint, query.purpose)
    url, state = onboarding.start_sign_in(command, adapters())
    response = redirect_to(url)
    set_oauth_state_cookie(response, state)
    return response


@api.public(  # sets the session cookie
    "/callback", query=CallbackQuery, status=302, personal=True, deadline="sign_in_deadline_seconds"
)
def callback(request: Request, query: CallbackQuery) -> Response:
    """Google returns here: verify, connect the calendar, start a session."""
    callback = onboarding.Callback(
        query.code,
        query.state,
        query.error,
        request.cookies.get(OAUTH_STATE_COOKIE),
        request.cookies.get(SESSION_COOKIE),
        page_language(request),
    )
    signed_in = onboarding.complete_sign_in(callback, adapters())
    response = redirect_to(signed_in.return_to)
    if signed_in.session_token is not None:
        set_session_cookie(response, signed_in.session_token)
    clear_cookie(response, OAUTH_STATE_COOKIE, path=OAUTH_STATE_PATH)
    return response


@api.host("/logout", methods=("POST",), status=204)
def logout(request: Request, principal: Host) -> Response:
    """End the session."""
    onboarding.sign_out(request.cookies.get(SESSION_COOKIE, ""), adapters())
    response = Response(status=204)
    clear_cookie(response, SESSION_COOKIE)
    return response


@functions_framework.http
def oauth(request: Request) -> Response:
    return api(request)
