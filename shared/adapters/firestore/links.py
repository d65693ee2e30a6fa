"""booking_links/{link id} (a single-use link: its token's hash, never the token) and link_claims/{link id}.

The claim is created under "must not exist" by whatever ends the link first, in that write's own commit:
the booking made with it (with the booking, its time claims and its places) or the host's revocation. Of
ten bookings racing with one link, one commit wins and the others fail whole. The link record itself is
only merged alongside (when and by which booking it was used), so it never becomes a contended document.
Both carry `purge_at` (the retention purge and a TTL policy delete them then; a link still open with no
expiry has none).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import Fields, document, plain_id, stored
from shared.adapters.firestore.collections import LINK_CLAIMS, LINKS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import delete_matching
from shared.adapters.firestore.unit import Unit
from shared.domain.claims import link_claim
from shared.domain.links import BookingLink
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot


PURGE_FIELD = "purge_at"
_ERASE_PAGE = 400


class FirestoreLinks:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, link_id: str) -> DocumentReference:
        return self._unit.db.collection(LINKS).document(link_id)

    def get(self, link_id: str) -> BookingLink | None:
        if not plain_id(link_id):
            return None
        snapshot = self._unit.read(self._ref(link_id))
        return stored(BookingLink, snapshot.to_dict()) if snapshot.exists else None

    def add(self, link: BookingLink) -> None:
        self._unit.create(self._ref(link.id), _document(link))

    def claim(self, link: BookingLink) -> None:
        claim: Fields = {"host_id": link.host_id, "booking_id": link.booking_id, PURGE_FIELD: link.purge_at}
        self._unit.create(self._unit.db.collection(LINK_CLAIMS).document(link_claim(link.id)), claim)
        self._unit.merge(self._ref(link.id), _document(link))

    def of_event_type(self, host_id: str, event_type_id: str) -> list[BookingLink]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = (
            self._unit.db.collection(LINKS)
            .where(filter=FieldFilter("host_id", "==", host_id))
            .where(filter=FieldFilter("event_type_id", "==", event_type_id))
        )
        found = [stored(BookingLink, doc.to_dict()) for doc in query.stream(**reads())]
        return sorted(found, key=lambda link: (link.created_at, link.id), reverse=True)

    def purge(self, now: datetime) -> dict[str, int]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        return {
            f"{name}_deleted": delete_matching(
                self._unit.db, self._unit.db.collection(name).where(filter=FieldFilter(PURGE_FIELD, "<", now))
            )
            for name in (LINKS, LINK_CLAIMS)
        }

    def _of_host(self, collection: str, host_id: str, limit: int | None = None) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(collection).where(filter=FieldFilter("host_id", "==", host_id))
        return list((query.limit(limit) if limit else query).stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [
            stored(BookingLink, doc.to_dict()).model_dump(mode="json", exclude={"token_hash"})
            for doc in self._of_host(LINKS, host_id)
        ]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(LINKS, host_id, limit=_ERASE_PAGE // 2)
        found += self._of_host(LINK_CLAIMS, host_id, limit=_ERASE_PAGE // 2)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)


def _document(link: BookingLink) -> Fields:
    return {**document(link), PURGE_FIELD: link.purge_at}
