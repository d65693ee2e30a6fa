"""Comparing secrets in constant time, whatever characters the caller sent."""

from __future__ import annotations

import hmac


def same_secret(expected: str, given: str) -> bool:
    """Constant-time equality of two secrets, compared as UTF-8 bytes.

    `hmac.compare_digest` refuses `str` arguments holding non-ASCII characters (TypeError), and what is
    compared here comes from outside: a header, a query parameter, a cookie.
    """
    return hmac.compare_digest(expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))
