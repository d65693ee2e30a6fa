"""hosts/{host_id}/months/{YYYY-MM}: one UTC month of a host's time.

`busy` is the mirror of Google's free/busy (packed int64 pairs), `booked` our confirmed bookings' spans
(one packed element each, so ArrayUnion/ArrayRemove keep them without a read: a booking costs the same
whatever its month holds). An availability read is one `get_all` of the booking page and the months it
needs, and decodes only the busy and booked spans that overlap the instants it asked about.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore.codec import (
    booked_overlapping,
    busy_overlapping,
    decode_busy,
    encode_booked,
    encode_busy,
    legacy_booked,
    plain_id,
)
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.hosts import HOSTS
from shared.domain.booking import Booking
from shared.domain.busy import month_key, month_keys, split_by_month
from shared.domain.intervals import Interval, SpanSet
from shared.domain.offsets import epoch_seconds, epoch_seconds_up
from shared.services.ports import Exported
from shared.services.records import AvailabilitySnapshot, BookedSpan

if TYPE_CHECKING:
    from shared.adapters.firestore.unit_of_work import FirestoreUnitOfWork

MONTHS = "months"
_HINT_LIMIT = 10_000
_ALL = 1 << 62  # later than any instant: "every span of the month"


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
        first, after = epoch_seconds(start), epoch_seconds_up(end)
        busy, booked = SpanSet(), []
        for month in (docs[ref.path] for ref in months):
            data = month.to_dict() or {}
            if data.get("busy"):
                busy_overlapping(data["busy"], first, after, busy)
            if data.get("booked"):
                booked.extend(booked_overlapping(host_id, data["booked"], first, after))
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
            # The string form too: a span stored before the packed form is released the same way.
            gone = firestore.ArrayRemove([encode_booked(before.host_id, old), legacy_booked(old)])
            self._unit.merge(self._month(before.host_id, key), {"booked": gone, "ends_at": _end(key)})
        if after is not None and new is not None:
            key = month_key(after.start)
            added = firestore.ArrayUnion([encode_booked(after.host_id, new)])
            self._unit.merge(self._month(after.host_id, key), {"booked": added, "ends_at": _end(key)})

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
            booked = booked_overlapping(host_id, data.get("booked", []), 0, _ALL)
            exported.append(
                {
                    "month": month.id,
                    "busy": [{"start": i.start.isoformat(), "end": i.end.isoformat()} for i in busy],
                    "bookings": [span.booking_id for span in booked],
                }
            )
        return exported

    def erase_subject(self, host_id: str) -> int:
        found = self._all(host_id)
        for month in found:
            self._unit.delete(month.reference)
        return len(found)


def _span(booking: Booking | None) -> BookedSpan | None:
    """The stored span of a booking that holds time (a cancelled one holds none)."""
    if booking is None or not booking.holds_time:
        return None
    return BookedSpan(
        occupied_start=epoch_seconds(booking.occupied_start),
        occupied_end=epoch_seconds_up(booking.occupied_end),
        start=epoch_seconds(booking.start),
        booking_id=booking.id,
        event_type_id=booking.event_type_id,
        day_claim=booking.day_claim,
        period_claims=booking.period_claims,
        minute_places=booking.minute_places,
    )


def _end(key: str) -> datetime:
    """When the UTC month "YYYY-MM" ends (the start of the next one)."""
    year, month = map(int, key.split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
