"""The ledger: audit/{auto id} (a PII-free entry per use of Google data and per rights request),
erasures/{random id} (erasure receipts), consents/{hash of the visitor's consent id} and
closed_bookings/{booking id} (a booking whose host closed their account: when, and until when it is said).

Subjects are stored as an HMAC with an app secret: a reader of the database cannot tell whose entry it
is, not even by hashing a guessed id.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import digest, plain_id
from shared.adapters.firestore.collections import AUDIT, CLOSED_BOOKINGS, CONSENTS, ERASURES
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import delete_matching, purge_expired
from shared.adapters.firestore.unit import Unit
from shared.services.ports import Exported
from shared.services.records import ClosedBooking, ConsentRecord, Erasure

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


_PAGE = 400


class FirestoreAuditLog:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _subject(self, subject_id: str) -> str:
        key = self._unit.subject_key().encode()
        return hmac.new(key, f"subject:{subject_id}".encode(), hashlib.sha256).hexdigest()

    def record(self, action: str, subject_id: str, outcome: str, at: datetime) -> None:
        entry = {"action": action, "subject": self._subject(subject_id), "outcome": outcome, "at": at}
        self._unit.create(self._unit.db.collection(AUDIT).document(), entry)

    def receipt(self, erasure_id: str) -> Erasure | None:
        if not plain_id(erasure_id):
            return None
        snapshot = self._unit.read(self._unit.db.collection(ERASURES).document(erasure_id))
        return Erasure.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def save_receipt(self, erasure: Erasure) -> None:
        self._unit.put(self._unit.db.collection(ERASURES).document(erasure.id), erasure.model_dump())

    def consent(self, consent_id: str) -> ConsentRecord | None:
        found = self._unit.read(self._consent(consent_id)).to_dict()  # none: no such document
        return ConsentRecord.model_validate({**found, "id": consent_id}) if found is not None else None

    def save_consent(self, consent: ConsentRecord) -> None:
        self._unit.put(self._consent(consent.id), consent.model_dump(exclude={"id"}))

    def closed_booking(self, booking_id: str) -> ClosedBooking | None:
        if not plain_id(booking_id):
            return None
        found = self._unit.read(self._unit.db.collection(CLOSED_BOOKINGS).document(booking_id)).to_dict()
        return ClosedBooking.model_validate({**found, "booking_id": booking_id}) if found is not None else None

    def save_closed_booking(self, closed: ClosedBooking) -> None:
        document = self._unit.db.collection(CLOSED_BOOKINGS).document(closed.booking_id)
        self._unit.put(document, closed.model_dump(exclude={"booking_id"}))

    def _consent(self, consent_id: str) -> DocumentReference:
        return self._unit.db.collection(CONSENTS).document(digest(consent_id))

    def purge(self, now: datetime, entries_before: datetime, receipts_before: datetime) -> dict[str, int]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        db = self._unit.db
        return {
            "audit_deleted": delete_matching(
                db, db.collection(AUDIT).where(filter=FieldFilter("at", "<", entries_before))
            ),
            "erasures_deleted": delete_matching(
                db, db.collection(ERASURES).where(filter=FieldFilter("requested_at", "<", receipts_before))
            ),
            "consents_deleted": purge_expired(db, CONSENTS, now),
            "closed_bookings_deleted": purge_expired(db, CLOSED_BOOKINGS, now),
        }

    def _of(self, subject_id: str, limit: int | None = None) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(AUDIT).where(filter=FieldFilter("subject", "==", self._subject(subject_id)))
        return list((query.limit(limit) if limit else query).stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [
            {"action": doc.get("action"), "outcome": doc.get("outcome"), "at": doc.get("at").isoformat()}
            for doc in self._of(host_id)
        ]

    def erase_subject(self, host_id: str) -> int:
        found = self._of(host_id, limit=_PAGE)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)
