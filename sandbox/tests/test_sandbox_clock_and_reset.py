"""The sandbox clock, signed-token times and reset."""

from __future__ import annotations

import google.auth.transport.requests
import pytest
import requests
from google.oauth2 import id_token

from helpers import CLIENT_ID, CLIENT_SECRET, EVENTS_OWNED, sign_in
from sandbox.client import SandboxClient
from sandbox.server import start_sandbox

AUDIENCE = "http://127.0.0.1:8080/channel_renewal"
SCHEDULER = "scheduler@kaleno-local.iam.gserviceaccount.com"


def verify(url: str, token: str) -> dict[str, object]:
    claims = id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience=AUDIENCE, certs_url=f"{url}/oauth2/v1/certs"
    )
    return dict(claims)


def test_scheduler_tokens_verify_and_by_default_follow_the_sandbox_clock(url: str, control: SandboxClient) -> None:
    claims = verify(url, control.oidc_token(AUDIENCE, SCHEDULER))

    reading = control.advance_clock(3600)
    ahead = control.oidc_token(AUDIENCE, SCHEDULER)

    assert claims["email"] == SCHEDULER
    assert claims["email_verified"] is True
    assert reading["offset_seconds"] == 3600
    with pytest.raises(ValueError, match="too early"):  # a wall-clock verifier sees iat an hour ahead
        verify(url, ahead)


def test_real_jwt_clock_keeps_tokens_verifiable_after_an_advance() -> None:
    other = start_sandbox(jwt_clock="real")
    try:
        control = SandboxClient(other.http_url)
        control.advance_clock(3600)

        claims = verify(other.http_url, control.oidc_token(AUDIENCE, SCHEDULER))
    finally:
        other.stop()

    assert claims["email"] == SCHEDULER


def test_moving_the_clock_back_mints_tokens_that_are_already_expired(url: str, control: SandboxClient) -> None:
    reading = control.advance_clock(-7200)

    token = control.oidc_token(AUDIENCE, SCHEDULER)

    assert reading["offset_seconds"] == -7200
    with pytest.raises(ValueError, match="expired"):
        verify(url, token)


def test_reset_forgets_everything_but_clients_and_keys(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    tokens = sign_in(url, [EVENTS_OWNED])
    signed_before = control.oidc_token(AUDIENCE, SCHEDULER)
    control.advance_clock(60)
    accounts_before = control.accounts()

    control.reset()

    after = control.state()
    assert [a["email"] for a in accounts_before] == ["ada@example.com"]
    assert after["calls"] == {}
    assert after["tokens"] == {"access_issued": 0, "refresh_issued": 0, "revoked": 0}
    assert after["clock_offset_seconds"] == 0
    assert control.accounts() == []
    grant = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    refresh = requests.post(
        f"{url}/token", data={**grant, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, timeout=5
    )
    assert refresh.json()["error"] == "invalid_grant"  # the client still authenticates; the token is gone
    assert verify(url, signed_before)["email"] == SCHEDULER  # same signing key
