"""Every id Kaleno mints and the pattern it has, in one place: the generators, the routes (path parameters,
task payloads), the field messages and the OpenAPI document all check against these. An id that does not
match never reaches Firestore (where `__name__`-like ids are reserved)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from shared.domain.event_type import SCHEDULE_ID_PATTERN, SLUG_PATTERN
from shared.domain.links import LINK_ID_PATTERN
from shared.domain.team import INVITE_TOKEN_PATTERN
from shared.domain.webhooks import DELIVERY_ID_PATTERN, ENDPOINT_ID_PATTERN

HOST_ID_PATTERN = "^h[0-9a-f]{24}$"
BOOKING_ID_PATTERN = "^[0-9a-f]{32}$"
ERASURE_ID_PATTERN = "^er[0-9a-f]{32}$"
EVENT_TYPE_ID_PATTERN = "^et[0-9a-f]{10}$"
WEBHOOK_ID_PATTERN = ENDPOINT_ID_PATTERN  # a webhook endpoint's id
TEAM_ID_PATTERN = "^tm[0-9a-f]{20}$"
INVITATION_ID_PATTERN = "^iv[0-9a-f]{20}$"
AVATAR_ID_PATTERN = "^av[0-9a-f]{20}$"  # a host's picture: a new id with every upload (shared/domain/avatar.py)

# Every pattern an id in a request is checked against (slugs name pages, so they count as ids here).
ID_PATTERNS: tuple[str, ...] = (
    SLUG_PATTERN,
    HOST_ID_PATTERN,
    BOOKING_ID_PATTERN,
    ERASURE_ID_PATTERN,
    EVENT_TYPE_ID_PATTERN,
    WEBHOOK_ID_PATTERN,
    LINK_ID_PATTERN,
    SCHEDULE_ID_PATTERN,
    DELIVERY_ID_PATTERN,
    TEAM_ID_PATTERN,
    INVITATION_ID_PATTERN,
    AVATAR_ID_PATTERN,
    INVITE_TOKEN_PATTERN,  # an invitation's token names it in the accept path
)


def host_id(google_sub: str) -> str:
    """The host's id: derived from their Google subject, so a second sign-in finds the same host."""
    return "h" + hashlib.sha256(f"google-sub:{google_sub}".encode()).hexdigest()[:24]


def avatar_id() -> str:
    return f"av{secrets.token_hex(10)}"


def booking_id() -> str:
    return uuid.uuid4().hex


def erasure_id() -> str:
    return f"er{secrets.token_hex(16)}"


def event_type_id() -> str:
    return f"et{secrets.token_hex(5)}"


def webhook_id() -> str:
    return f"wh{secrets.token_hex(10)}"


def team_id() -> str:
    return f"tm{secrets.token_hex(10)}"


def invitation_id() -> str:
    return f"iv{secrets.token_hex(10)}"
