"""The sandbox clock, signed-token times and reset."""

from __future__ import annotations

import google.auth.transport.requests
import pytest
import requests
from google.oauth2 import id_token

from helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    EVENTS_OWNED,
    advance_clock,
    create_account,
    sign_in,
    state,
)
from sandbox.server import start_sandbox

AUDIENCE = "http://127.0.0.1:8080/channel_renewal"
SCHEDULER = "scheduler@kaleno-local.iam.gserviceaccount.com"


def scheduler_token(url: str) -> str:
    response = requests.post(f"{url}/_sandbox/oidc_token", json={"audience": AUDIENCE, "email": SCHEDULER}, timeout=5)
    response.raise_for_status()
    return str(response.json()["token"])


def verify(url: str, token: str) -> dict[str, object]:
    claims = id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience=AUDIENCE, certs_url=f"{url}/oauth2/v1/certs"
    )
    return dict(claims)


def test_scheduler_tokens_verify_and_by_default_follow_the_sandbox_clock(url: str) -> None:
    claims = verify(url, scheduler_token(url))

    advance_clock(url, 3600)
    ahead = scheduler_token(url)

    assert claims["email"] == SCHEDULER
    assert claims["email_verified"] is True
    with pytest.raises(ValueError, match="too early"):  # a wall-clock verifier sees iat an hour ahead
        verify(url, ahead)


def test_real_jwt_clock_keeps_tokens_verifiable_after_an_advance() -> None:
    other = start_sandbox(jwt_clock="real")
    try:
        advance_clock(other.http_url, 3600)

        claims = verify(other.http_url, scheduler_token(other.http_url))
    finally:
        other.stop()

    assert claims["email"] == SCHEDULER


def test_reset_forgets_everything_but_clients_and_keys(url: str) -> None:
    create_account(url, "ada@example.com")
    tokens = sign_in(url, [EVENTS_OWNED])
    signed_before = scheduler_token(url)
    advance_clock(url, 60)

    requests.post(f"{url}/_sandbox/reset", timeout=5).raise_for_status()

    after = state(url)
    assert after["calls"] == {}
    assert after["tokens"] == {"access_issued": 0, "refresh_issued": 0, "revoked": 0}
    assert after["clock_offset_seconds"] == 0
    assert requests.get(f"{url}/_sandbox/accounts", timeout=5).json() == {"items": []}
    grant = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    refresh = requests.post(
        f"{url}/token", data={**grant, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, timeout=5
    )
    assert refresh.json()["error"] == "invalid_grant"  # the client still authenticates; the token is gone
    assert verify(url, signed_before)["email"] == SCHEDULER  # same signing key
