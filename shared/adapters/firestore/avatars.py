"""avatars/{avatar_id}: a host's picture (a WebP of at most 256 × 256, tens of KiB: well under Firestore's 1 MiB
per document), beside the host's id. One document per upload; the host's record names the current one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import document, plain_id, stored
from shared.adapters.firestore.collections import AVATARS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.unit import Unit
from shared.domain.avatar import Avatar
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


class FirestoreAvatars:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, avatar_id: str) -> DocumentReference:
        return self._unit.db.collection(AVATARS).document(avatar_id)

    def get(self, avatar_id: str) -> Avatar | None:
        if not plain_id(avatar_id):
            return None
        snapshot = self._unit.read(self._ref(avatar_id))
        return stored(Avatar, snapshot.to_dict()) if snapshot.exists else None

    def add(self, avatar: Avatar) -> None:
        self._unit.create(self._ref(avatar.id), document(avatar))

    def remove(self, avatar_id: str) -> None:
        self._unit.delete(self._ref(avatar_id))

    def _of_host(self, host_id: str) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(AVATARS).where(filter=FieldFilter("host_id", "==", host_id))
        return list(query.stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [stored(Avatar, doc.to_dict()).exported() for doc in self._of_host(host_id)]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)
