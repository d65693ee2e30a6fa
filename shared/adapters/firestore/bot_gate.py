"""spent_proofs/{hash of the challenge} and host_velocity/{hash of the host id}:{window}: the bot gate's records.

A spent proof is created under "must not exist" in the commit of the write it allowed, so of twenty
instances racing one proof one commit wins. A host's bookings are counted with a server-side increment in
each booking's own commit (no read, no precondition: counting never fails a booking) and read together with
the booking's page and months (shared/adapters/firestore/months.py). Both carry `expires_at` (TTL, purge).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.collections import HOST_VELOCITY, SPENT_PROOFS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.unit import Unit
from shared.domain.claims import host_velocity_id

if TYPE_CHECKING:
    from google.cloud.firestore_v1.client import Client
    from google.cloud.firestore_v1.document import DocumentReference


BOOKINGS_FIELD = "bookings"
_HASH_LENGTH = 64


def velocity_ref(db: Client, host_id: str, window: int) -> DocumentReference:
    """Named by a hash of the host id, and holding nothing else about the host: a count that lives twenty
    minutes is nobody's record (nothing to export or erase)."""
    return db.collection(HOST_VELOCITY).document(host_velocity_id(host_id, window))


class FirestoreBotGate:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def spend(self, proof_id: str, expires_at: datetime) -> None:
        self._unit.create(self._unit.db.collection(SPENT_PROOFS).document(proof_id), {"expires_at": expires_at})

    def spent(self, proof_id: str) -> bool:
        if len(proof_id) != _HASH_LENGTH:
            return False
        return bool(self._unit.db.collection(SPENT_PROOFS).document(proof_id).get(**reads()).exists)

    def count_booking(self, host_id: str, window: int, expires_at: datetime) -> None:
        from google.cloud import firestore

        counted = {BOOKINGS_FIELD: firestore.Increment(1), "expires_at": expires_at}
        self._unit.merge(velocity_ref(self._unit.db, host_id, window), counted)

    def purge(self, now: datetime) -> dict[str, int]:

        return {f"{name}_deleted": purge_expired(self._unit.db, name, now) for name in (SPENT_PROOFS, HOST_VELOCITY)}
