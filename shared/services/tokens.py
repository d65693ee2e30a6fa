"""Manage tokens and links, and comparing secrets in constant time, whatever characters the caller sent."""

from __future__ import annotations

import base64
import hashlib
import hmac


def same_secret(expected: str, given: str) -> bool:
    """Constant-time equality of two secrets, compared as UTF-8 bytes.

    `hmac.compare_digest` refuses `str` arguments holding non-ASCII characters (TypeError), and what is
    compared here comes from outside: a header, a query parameter, a cookie.
    """
    return hmac.compare_digest(expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))


def manage_token(key: str, booking_id: str) -> str:
    """`<booking id>.<MAC>`: derived from the booking id with an app secret, so the same answer can be
    replayed and only its hash is stored; it names its booking, so it alone opens the invitee's rights."""
    digest = hmac.new(key.encode(), f"manage:{booking_id}".encode(), hashlib.sha256).digest()
    return f"{booking_id}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def genuine_manage_token(key: str, token: str) -> bool:
    """Whether `token` is a manage token we issued (for whichever booking it names), checked without a read."""
    return same_secret(manage_token(key, token.partition(".")[0]), token)


def manage_url(base_url: str, token: str) -> str:
    """The invitee's manage page. The token rides in the fragment, which browsers never send to a server,
    so it stays out of every access log."""
    booking_id = token.partition(".")[0]
    return f"{base_url.rstrip('/')}/manage?booking={booking_id}#token={token}"
