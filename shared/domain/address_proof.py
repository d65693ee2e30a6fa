"""Proof of address: rights over everything held about an email address (every booking with every host)
need proof that the caller receives mail there — a manage token proves one booking, nothing more.

A one-time link is mailed to the address; opening it (once, within `PROOF_TTL`) gives a short-lived grant
for that address. Tokens are `<kind>.<secret>`; only their keyed hash (HMAC with an app secret) is stored,
so a reader of the database can neither open a link nor use a grant.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from shared.domain.errors import AddressProofExpired, AddressProofUsed

PROOF_TTL = timedelta(minutes=30)
GRANT_TTL = timedelta(minutes=30)
PROOF_PREFIX = "ap."
GRANT_PREFIX = "ag."
# A shape, not a secret: 43 URL-safe characters are `secrets.token_urlsafe(32)`.
PROOF_TOKEN_PATTERN = r"^ap\.[A-Za-z0-9_-]{43}$"  # noqa: S105  # nosec B105
GRANT_TOKEN_PATTERN = r"^ag\.[A-Za-z0-9_-]{43}$"  # noqa: S105  # nosec B105


def keyed_hash(key: str, token: str) -> str:
    """How a proof or grant token is stored and looked up (domain-separated from the manage token's MAC)."""
    return hmac.new(key.encode(), f"address:{token}".encode(), hashlib.sha256).hexdigest()


class AddressProof(BaseModel):
    """A mailed link, stored under its token's keyed hash."""

    model_config = ConfigDict(frozen=True)

    email: str
    requested_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def redeemed(self, now: datetime) -> AddressProof:
        """Opened now: refused if it was opened before or is past its time."""
        if self.used_at is not None:
            raise AddressProofUsed("this link was already used; ask for a new one")
        if now >= self.expires_at:
            raise AddressProofExpired("this link has expired; ask for a new one")
        return self.model_copy(update={"used_at": now})


class AddressGrant(BaseModel):
    """What an opened link gives: rights over `email` until `expires_at`."""

    model_config = ConfigDict(frozen=True)

    email: str
    granted_at: datetime
    expires_at: datetime

    def valid_at(self, now: datetime) -> bool:
        return now < self.expires_at
