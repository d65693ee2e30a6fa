"""Google's OAuth 2.0 authorization server and OIDC provider, with auto-consent.

Endpoints mirror accounts.google.com / oauth2.googleapis.com: discovery, authorize (PKCE S256 is
required here, stricter than Google), token (authorization_code and refresh_token grants), revoke and
userinfo. Access and refresh tokens are opaque random strings; the store remembers which account,
client and scopes each carries.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.keys import GOOGLE_ISSUER, ID_TOKEN_LIFETIME, SigningKey, at_hash
from sandbox.state import Account, Fault, SandboxState
from sandbox.web import Route, json_response

API_METHODS = ("oauth.authorize", "oauth.token", "oauth.revoke", "oauth.userinfo")  # fault/count names
CODE_LIFETIME = 600  # seconds of sandbox clock; Google's codes are similarly short-lived
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


def pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


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


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}")

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return json_response(
            {"error": self.error, "error_description": self.description}, self.status, headers
        )


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    email: str
    scopes: frozenset[str]
    nonce: str | None
    code_challenge: str
    issue_refresh: bool
    expires_at: float
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    email: str
    scopes: frozenset[str]
    issued_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    email: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float
    refresh_token: str | None
    revoked: bool = False

    def live(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


class TokenStore:
    """Codes, tokens and grants. A grant is what one account consented to for one client."""

    def __init__(self, state: SandboxState, clients: dict[str, str], access_token_ttl: int) -> None:
        self.state = state
        self.clients = dict(clients)
        self.access_token_ttl = access_token_ttl
        self.grants: dict[tuple[str, str], set[str]] = {}
        self.codes: dict[str, AuthCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    def reset(self) -> None:
        with self.state.lock:
            self.grants.clear()
            self.codes.clear()
            self.access.clear()
            self.refresh.clear()

    # -- grants and codes ---------------------------------------------------------------------

    def granted_scopes(self, email: str, client_id: str) -> frozenset[str]:
        with self.state.lock:
            return frozenset(self.grants.get((email.lower(), client_id), set()))

    def has_live_refresh(self, email: str, client_id: str) -> bool:
        with self.state.lock:
            return any(
                not t.revoked and t.email == email.lower() and t.client_id == client_id
                for t in self.refresh.values()
            )

    def issue_code(
        self,
        *,
        account: Account,
        client_id: str,
        redirect_uri: str,
        scopes: frozenset[str],
        nonce: str | None,
        code_challenge: str,
        issue_refresh: bool,
    ) -> AuthCode:
        with self.state.lock:
            key = (account.email.lower(), client_id)
            self.grants.setdefault(key, set()).update(scopes)
            code = AuthCode(
                code="4/0" + secrets.token_urlsafe(48),
                client_id=client_id,
                redirect_uri=redirect_uri,
                email=account.email.lower(),
                scopes=scopes,
                nonce=nonce,
                code_challenge=code_challenge,
                issue_refresh=issue_refresh,
                expires_at=self.state.clock.time() + CODE_LIFETIME,
            )
            self.codes[code.code] = code
            return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str, verifier: str | None) -> AuthCode:
        with self.state.lock:
            record = self.codes.get(code)
            if record is None or record.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "Malformed auth code.")
            if record.used or self.state.clock.time() >= record.expires_at:
                raise OAuthError(400, "invalid_grant", "Bad Request")
            # Single use: the first presentation consumes the code, whatever the outcome.
            record.used = True
            if redirect_uri != record.redirect_uri:
                raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
            if not verifier:
                raise OAuthError(400, "invalid_grant", "Missing code verifier.")
            if pkce_s256(verifier) != record.code_challenge:
                raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
            return record

    # -- tokens -------------------------------------------------------------------------------

    def issue_access(
        self, email: str, client_id: str, scopes: frozenset[str], refresh_token: str | None
    ) -> AccessToken:
        with self.state.lock:
            now = self.state.clock.time()
            token = AccessToken(
                token="ya29.sandbox-" + secrets.token_urlsafe(40),
                client_id=client_id,
                email=email.lower(),
                scopes=scopes,
                issued_at=now,
                expires_at=now + self.access_token_ttl,
                refresh_token=refresh_token,
            )
            self.access[token.token] = token
            self.state.counters.access_issued += 1
            return token

    def issue_refresh(self, email: str, client_id: str, scopes: frozenset[str]) -> RefreshToken:
        with self.state.lock:
            token = RefreshToken(
                token="1//sandbox-" + secrets.token_urlsafe(48),
                client_id=client_id,
                email=email.lower(),
                scopes=scopes,
                issued_at=self.state.clock.time(),
            )
            self.refresh[token.token] = token
            self.state.counters.refresh_issued += 1
            return token

    def authenticate(self, token: str) -> AccessToken | None:
        with self.state.lock:
            record = self.access.get(token)
            if record is None or not record.live(self.state.clock.time()):
                return None
            return record

    def usable_refresh(self, token: str, client_id: str) -> RefreshToken:
        with self.state.lock:
            record = self.refresh.get(token)
            if record is None or record.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "Bad Request")
            if record.revoked:
                raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
            return record

    def revoke(self, token: str) -> bool:
        """Revoke the grant behind an access or refresh token, like Google's /revoke.

        Google revokes the refresh token behind an access token too, and removing an app's access
        invalidates every token of that grant; returns False for an unknown, expired or dead token.
        """
        with self.state.lock:
            now = self.state.clock.time()
            if token in self.refresh and not self.refresh[token].revoked:
                record: RefreshToken | AccessToken = self.refresh[token]
            elif token in self.access and self.access[token].live(now):
                record = self.access[token]
            else:
                return False
            self._revoke_grant(record.email, record.client_id)
            return True

    def revoke_account(self, email: str) -> int:
        """The user removes every app's access in their Google account; returns tokens revoked."""
        with self.state.lock:
            clients = {c for (e, c) in self.grants if e == email.lower()}
            clients |= {t.client_id for t in self.refresh.values() if t.email == email.lower()}
            clients |= {t.client_id for t in self.access.values() if t.email == email.lower()}
            return sum(self._revoke_grant(email, client) for client in clients)

    def _revoke_grant(self, email: str, client_id: str) -> int:
        email = email.lower()
        count = 0
        now = self.state.clock.time()
        for refresh in self.refresh.values():
            if refresh.email == email and refresh.client_id == client_id and not refresh.revoked:
                refresh.revoked = True
                count += 1
        for access in self.access.values():
            if access.email == email and access.client_id == client_id and access.live(now):
                access.revoked = True
                count += 1
        self.grants.pop((email, client_id), None)
        self.state.counters.revoked += count
        return count

    def tokens_of(self, email: str) -> dict[str, list[Any]]:
        """Every token issued to the account, live or not: bare strings (easy to search a database
        for) plus one detail record per token."""
        with self.state.lock:
            now = self.state.clock.time()
            refresh = [t for t in self.refresh.values() if t.email == email.lower()]
            access = [t for t in self.access.values() if t.email == email.lower()]
            details: list[dict[str, Any]] = [
                {"kind": "refresh", "token": t.token, "client_id": t.client_id, "scopes": sorted(t.scopes),
                 "live": not t.revoked}
                for t in refresh
            ] + [
                {"kind": "access", "token": t.token, "client_id": t.client_id, "scopes": sorted(t.scopes),
                 "live": t.live(now), "expires_in": max(0, round(t.expires_at - now))}
                for t in access
            ]
            return {
                "refresh_tokens": [t.token for t in refresh],
                "access_tokens": [t.token for t in access],
                "details": details,
            }


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
            ("/o/oauth2/auth", ["GET"], self.authorize),
            ("/token", ["POST"], self.token),
            ("/revoke", ["POST", "GET"], self.revoke),
            ("/v1/userinfo", ["GET", "POST"], self.userinfo),
            ("/oauth2/v3/userinfo", ["GET", "POST"], self.userinfo),
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
                    "aud", "at_hash", "azp", "email", "email_verified", "exp", "family_name",
                    "given_name", "iat", "iss", "name", "nonce", "sub",
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
            access = self.tokens.issue_access(
                code.email, client_id, code.scopes, refresh.token if refresh else None
            )
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
        token = header[7:] if header.lower().startswith("bearer ") else request.values.get("access_token", "")
        access = self.tokens.authenticate(token) if token else None
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
