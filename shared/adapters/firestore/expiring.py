"""Deleting what is past its time, a bounded page at a time: what the retention purge calls (and, for
`expires_at`, what Firestore TTL policies do in production, see infra/)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.collections import (
    ADDRESS_GRANTS,
    ADDRESS_PROOFS,
    CLAIMS,
    CLOSED_BOOKINGS,
    CONSENTS,
    HOST_VELOCITY,
    IDEMPOTENCY,
    OAUTH_STATES,
    SESSIONS,
    SPENT_PROOFS,
    TEAM_INVITATIONS,
    WEBHOOK_DELIVERIES,
    WRITE_PLACES,
)
from shared.adapters.firestore.deadlines import reads, writes

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client
    from google.cloud.firestore_v1.query import Query


# every collection with an `expires_at` TTL
EXPIRING = (
    OAUTH_STATES,
    SESSIONS,
    IDEMPOTENCY,
    CLAIMS,
    CONSENTS,
    WEBHOOK_DELIVERIES,
    CLOSED_BOOKINGS,
    ADDRESS_PROOFS,
    ADDRESS_GRANTS,
    WRITE_PLACES,
    SPENT_PROOFS,
    HOST_VELOCITY,
    TEAM_INVITATIONS,
)
PAGE = 400
MAX_PAGES = 25  # per collection and run: a long backlog is finished by the next runs


def purge_expired(db: Client, collection: str, now: datetime) -> int:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return delete_matching(db, db.collection(collection).where(filter=FieldFilter("expires_at", "<", now)))


def delete_matching(db: Client, query: Query) -> int:
    """Delete what `query` finds, a page per batch, each committed on its own (a run cut short has still
    deleted something, and the next run goes on)."""
    deleted = 0
    for _ in range(MAX_PAGES):
        found = list(query.limit(PAGE).stream(**reads()))
        if not found:
            break
        batch = db.batch()
        for snapshot in found:
            batch.delete(snapshot.reference)
        batch.commit(**writes())
        deleted += len(found)
    return deleted
