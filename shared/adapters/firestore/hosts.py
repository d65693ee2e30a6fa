"""hosts/{host_id}: who the host is, their connection to Google and how fresh our view of it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import document, plain_id, stored
from shared.adapters.firestore.collections import HOSTS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.unit import Unit
from shared.domain.host import ConnectionState, Host
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference


class FirestoreHosts:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, host_id: str) -> DocumentReference:
        return self._unit.db.collection(HOSTS).document(host_id)

    def get(self, host_id: str) -> Host | None:
        if not plain_id(host_id):  # "__name__" and the like name no document (Firestore refuses them as ids)
            return None
        snapshot = self._unit.read(self._ref(host_id))
        return stored(Host, snapshot.to_dict()) if snapshot.exists else None

    def add(self, host: Host) -> None:
        self._unit.create(self._ref(host.id), document(host))

    def save(self, host: Host) -> None:
        self._unit.put(self._ref(host.id), document(host))

    def connected(self) -> list[Host]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(HOSTS).where(
            filter=FieldFilter("connection.state", "==", ConnectionState.CONNECTED.value)
        )
        return [stored(Host, doc.to_dict()) for doc in query.stream(**reads())]

    def page(self, after_id: str | None, limit: int) -> list[Host]:
        """Hosts in id order, starting after `after_id`: a walk over every host that can stop and go on."""
        from google.cloud.firestore_v1.base_query import FieldFilter
        from google.cloud.firestore_v1.field_path import FieldPath

        query = self._unit.db.collection(HOSTS).order_by(FieldPath.document_id())
        if after_id is not None:
            query = query.where(filter=FieldFilter(FieldPath.document_id(), ">", self._ref(after_id)))
        return [stored(Host, doc.to_dict()) for doc in query.limit(limit).stream(**reads())]

    def export_subject(self, host_id: str) -> Exported:
        host = self.get(host_id)
        return [host.model_dump(mode="json")] if host else []

    def erase_subject(self, host_id: str) -> int:
        if not self._unit.read(self._ref(host_id)).exists:
            return 0
        self._unit.delete(self._ref(host_id))
        return 1
