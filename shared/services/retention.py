"""Retention: short-lived records are deleted once past their `expires_at`.

Firestore TTL policies on `expires_at` do this in production too (infra/); this purge is the
deterministic backstop (TTL deletion can lag by a day) and the only purge the emulator gets.
"""

from __future__ import annotations

from datetime import datetime

from shared.services.ports import Store

EXPIRING = ("oauth_states", "sessions", "idempotency", "slot_claims")


def purge_expired(now: datetime, store: Store) -> dict[str, int]:
    return {f"{collection}_deleted": store.delete_expired(collection, now) for collection in EXPIRING}
