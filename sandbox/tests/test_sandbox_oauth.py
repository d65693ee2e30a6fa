"""OAuth 2.0 / OIDC through plain HTTP and google-auth, as the app's sign-in and token refresh do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import google.auth.transport.requests
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2 import id_token

from helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    EVENTS_OWNED,
    FREEBUSY,
    REDIRECT_URI,
    authorize,
    calendar_service,
    credentials,
    pkce_pair,
    sign_in,
)
from sandbox.client import SandboxClient

EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile"


class _GoogleCertsToSandbox(requests.adapters.HTTPAdapter):
    """Sends requests for https://www.googleapis.com/... to the sandbox instead.

    `verify_oauth2_token` has no certs_url parameter (it always fetches Google's v1 certs URL), so the
    test routes that one URL to the sandbox's identical endpoint; the request is still real HTTP.
    """

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(str(request.url))
        request.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)


def google_request(url: str) -> google.auth.transport.requests.Request:
    session = requests.Session()
    session.mount("https://www.googleapis.com/", _GoogleCertsToSandbox(url))
    return google.auth.transport.requests.Request(session=session)


def test_code_flow_with_pkce_yields_tokens_and_a_verifiable_id_token(url: str, control: SandboxClient) -> None:
    account = control.create_account("ada@example.com", "Ada Lovelace")

    tokens = sign_in(url, ["openid", "email", "profile", EVENTS_OWNED], nonce="n-0S6_WzA2Mj")

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"]
    assert set(tokens["scope"].split()) == {"openid", EMAIL_SCOPE, PROFILE_SCOPE, EVENTS_OWNED}
    claims = id_token.verify_oauth2_token(  # type: ignore[no-untyped-call]
        tokens["id_token"], google_request(url), audience=CLIENT_ID
    )
    assert claims["iss"] == "https://accounts.google.com"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sub"] == account["sub"]
    assert claims["sub"].isdigit()
    assert (claims["email"], claims["email_verified"], claims["name"]) == ("ada@example.com", True, "Ada Lovelace")
    assert claims["azp"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] == 3600
    for certs in ("/oauth2/v1/certs", "/oauth2/v3/certs"):  # PEM certificates and JWKS, same key
        again = id_token.verify_token(
            tokens["id_token"], google.auth.transport.requests.Request(), audience=CLIENT_ID, certs_url=url + certs
        )
        assert again["sub"] == account["sub"]


def test_discovery_document_points_at_the_sandbox(url: str) -> None:
    document = requests.get(f"{url}/.well-known/openid-configuration", timeout=5).json()

    assert document["issuer"] == "https://accounts.google.com"
    assert document["token_endpoint"] == f"{url}/token"
    assert document["authorization_endpoint"] == f"{url}/o/oauth2/v2/auth"
    assert document["jwks_uri"] == f"{url}/oauth2/v3/certs"
    assert document["revocation_endpoint"] == f"{url}/revoke"
    assert document["userinfo_endpoint"] == f"{url}/v1/userinfo"


def test_authorize_requires_s256_pkce(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    _, challenge = pkce_pair()

    missing = authorize(url, [EVENTS_OWNED])
    plain = authorize(url, [EVENTS_OWNED], code_challenge=challenge, code_challenge_method="plain")

    assert missing["error"] == plain["error"] == "invalid_request"
    assert missing["state"] == "state-123"


def test_authorize_rejects_unknown_clients_and_foreign_redirects(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    base = {"response_type": "code", "scope": EVENTS_OWNED}

    unknown = requests.get(
        f"{url}/o/oauth2/v2/auth", params={**base, "client_id": "nope", "redirect_uri": REDIRECT_URI}, timeout=5
    )
    foreign = requests.get(
        f"{url}/o/oauth2/v2/auth",
        params={**base, "client_id": CLIENT_ID, "redirect_uri": "http://evil.example/cb"},
        allow_redirects=False,
        timeout=5,
    )

    assert unknown.status_code == 400
    assert "invalid_client" in unknown.text
    assert foreign.status_code == 400
    assert "redirect_uri_mismatch" in foreign.text


def test_authorize_without_any_account_is_access_denied(url: str) -> None:
    _, challenge = pkce_pair()

    back = authorize(url, [EVENTS_OWNED], code_challenge=challenge, code_challenge_method="S256")

    assert back["error"] == "access_denied"


def test_deny_scopes_are_not_granted_until_the_person_ticks_them(url: str, control: SandboxClient) -> None:
    created = control.create_account("ada@example.com", deny_scopes=[EVENTS_OWNED])

    tokens = sign_in(url, ["openid", EVENTS_OWNED, FREEBUSY])
    updated = control.update_account("ada@example.com", deny_scopes=[], name="Ada King")
    again = sign_in(url, ["openid", EVENTS_OWNED, FREEBUSY])

    assert created["deny_scopes"] == [EVENTS_OWNED]
    assert set(tokens["scope"].split()) == {"openid", FREEBUSY}
    assert (updated["deny_scopes"], updated["name"], updated["sub"]) == ([], "Ada King", created["sub"])
    assert set(again["scope"].split()) == {"openid", EVENTS_OWNED, FREEBUSY}


def test_login_hint_picks_the_account_and_include_granted_scopes_adds_earlier_grants(
    url: str, control: SandboxClient
) -> None:
    control.create_account("ada@example.com")
    control.create_account("bob@example.com")
    sign_in(url, [FREEBUSY], login_hint="ada@example.com")
    verifier, challenge = pkce_pair()

    back = authorize(
        url,
        ["openid", "email"],
        login_hint="ada@example.com",
        include_granted_scopes="true",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    tokens = requests.post(
        f"{url}/token",
        data={
            "grant_type": "authorization_code",
            "code": back["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),  # HTTP Basic client authentication
        timeout=5,
    ).json()

    assert set(back["scope"].split()) == {"openid", EMAIL_SCOPE, FREEBUSY}
    claims = id_token.verify_token(
        tokens["id_token"],
        google.auth.transport.requests.Request(),
        audience=CLIENT_ID,
        certs_url=f"{url}/oauth2/v1/certs",
    )
    assert claims["email"] == "ada@example.com"
    assert "refresh_token" not in tokens  # online access: no refresh token


def test_token_endpoint_errors_are_shaped_like_google(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    verifier, challenge = pkce_pair()
    code = authorize(url, [EVENTS_OWNED], code_challenge=challenge, code_challenge_method="S256")["code"]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
    }

    wrong_secret = requests.post(f"{url}/token", data={**exchange, "client_secret": "wrong"}, timeout=5)
    wrong_verifier = requests.post(
        f"{url}/token", data={**exchange, "client_secret": CLIENT_SECRET, "code_verifier": "x" * 43}, timeout=5
    )
    reused = requests.post(f"{url}/token", data={**exchange, "client_secret": CLIENT_SECRET}, timeout=5)
    bad_grant = requests.post(
        f"{url}/token",
        data={"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        timeout=5,
    )

    assert (wrong_secret.status_code, wrong_secret.json()) == (
        401,
        {"error": "invalid_client", "error_description": "Unauthorized"},
    )
    assert (wrong_verifier.status_code, wrong_verifier.json()["error"]) == (400, "invalid_grant")
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant", "error_description": "Bad Request"})
    assert (bad_grant.status_code, bad_grant.json()["error"]) == (400, "unsupported_grant_type")


def test_expired_access_token_is_refreshed_by_google_auth(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    creds = credentials(url, sign_in(url, [EVENTS_OWNED]))
    calendar = calendar_service(url, creds)
    calendar.events().list(calendarId="primary").execute()
    first = creds.token

    control.advance_clock(3601)
    listing = calendar.events().list(calendarId="primary").execute()

    assert listing["kind"] == "calendar#events"
    assert creds.token != first  # the 401 made google-auth refresh, then retry
    counts = control.state()
    assert counts["tokens"]["access_issued"] == 2
    assert counts["calls"]["calendar.events.list"] == 3


def test_revoked_refresh_token_fails_with_invalid_grant(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    tokens = sign_in(url, [EVENTS_OWNED])
    revoke = requests.post(f"{url}/revoke", data={"token": tokens["refresh_token"]}, timeout=5)
    creds = credentials(url, {**tokens, "access_token": None})

    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]

    assert (revoke.status_code, revoke.json()) == (200, {})
    again = requests.post(f"{url}/revoke", data={"token": tokens["access_token"]}, timeout=5)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_token")  # died with its grant
    assert control.state()["tokens"]["revoked"] == 2


def test_user_removing_access_revokes_every_token_of_the_account(url: str, control: SandboxClient) -> None:
    control.create_account("ada@example.com")
    tokens = sign_in(url, [EVENTS_OWNED])

    revoked = control.revoke_all("ada@example.com")
    issued = control.issued_tokens("ada@example.com")

    assert revoked == 2  # the refresh token and the access token
    assert control.tokens("ada@example.com") == [tokens["refresh_token"], tokens["access_token"]]
    assert issued["refresh_tokens"] == [tokens["refresh_token"]]
    assert issued["access_tokens"] == [tokens["access_token"]]
    assert not any(detail["live"] for detail in issued["details"])
    with pytest.raises(RefreshError, match="invalid_grant"):
        credentials(url, tokens).refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]


def test_userinfo_answers_for_identity_scopes_only(url: str, control: SandboxClient) -> None:
    account = control.create_account("ada@example.com", "Ada Lovelace")
    identity = sign_in(url, ["openid", "email", "profile"])["access_token"]
    calendar_only = sign_in(url, [EVENTS_OWNED], offline=False)["access_token"]

    info = requests.get(f"{url}/v1/userinfo", headers={"Authorization": f"Bearer {identity}"}, timeout=5)
    refused = requests.get(f"{url}/v1/userinfo", headers={"Authorization": f"Bearer {calendar_only}"}, timeout=5)

    assert info.json() == {
        "sub": account["sub"],
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
    }
    assert refused.status_code == 401
