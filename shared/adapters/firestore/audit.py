"""audit/{auto id}: a PII-free ledger entry per use of Google data and per rights request."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore.codec import digest, plain_id
from shared.services.ports import Exported
from shared.services.records import Erasure

if TYPE_CHECKING:
    from shared.adapters.firestore.unit_of_work import FirestoreUnitOfWork

AUDIT = "audit"
ERASURES = "erasures"
_PAGE = 400


def subject_hash(subject_id: str) -> str:
    return digest(f"subject:{subject_id}")


class FirestoreAuditLog:
    def __init__(self, unit: FirestoreUnitOfWork) -> None:
        self._unit = unit

    def record(self, action: str, subject_id: str, outcome: str, at: datetime) -> None:
        entry = {"action": action, "subject": subject_hash(subject_id), "outcome": outcome, "at": at}
        self._unit.create(self._unit.db.collection(AUDIT).document(), entry)

    def receipt(self, erasure_id: str) -> Erasure | None:
        if not plain_id(erasure_id):
            return None
        snapshot = self._unit.read(self._unit.db.collection(ERASURES).document(erasure_id))
        return Erasure.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def save_receipt(self, erasure: Erasure) -> None:
        self._unit.put(self._unit.db.collection(ERASURES).document(erasure.id), erasure.model_dump())

    def _of(self, subject_id: str, limit: int | None = None) -> list[Any]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(AUDIT).where(filter=FieldFilter("subject", "==", subject_hash(subject_id)))
        return list((query.limit(limit) if limit else query).stream())

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
