"""write_places/{scope}:{keyed hash}:{window}:{n}: the booking-write places of clients and invitees.

Each holds only its expiry: created under "must not exist" in a booking write's own commit (a racing write
for the same place fails its commit and looks again), gone after its window (TTL, infra/main.tf; the
retention purge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.collections import WRITE_PLACES
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.unit import Unit

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference


class FirestoreWritePlaces:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def ref(self, place: str) -> DocumentReference:
        return self._unit.db.collection(WRITE_PLACES).document(place)

    def taken(self, places: Sequence[str]) -> set[str]:
        if not places:
            return set()
        found = self._unit.read_fields([self.ref(place) for place in places], ["expires_at"])
        return {stored.id for stored in found.values() if stored.exists}

    def take(self, place: str, expires_at: datetime) -> None:
        self._unit.create(self.ref(place), {"expires_at": expires_at})

    def purge(self, now: datetime) -> dict[str, int]:

        return {f"{WRITE_PLACES}_deleted": purge_expired(self._unit.db, WRITE_PLACES, now)}
