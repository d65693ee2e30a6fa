"""Short-lived records past their `expires_at`: what the retention purge deletes (and Firestore TTL
policies in production, see infra/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.firestore.bookings import CLAIMS, IDEMPOTENCY
from shared.adapters.firestore.sign_in import OAUTH_STATES, SESSIONS

EXPIRING = (OAUTH_STATES, SESSIONS, IDEMPOTENCY, CLAIMS)  # every collection with an `expires_at` TTL field
_PAGE = 400


def purge_expired(db: Any, collection: str, now: datetime) -> int:
    """A batch at a time, each committed on its own: a purge cut short has still deleted something."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = db.collection(collection).where(filter=FieldFilter("expires_at", "<", now)).limit(_PAGE)
    deleted = 0
    while refs := [doc.reference for doc in query.stream()]:
        batch = db.batch()
        for ref in refs:
            batch.delete(ref)
        batch.commit()
        deleted += len(refs)
    return deleted
