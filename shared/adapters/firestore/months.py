"""hosts/{host_id}/months/{YYYY-MM}: one UTC month of a host's time.

`busy` is the mirror of Google's free/busy (packed int64 pairs), `booked` our confirmed bookings' spans
(strings, so ArrayUnion/ArrayRemove keep them without a read). An availability read is one `get_all`
of the booking page and the months it needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore.codec import decode_booked, decode_busy, encode_booked, encode_busy, plain_id
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.hosts import HOSTS
from shared.domain.booking import Booking
from shared.domain.busy import month_key, month_keys, split_by_month
from shared.domain.intervals import Interval
from shared.services.ports import Exported
from shared.services.records import AvailabilitySnapshot, BookedSpan

if TYPE_CHECKING:
    from shared.adapters.firestore.unit_of_work import FirestoreUnitOfWork

MONTHS = "months"
_HINT_LIMIT = 10_000


class FirestoreBusyMonths:
    def __init__(self, unit: FirestoreUnitOfWork) -> None:
        self._unit = unit

    def _month(self, host_id: str, key: str) -> Any:
        return self._unit.db.collection(HOSTS).document(host_id).collection(MONTHS).document(key)

    def _all(self, host_id: str) -> list[Any]:
        return list(self._unit.db.collection(HOSTS).document(host_id).collection(MONTHS).stream(**reads()))

    def snapshot(self, slug: str, start: datetime, end: datetime) -> AvailabilitySnapshot | None:
        """Page, busy times and booked spans for [start, end), usually in one round trip.

        The slug's host id is remembered per instance, so the page and the host's month documents are
        fetched together; a stale guess (the slug moved) is detected and answered by a fresh lookup.
        """
        if not plain_id(slug):
            return None
        hints = self._unit.caches.slug_hosts
        host_id = hints.get(slug)
        if host_id is not None:
            found = self._snapshot(slug, host_id, start, end)
            if found is not None:
                return found
            hints.pop(slug, None)
        page = self._unit.pages.get(slug)
        if page is None:
            return None
        if len(hints) > _HINT_LIMIT:
            hints.clear()
        hints[slug] = page.host_id
        return self._snapshot(slug, page.host_id, start, end)

    def _snapshot(self, slug: str, host_id: str, start: datetime, end: datetime) -> AvailabilitySnapshot | None:
        page_ref = self._unit.pages.ref(slug)
        months = [self._month(host_id, key) for key in month_keys(start, end)]
        # get_all answers in any order: pick the documents out by path.
        docs = {snapshot.reference.path: snapshot for snapshot in self._unit.db.get_all([page_ref, *months], **reads())}
        page_doc = docs[page_ref.path]
        if not page_doc.exists or page_doc.get("host_id") != host_id:
            return None
        busy: list[Interval] = []
        booked: list[BookedSpan] = []
        for month in (docs[ref.path] for ref in months):
            data = month.to_dict() or {}
            if data.get("busy"):
                busy.extend(decode_busy(data["busy"]))
            booked.extend(decode_booked(text) for text in data.get("booked", ()))
        return AvailabilitySnapshot(page=self._unit.pages.parsed(page_doc), busy=busy, booked=booked)

    def replace_busy(self, host_id: str, window: Interval, busy: list[Interval], synced_at: datetime) -> None:
        """Every month the window touches gets its new busy times (months that became free are emptied);
        the booked spans beside them are ours and stay."""
        by_month = split_by_month(busy)
        for key in month_keys(window.start, window.end):
            month = {"busy": encode_busy(by_month.get(key, [])), "busy_synced_at": synced_at, "ends_at": _end(key)}
            self._unit.merge(self._month(host_id, key), month)

    def clear_busy(self, host_id: str) -> int:
        """The `busy` fields go; a month left without booked spans goes entirely."""
        from google.cloud import firestore

        purged = 0
        for month in self._all(host_id):
            data = month.to_dict()
            if data.get("booked"):
                self._unit.merge(
                    month.reference, {"busy": firestore.DELETE_FIELD, "busy_synced_at": firestore.DELETE_FIELD}
                )
            else:
                self._unit.delete(month.reference)
            purged += "busy" in data
        return purged

    def move_span(self, before: Booking | None, after: Booking | None) -> None:
        """The booking's span leaves its old month and joins its new one (either may be absent)."""
        from google.cloud import firestore

        old, new = _span(before), _span(after)
        if old == new:
            return
        if before is not None and old is not None:
            key = month_key(before.start)
            self._unit.merge(
                self._month(before.host_id, key), {"booked": firestore.ArrayRemove([old]), "ends_at": _end(key)}
            )
        if after is not None and new is not None:
            key = month_key(after.start)
            self._unit.merge(
                self._month(after.host_id, key), {"booked": firestore.ArrayUnion([new]), "ends_at": _end(key)}
            )

    def purge(self, ended_before: datetime) -> dict[str, int]:
        """Months of every host that ended before `ended_before` (nothing can be booked in them)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        from shared.adapters.firestore.expiring import delete_matching

        past = self._unit.db.collection_group(MONTHS).where(filter=FieldFilter("ends_at", "<", ended_before))
        return {"months_deleted": delete_matching(self._unit.db, past)}

    def export_subject(self, host_id: str) -> Exported:
        exported: Exported = []
        for month in self._all(host_id):
            data = month.to_dict()
            busy = decode_busy(data["busy"]) if data.get("busy") else []
            exported.append(
                {
                    "month": month.id,
                    "busy": [{"start": i.start.isoformat(), "end": i.end.isoformat()} for i in busy],
                    "bookings": [decode_booked(text).booking_id for text in data.get("booked", ())],
                }
            )
        return exported

    def erase_subject(self, host_id: str) -> int:
        found = self._all(host_id)
        for month in found:
            self._unit.delete(month.reference)
        return len(found)


def _span(booking: Booking | None) -> str | None:
    """The stored span of a booking that holds time (a cancelled one holds none)."""
    if booking is None or not booking.holds_time:
        return None
    return encode_booked(
        BookedSpan(
            booking_id=booking.id,
            event_type_id=booking.event_type_id,
            start=booking.start,
            occupied_start=booking.occupied_start,
            occupied_end=booking.occupied_end,
            day_claim=booking.day_claim,
        )
    )


def _end(key: str) -> datetime:
    """When the UTC month "YYYY-MM" ends (the start of the next one)."""
    year, month = map(int, key.split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
