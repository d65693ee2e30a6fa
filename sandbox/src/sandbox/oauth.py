"""Google's OAuth 2.0 authorization server and OIDC provider, with auto-consent.

Endpoints mirror accounts.google.com / oauth2.googleapis.com: discovery, authorize (PKCE S256 is
required here, stricter than Google), token (authorization_code and refresh_token grants), revoke and
userinfo. `sandbox.tokens` keeps the codes, tokens and grants these endpoints hand out.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.keys import GOOGLE_ISSUER, ID_TOKEN_LIFETIME, SigningKey, at_hash
from sandbox.state import Account, Fault, SandboxState
from sandbox.tokens import AccessToken, OAuthError, TokenStore
from sandbox.web import Route, json_response

API_METHODS = ("oauth.authorize", "oauth.token", "oauth.revoke", "oauth.userinfo")  # fault/count names
EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile"
# Google answers with the long form of the OIDC shorthand scopes, so the sandbox does too.
SCOPE_ALIASES = {"email": EMAIL_SCOPE, "profile": PROFILE_SCOPE}
IDENTITY_SCOPES = frozenset({"openid", EMAIL_SCOPE, PROFILE_SCOPE})
_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


def normalize_scopes(scopes: str | list[str] | frozenset[str] | set[str]) -> frozenset[str]:
    items = scopes.split() if isinstance(scopes, str) else scopes
    return frozenset(SCOPE_ALIASES.get(scope, scope) for scope in items if scope)


def scope_string(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes))


def is_allowed_redirect(uri: str) -> bool:
    """Google's loopback rule (any port, any path on 127.0.0.1/localhost over http) or any https URL.

    Real Google also requires the URI to be registered for the client; the sandbox has no console.
    """
    parts = urlsplit(uri)
    if parts.fragment:
        return False
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _error_page(status: int, error: str, detail: str) -> Response:
    body = (
        "<!doctype html><title>Sign in - Google Accounts (sandbox)</title>"
        f"<h1>Access blocked: Error {status}: {html.escape(error)}</h1>"
        f"<p>{html.escape(detail)}</p><p>error={html.escape(error)}</p>"
    )
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode(params)


_OAUTH_FAULT_ERRORS = {
    400: "invalid_request",
    401: "invalid_client",
    403: "access_denied",
    429: "rate_limit_exceeded",
    500: "internal_failure",
    503: "temporarily_unavailable",
}


def fault_response(fault: Fault) -> Response:
    error = _OAUTH_FAULT_ERRORS.get(fault.status, "internal_failure" if fault.status >= 500 else "invalid_request")
    headers = {"Retry-After": str(round(fault.retry_after))} if fault.retry_after is not None else None
    return OAuthError(fault.status, error, "Injected fault").response(headers)


class OAuthApi:
    def __init__(self, state: SandboxState, tokens: TokenStore, keys: SigningKey) -> None:
        self.state = state
        self.tokens = tokens
        self.keys = keys

    def routes(self) -> list[Route]:
        return [
            ("/.well-known/openid-configuration", ["GET"], self.discovery),
            ("/oauth2/v3/certs", ["GET"], self.jwks),
            ("/oauth2/v1/certs", ["GET"], self.pem_certs),
            ("/o/oauth2/v2/auth", ["GET"], self.authorize),
            ("/token", ["POST"], self.token),
            ("/revoke", ["POST"], self.revoke),
            ("/v1/userinfo", ["GET"], self.userinfo),
        ]

    # -- discovery and keys ---------------------------------------------------------------------

    def discovery(self, request: Request) -> Response:
        base = request.host_url.rstrip("/")
        return json_response(
            {
                "issuer": GOOGLE_ISSUER,
                "authorization_endpoint": base + "/o/oauth2/v2/auth",
                "token_endpoint": base + "/token",
                "userinfo_endpoint": base + "/v1/userinfo",
                "revocation_endpoint": base + "/revoke",
                "jwks_uri": base + "/oauth2/v3/certs",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": [
                    "aud",
                    "at_hash",
                    "azp",
                    "email",
                    "email_verified",
                    "exp",
                    "family_name",
                    "given_name",
                    "iat",
                    "iss",
                    "name",
                    "nonce",
                    "sub",
                ],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            }
        )

    def jwks(self, request: Request) -> Response:
        return json_response(self.keys.jwks(), headers={"Cache-Control": "public, max-age=3600"})

    def pem_certs(self, request: Request) -> Response:
        return json_response(self.keys.pem_certs(), headers={"Cache-Control": "public, max-age=3600"})

    # -- authorize ------------------------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        args = request.args
        fault = self.state.register_call("oauth.authorize")
        client_id = args.get("client_id", "")
        if client_id not in self.tokens.clients:
            return _error_page(400, "invalid_client", "The OAuth client was not found.")
        redirect_uri = args.get("redirect_uri", "")
        if not is_allowed_redirect(redirect_uri):
            return _error_page(400, "redirect_uri_mismatch", "The redirect_uri is not allowed for this client.")

        state = args.get("state")

        def back(params: dict[str, str]) -> Response:
            if state is not None:
                params["state"] = state
            return redirect(_with_query(redirect_uri, params), 302)

        if fault is not None:
            return back({"error": "server_error" if fault.status >= 500 else "access_denied"})
        if args.get("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        requested = normalize_scopes(args.get("scope", ""))
        if not requested:
            return back({"error": "invalid_request", "error_description": "Missing required parameter: scope"})
        challenge = args.get("code_challenge", "")
        if args.get("code_challenge_method") != "S256" or not _PKCE_CHALLENGE.match(challenge):
            return back(
                {
                    "error": "invalid_request",
                    "error_description": "PKCE with code_challenge_method=S256 is required",
                }
            )
        hint = args.get("login_hint")
        account = self.state.account(hint) if hint else self.state.latest_account()
        if account is None:
            return back({"error": "access_denied"})

        previous = self.tokens.granted_scopes(account.email, client_id)
        prompt = set(args.get("prompt", "").split())
        if "none" in prompt and not requested <= previous:
            return back({"error": "consent_required"})
        granted = requested - normalize_scopes(account.deny_scopes)
        if args.get("include_granted_scopes") == "true":
            granted |= previous
        if not granted:
            return back({"error": "access_denied"})
        # Google hands out a refresh token for offline access on the first consent, and again only
        # when the app forces the consent screen.
        issue_refresh = args.get("access_type") == "offline" and (
            "consent" in prompt or not self.tokens.has_live_refresh(account.email, client_id)
        )
        code = self.tokens.issue_code(
            account=account,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=granted,
            nonce=args.get("nonce"),
            code_challenge=challenge,
            issue_refresh=issue_refresh,
        )
        return back({"code": code.code, "scope": scope_string(granted), "authuser": "0", "prompt": "consent"})

    # -- token ----------------------------------------------------------------------------------

    def _client(self, request: Request, form: dict[str, str]) -> str:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            client_id = unquote(auth.username or "")
            secret = unquote(auth.password or "")
        else:
            client_id = form.get("client_id", "")
            secret = form.get("client_secret", "")
        expected = self.tokens.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, secret):
            raise OAuthError(401, "invalid_client", "Unauthorized")
        return client_id

    def token(self, request: Request) -> Response:
        headers = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}
        fault = self.state.register_call("oauth.token")
        if fault is not None:
            return fault_response(fault)
        form: dict[str, str] = dict(request.form.items())
        if not form and request.is_json:
            form = {k: str(v) for k, v in (request.get_json(silent=True) or {}).items()}
        try:
            body = self._grant(request, form)
        except OAuthError as error:
            return error.response(headers)
        return json_response(body, 200, headers)

    def _grant(self, request: Request, form: dict[str, str]) -> dict[str, Any]:
        grant_type = form.get("grant_type", "")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        client_id = self._client(request, form)
        if grant_type == "authorization_code":
            if not form.get("code"):
                raise OAuthError(400, "invalid_request", "Missing required parameter: code")
            code = self.tokens.redeem_code(
                form["code"], client_id, form.get("redirect_uri", ""), form.get("code_verifier")
            )
            refresh = self.tokens.issue_refresh(code.email, client_id, code.scopes) if code.issue_refresh else None
            access = self.tokens.issue_access(code.email, client_id, code.scopes, refresh.token if refresh else None)
            body = self._token_body(access, code.nonce)
            if refresh is not None:
                body["refresh_token"] = refresh.token
            return body
        if not form.get("refresh_token"):
            raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token")
        stored = self.tokens.usable_refresh(form["refresh_token"], client_id)
        scopes = stored.scopes
        if form.get("scope"):
            requested = normalize_scopes(form["scope"])
            if not requested <= stored.scopes:
                raise OAuthError(400, "invalid_scope", "Bad Request")
            scopes = requested
        access = self.tokens.issue_access(stored.email, client_id, scopes, stored.token)
        return self._token_body(access, None)

    def _token_body(self, access: AccessToken, nonce: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": access.token,
            "expires_in": round(access.expires_at - access.issued_at),
            "scope": scope_string(access.scopes),
            "token_type": "Bearer",
        }
        if "openid" in access.scopes:
            body["id_token"] = self._id_token(access, nonce)
        return body

    def _id_token(self, access: AccessToken, nonce: str | None) -> str:
        account = self.state.account(access.email)
        assert account is not None  # tokens are only issued to existing accounts
        issued = int(self.state.jwt_time())
        claims: dict[str, Any] = {
            "iss": GOOGLE_ISSUER,
            "azp": access.client_id,
            "aud": access.client_id,
            "sub": account.sub,
            "at_hash": at_hash(access.token),
            "iat": issued,
            "exp": issued + ID_TOKEN_LIFETIME,
        }
        claims.update(_identity_claims(account, access.scopes))
        if nonce:
            claims["nonce"] = nonce
        return self.keys.sign(claims)

    # -- revoke and userinfo ----------------------------------------------------------------------

    def revoke(self, request: Request) -> Response:
        fault = self.state.register_call("oauth.revoke")
        if fault is not None:
            return fault_response(fault)
        token = request.values.get("token", "")
        if not token or not self.tokens.revoke(token):
            return OAuthError(400, "invalid_token", "Token expired or revoked").response()
        return json_response({})

    def userinfo(self, request: Request) -> Response:
        fault = self.state.register_call("oauth.userinfo")
        if fault is not None:
            return fault_response(fault)
        header = request.headers.get("Authorization", "")
        access = self.tokens.authenticate(header[7:].strip()) if header.lower().startswith("bearer ") else None
        challenge = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'}
        if access is None:
            return OAuthError(401, "invalid_request", "Invalid Credentials").response(challenge)
        if not access.scopes & IDENTITY_SCOPES:
            return OAuthError(401, "invalid_request", "Insufficient scope for this resource").response(challenge)
        account = self.state.account(access.email)
        assert account is not None
        return json_response({"sub": account.sub, **_identity_claims(account, access.scopes)})


def _identity_claims(account: Account, scopes: frozenset[str]) -> dict[str, Any]:
    """Email claims need the email scope, name claims the profile scope, as at Google."""
    claims: dict[str, Any] = {}
    if EMAIL_SCOPE in scopes:
        claims["email"] = account.email
        claims["email_verified"] = True
    if PROFILE_SCOPE in scopes:
        given, _, family = account.name.partition(" ")
        claims["name"] = account.name
        claims["given_name"] = given
        if family:
            claims["family_name"] = family
    return claims
