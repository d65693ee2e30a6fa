"""Verify the OIDC identity tokens Cloud Tasks and Cloud Scheduler attach to their calls.

Google's signing certificates are fetched once and cached in memory (re-fetched when a token names an
unknown key), so a task call costs no extra round trip. Verification itself is google-auth's.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping

from flask import Request

from shared.config import get_settings
from shared.deadlines import bounded, holding
from shared.web.principals import TaskCaller
from shared.web.problems import Problem

_CERTS_TTL_SECONDS = 3600
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_ISSUERS = ("accounts.google.com", "https://accounts.google.com")


class _CertCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._certs: dict[str, str] = {}
        self._url = ""
        self._fetched_at = 0.0

    def get(self, url: str, *, force: bool = False) -> dict[str, str]:
        with holding(self._lock):
            stale = time.monotonic() - self._fetched_at > _CERTS_TTL_SECONDS
            if force or stale or url != self._url or not self._certs:
                import requests  # lazy: keeps cold start small

                # bounded(): a finite timeout, never past the request's deadline
                response = requests.get(url, timeout=bounded(5.0))  # nosec B113
                response.raise_for_status()
                self._certs, self._url, self._fetched_at = response.json(), url, time.monotonic()
            return self._certs


_cache = _CertCache()


def bearer_token(request: Request, title: str, detail: str) -> str:
    """The `Authorization: Bearer` token, or a 401 that says which token is expected."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", title, detail, headers={"WWW-Authenticate": "Bearer"})
    if not _BEARER_TOKEN.fullmatch(token):  # RFC 6750 b64token: no token we issue or accept looks otherwise
        raise Problem(401, "invalid-token", "Invalid token", "The bearer token is malformed.")
    return token


def verify_oidc(request: Request, *, audience: str, allowed_emails: Iterable[str]) -> TaskCaller:
    """The service account the token was issued to, or 401 (no/invalid token) / 403 (valid token, wrong caller)."""
    token = bearer_token(request, "Authentication required", "A Google OIDC token is required.")
    claims = _decode(token, audience)
    if claims.get("iss") not in _ISSUERS:
        raise Problem(401, "invalid-token", "Invalid token", "The token was not issued by Google.")
    email = claims.get("email")
    if not claims.get("email_verified") or not isinstance(email, str) or email not in set(allowed_emails):
        raise Problem(403, "forbidden-caller", "Caller not allowed", "This caller may not invoke this function.")
    return TaskCaller(service_account=email)


def _decode(token: str, audience: str) -> Mapping[str, object]:
    from google.auth import exceptions, jwt  # lazy: keeps cold start small

    url = get_settings().oidc_certs_url
    for force in (False, True):
        try:
            claims: Mapping[str, object] = jwt.decode(
                token, certs=_cache.get(url, force=force), audience=audience, clock_skew_in_seconds=10
            )
            return claims
        except (ValueError, exceptions.GoogleAuthError) as error:
            # An unknown key id may mean Google rotated its keys: refetch once, then give up.
            if force or "Certificate for key id" not in str(error):
                raise Problem(
                    401, "invalid-token", "Invalid token", "The identity token could not be verified."
                ) from error
    raise AssertionError("unreachable")
