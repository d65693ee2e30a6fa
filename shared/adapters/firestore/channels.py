"""channels/{channel_id}: the Google watch channels we opened, to verify pushes and to stop them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import plain_id
from shared.adapters.firestore.collections import CHANNELS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.unit import Unit
from shared.services.ports import Exported
from shared.services.records import Channel

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference


class FirestoreChannels:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, channel_id: str) -> DocumentReference:
        return self._unit.db.collection(CHANNELS).document(channel_id)

    def get(self, channel_id: str) -> Channel | None:
        if not plain_id(channel_id):
            return None
        snapshot = self._ref(channel_id).get(**reads())
        return Channel.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def add(self, channel: Channel) -> None:
        self._unit.create(self._ref(channel.id), channel.model_dump())

    def of_host(self, host_id: str) -> list[Channel]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(CHANNELS).where(filter=FieldFilter("host_id", "==", host_id))
        return [Channel.model_validate(doc.to_dict()) for doc in query.stream(**reads())]

    def remove(self, channel_id: str) -> None:
        self._unit.delete(self._ref(channel_id))

    def export_subject(self, host_id: str) -> Exported:
        return [channel.model_dump(mode="json", exclude={"resource_id"}) for channel in self.of_host(host_id)]

    def erase_subject(self, host_id: str) -> int:
        found = self.of_host(host_id)
        for channel in found:
            self.remove(channel.id)
        return len(found)
