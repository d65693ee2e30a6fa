"""Authorization codes, access and refresh tokens, and grants (what an account consented to, per client).

Tokens are opaque random strings shaped like Google's (`ya29.…`, `1//…`); the store remembers the
account, client and scopes behind each. Everything is guarded by the sandbox's shared lock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from sandbox.state import Account, SandboxState
from sandbox.web import json_response

CODE_LIFETIME = 600  # seconds of sandbox clock; Google's codes are similarly short-lived


def pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}")

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return json_response({"error": self.error, "error_description": self.description}, self.status, headers)


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
                not t.revoked and t.email == email.lower() and t.client_id == client_id for t in self.refresh.values()
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
                {
                    "kind": "refresh",
                    "token": t.token,
                    "client_id": t.client_id,
                    "scopes": sorted(t.scopes),
                    "live": not t.revoked,
                }
                for t in refresh
            ] + [
                {
                    "kind": "access",
                    "token": t.token,
                    "client_id": t.client_id,
                    "scopes": sorted(t.scopes),
                    "live": t.live(now),
                    "expires_in": max(0, round(t.expires_at - now)),
                }
                for t in access
            ]
            return {
                "refresh_tokens": [t.token for t in refresh],
                "access_tokens": [t.token for t in access],
                "details": details,
            }
