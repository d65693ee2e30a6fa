"""booking_pages/{slug}: the public slug registry, holding event types, hours and the calendar's view.

Parsed pages are cached per stored version: a page changes rarely and is read on every availability
request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import page_document, plain_id, stored_page
from shared.adapters.firestore.collections import PAGES
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.unit import Unit
from shared.domain.booking_page import BookingPage
from shared.services.ports import Exported

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import PageSnapshot, Snapshot


_CACHE_LIMIT = 10_000
_TEAM_CLAIM = "team_id"  # a team's claim on a slug (shared/adapters/firestore/teams.py): no page, and no host's


def _team_claim(snapshot: Snapshot) -> bool:
    """Reads the one field, not the whole page."""
    try:
        snapshot.get(_TEAM_CLAIM)
    except KeyError:
        return False
    return True


class FirestoreBookingPages:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def ref(self, slug: str) -> DocumentReference:
        return self._unit.db.collection(PAGES).document(slug)

    def get(self, slug: str) -> BookingPage | None:
        if not plain_id(slug):
            return None
        snapshot = self._unit.read(self.ref(slug))
        return self.parsed(snapshot) if snapshot.exists and not _team_claim(snapshot) else None

    def parsed(self, snapshot: PageSnapshot) -> BookingPage:
        cache = self._unit.caches.pages
        cached = cache.get(snapshot.id)
        if cached is not None and cached[0] == snapshot.update_time:
            return cached[1]
        page = stored_page(snapshot.to_dict())
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[snapshot.id] = (snapshot.update_time, page)
        return page

    def add(self, slug: str, page: BookingPage) -> None:
        self._unit.create(self.ref(slug), page_document(page))

    def save(self, slug: str, page: BookingPage) -> None:
        self._unit.put(self.ref(slug), page_document(page))

    def remove(self, slug: str) -> None:
        self._unit.delete(self.ref(slug))

    def _of_host(self, host_id: str) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(PAGES).where(filter=FieldFilter("host_id", "==", host_id))
        return list(query.stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        return [{"slug": doc.id, **self.parsed(doc).model_dump(mode="json")} for doc in self._of_host(host_id)]

    def erase_subject(self, host_id: str) -> int:
        found = self._of_host(host_id)
        for doc in found:
            self._unit.delete(doc.reference)
        return len(found)
