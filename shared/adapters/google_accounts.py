"""Google Accounts adapter: the OAuth 2.0 authorization-code flow with PKCE, OpenID Connect, revocation.

The id_token is verified by google-auth (signature, issuer, audience, expiry); we add the nonce check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from shared.config import Settings
from shared.deadlines import bounded
from shared.domain.errors import SignInFailed
from shared.services.errors import GoogleUnavailable
from shared.services.records import GoogleIdentity

if TYPE_CHECKING:
    import requests
    from google.auth.transport import Response
    from google.oauth2.credentials import Credentials

SIGN_IN_SCOPES = ("openid", "email", "profile")
CALENDAR_SCOPES = (
    "https://www.googleapis.com/auth/calendar.events.owned",  # only events on calendars the host owns
    "https://www.googleapis.com/auth/calendar.freebusy",  # busy times, never event contents
)
_TIMEOUT = 10


class GoogleAccountsClient:
    def __init__(self, settings: Settings, client_secret: str) -> None:
        self._settings = settings
        self._client_secret = client_secret

    @property
    def redirect_uri(self) -> str:
        return self._settings.function_url("oauth") + "/callback"

    def authorize_url(
        self, *, state: str, nonce: str, code_challenge: str, login_hint: str | None, extra_scopes: tuple[str, ...] = ()
    ) -> str:
        params = {
            "client_id": self._settings.oauth_client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": " ".join((*SIGN_IN_SCOPES, *CALENDAR_SCOPES, *extra_scopes)),
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "access_type": "offline",
            # Incremental authorization: a later consent for one more scope (the calendar list) keeps the
            # ones granted before, and the new refresh token carries them all.
            "include_granted_scopes": "true",
            # Always ask: Google returns a refresh token only on consent, and a reconnect needs a new one.
            "prompt": "consent",
        }
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self._settings.oauth_authorize_url}?{urlencode(params)}"

    def complete_sign_in(self, *, code: str, code_verifier: str, nonce: str) -> GoogleIdentity:
        import requests

        try:
            response = self._exchange_code(code, code_verifier)
        except requests.RequestException as error:  # Google hanging or unreachable: a retry may succeed
            raise GoogleUnavailable(503, None) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise GoogleUnavailable(response.status_code, None)
        if response.status_code != 200:
            # Google's error code (e.g. invalid_grant) is safe to keep; the body is not echoed further.
            refusal = _json(response).get("error", "unknown_error")
            raise SignInFailed("code-exchange-failed", f"Google refused the sign-in code ({refusal}).")
        grant = response.json()
        claims = self._verify_id_token(grant.get("id_token", ""))
        if claims.get("nonce") != nonce:
            raise SignInFailed("nonce-mismatch", "The sign-in response does not belong to this sign-in attempt.")
        if not claims.get("email_verified", False):
            raise SignInFailed("email-unverified", "Your Google account's email address is not verified.")
        return GoogleIdentity(
            sub=str(claims["sub"]),
            email=str(claims["email"]),
            name=str(claims.get("name") or str(claims["email"]).split("@")[0]),
            granted_scopes=frozenset(str(grant.get("scope", "")).split()),
            refresh_token=grant.get("refresh_token"),
        )

    def _exchange_code(self, code: str, code_verifier: str) -> requests.Response:
        import requests

        return requests.post(  # nosec B113  # timeout=bounded(...) below: finite, within the request's deadline
            self._settings.oauth_token_url,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": self.redirect_uri,
                "client_id": self._settings.oauth_client_id,
                "client_secret": self._client_secret,
            },
            timeout=bounded(_TIMEOUT),  # never past the request's deadline
        )

    def _verify_id_token(self, token: str) -> Mapping[str, object]:
        import requests
        from google.auth import exceptions
        from google.auth.transport.requests import Request
        from google.oauth2 import id_token

        class BoundedRequest(Request):
            """Fetches the certificates within the request's deadline (the library's own default: 120 s)."""

            def __call__(self, *args: object, **kwargs: object) -> Response:
                answer: Response = super().__call__(*args, **{**kwargs, "timeout": bounded(_TIMEOUT)})  # type: ignore[no-untyped-call]
                return answer

        try:
            # verify_oauth2_token is this plus the issuer check, but cannot be pointed at other certs.
            claims: Mapping[str, object] = id_token.verify_token(
                token,
                BoundedRequest(requests.Session()),
                audience=self._settings.oauth_client_id,
                certs_url=self._settings.oidc_certs_url,
                clock_skew_in_seconds=10,
            )
        except exceptions.TransportError as error:  # Google's certificates could not be fetched now
            raise GoogleUnavailable(503, None) from error
        except (ValueError, exceptions.GoogleAuthError) as error:
            raise SignInFailed("invalid-id-token", "Google's identity token could not be verified.") from error
        if claims.get("iss") not in ("accounts.google.com", "https://accounts.google.com"):
            raise SignInFailed("invalid-id-token", "Google's identity token has the wrong issuer.")
        return claims

    def revoke(self, token: str) -> None:
        """Revoke at Google; a token Google no longer knows counts as revoked."""
        import requests

        url, timeout = self._settings.oauth_revoke_url, bounded(_TIMEOUT)  # finite, within the request's deadline
        response = requests.post(url, data={"token": token}, timeout=timeout)
        if response.status_code != 200 and _json(response).get("error") != "invalid_token":
            response.raise_for_status()

    def credentials(self, refresh_token: str) -> Credentials:
        """google-auth credentials that mint access tokens from the refresh token, in memory only."""
        from google.oauth2.credentials import Credentials

        return Credentials(
            token=None,
            refresh_token=refresh_token,
            token_uri=self._settings.oauth_token_url,
            client_id=self._settings.oauth_client_id,
            client_secret=self._client_secret,
        )


def _json(response: requests.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
