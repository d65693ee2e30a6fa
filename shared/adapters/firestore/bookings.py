"""bookings/{id}, with slot_claims/{host}:{granule} and idempotency/{key hash} (group sessions: sessions.py).

A booking and one must-not-exist claim per 5-minute granule it occupies (and its numbered place in the
day, for daily limits) are written in the same commit: of two overlapping bookings, the second commit
fails as a whole on a claim that exists already.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import Fields, document, plain_id, stored
from shared.adapters.firestore.collections import BOOKINGS, CLAIMS, IDEMPOTENCY
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import delete_matching, purge_expired
from shared.adapters.firestore.unit import Unit
from shared.domain.booking import Booking, SyncState
from shared.services.ports import Exported
from shared.services.records import HostListing, IdempotencyRecord

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference
    from google.cloud.firestore_v1.query import Query

    from shared.adapters.firestore.unit import Snapshot


# Every holder's host id (`Booking.holder_ids`: the host, and a collective team booking's co-hosts), stored
# beside the booking so a host's list and export find the bookings they hold with one array_contains query.
HOLDER_IDS = "holder_ids"
_PENDING_PAGE = 500
_ERASE_PAGE = 2  # bookings: each brings up to 150 claims (a 12-hour meeting with buffers)
_IN_LIMIT = 30  # Firestore's limit for an "in" filter


class FirestoreBookings:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _ref(self, booking_id: str) -> DocumentReference:
        return self._unit.db.collection(BOOKINGS).document(booking_id)

    def _claim(self, claim_id: str) -> DocumentReference:
        return self._unit.db.collection(CLAIMS).document(claim_id)

    def get(self, booking_id: str) -> Booking | None:
        if not plain_id(booking_id):
            return None
        snapshot = self._unit.read(self._ref(booking_id))
        return stored(Booking, snapshot.to_dict()) if snapshot.exists else None

    def add(self, booking: Booking, idempotency: IdempotencyRecord | None) -> None:
        claims = booking.claims()
        doc = {**document(booking), "claims": claims, "holder_ids": list(booking.holder_ids)}
        self._unit.create(self._ref(booking.id), {**doc, **_stamped(created=True)})
        for claim in claims:
            self._unit.create(self._claim(claim), _claim_doc(booking))
        if idempotency is not None:
            ref = self._unit.db.collection(IDEMPOTENCY).document(idempotency.key_hash)
            self._unit.create(ref, idempotency.model_dump())

    def save(self, booking: Booking) -> None:
        """Conditional on the booking read in this unit; its claims follow (new ones must not exist)."""
        ref = self._ref(booking.id)
        before = self._unit.seen(ref)
        if before is None or not before.exists:
            raise RuntimeError("save a booking read in the same unit of work")
        old_claims, new_claims = set(before.get("claims") or []), set(booking.claims())
        for claim in sorted(new_claims - old_claims):
            self._unit.create(self._claim(claim), _claim_doc(booking))
        for claim in sorted(old_claims - new_claims):
            self._unit.delete(self._claim(claim))
        doc = {**document(booking), "claims": sorted(new_claims), "holder_ids": list(booking.holder_ids)}
        self._unit.put(ref, {**doc, **_stamped()})

    def idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        snapshot = self._unit.db.collection(IDEMPOTENCY).document(key_hash).get(**reads())
        return IdempotencyRecord.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def of_host(self, host_id: str, listing: HostListing) -> list[Booking]:
        """Ordered by end, then id (so a page boundary between equal ends is exact); an unknown cursor, or
        one of another host, starts from the beginning."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter(HOLDER_IDS, "array_contains", host_id))
        if listing.status is not None:
            query = query.where(filter=FieldFilter("status", "==", listing.status.value))
        if listing.event_type_id is not None:
            query = query.where(filter=FieldFilter("event_type_id", "==", listing.event_type_id))
        return self._page(query, listing, lambda last: host_id in (last.get(HOLDER_IDS) or ()))

    def of_team(self, team_id: str, listing: HostListing, holder: str | None = None) -> list[Booking]:
        """A team's bookings by their stored `team_id` (one query, an index per order: infra/main.tf), ordered
        and paged as `of_host`; `holder`: only that member's. Status and event type filters are not offered."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter("team_id", "==", team_id))
        if holder is not None:  # a member's own: those they hold, a collective one's co-hosts too
            query = query.where(filter=FieldFilter(HOLDER_IDS, "array_contains", holder))
        return self._page(query, listing, lambda last: last.get("team_id") == team_id)

    def _page(self, query: Query, listing: HostListing, belongs: Callable[[Snapshot], bool]) -> list[Booking]:
        """One page of a listing: bookings ending in its range, ordered by end then id (so a page boundary
        between equal ends is exact), after its cursor when the cursor `belongs` to this listing."""
        from google.cloud.firestore_v1 import Query as Order
        from google.cloud.firestore_v1.base_query import FieldFilter

        direction = Order.ASCENDING if listing.upcoming else Order.DESCENDING
        lower, upper = listing.end_range()
        if lower is not None:
            query = query.where(filter=FieldFilter("end", ">=", lower))
        if upper is not None:
            query = query.where(filter=FieldFilter("end", "<", upper))
        query = query.order_by("end", direction=direction).order_by("__name__", direction=direction)
        if listing.after_booking_id and plain_id(listing.after_booking_id):
            last = self._ref(listing.after_booking_id).get(**reads())
            if last.exists and belongs(last):
                query = query.start_after(last)
        return [stored(Booking, doc.to_dict()) for doc in query.limit(listing.limit).stream(**reads())]

    def sync_unsettled(self, updated_before: datetime) -> list[Booking]:
        """For the sweeper: bookings whose sync has waited since before `updated_before` (e.g. a lost
        enqueue), and bookings whose sync failed."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        bookings = self._unit.db.collection(BOOKINGS)
        pending = bookings.where(filter=FieldFilter("sync_state", "==", SyncState.PENDING.value)).where(
            filter=FieldFilter("updated_at", "<", updated_before)
        )
        failed = bookings.where(filter=FieldFilter("sync_state", "==", SyncState.FAILED.value))
        found = [*pending.limit(_PENDING_PAGE).stream(**reads()), *failed.limit(_PENDING_PAGE).stream(**reads())]
        return [stored(Booking, doc.to_dict()) for doc in found]

    def of_address(self, email: str) -> list[Booking]:
        """Addresses are stored as `normalised_email` makes them, so equality is the comparison."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter("invitee.email", "==", email))
        return [stored(Booking, doc.to_dict()) for doc in query.stream(**reads())]

    def places_taken(self, claim_ids: list[str]) -> set[str]:
        refs = [self._claim(claim) for claim in claim_ids]
        found = self._unit.db.get_all(refs, field_paths=["booking_id"], **reads())
        return {snapshot.id for snapshot in found if snapshot.exists}

    def purge(self, now: datetime, ended_before: datetime) -> dict[str, int]:
        """Expired keys and claims, and bookings (with their claims) that ended before `ended_before`."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        counts = {f"{name}_deleted": purge_expired(self._unit.db, name, now) for name in (IDEMPOTENCY, CLAIMS)}
        # Their claims expired when their time ended, so the claims purge above has taken them.
        ended = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter("end", "<", ended_before))
        counts["bookings_deleted"] = delete_matching(self._unit.db, ended)
        return counts

    def _all_of_host(self, host_id: str, limit: int | None = None) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter("host_id", "==", host_id))
        return list((query.limit(limit) if limit else query).stream(**reads()))

    def export_subject(self, host_id: str) -> Exported:
        """Every booking the host holds: their own and the collective team bookings they are a co-host of."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        held = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter(HOLDER_IDS, "array_contains", host_id))
        return [
            stored(Booking, doc.to_dict()).model_dump(mode="json", exclude={"manage_token_hash"})
            for doc in held.stream(**reads())
        ]

    def erase_subject(self, host_id: str) -> int:
        """Each booking with its claims and the Idempotency-Keys that made it, a page at a time (a batch
        holds at most 500 writes)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        found = self._all_of_host(host_id, limit=_ERASE_PAGE)
        claims: set[str] = set()
        for doc in found:
            claims.update(doc.get("claims") or [])
            claims.update(stored(Booking, doc.to_dict()).session_records())
            self._unit.delete(doc.reference)
        for claim in sorted(claims):
            self._unit.delete(self._claim(claim))
        ids = [doc.id for doc in found]
        for start in range(0, len(ids), _IN_LIMIT):
            keys = self._unit.db.collection(IDEMPOTENCY).where(
                filter=FieldFilter("booking_id", "in", ids[start : start + _IN_LIMIT])
            )
            for key in keys.stream(**reads()):
                self._unit.delete(key.reference)
        return len(found) + self._leave_co_held(host_id)

    def _leave_co_held(self, host_id: str) -> int:
        """The collective team bookings the erased host held beside their organiser stay the others', without
        the host (`Booking.without_co_host`) and the claims held for them. Their own bookings (in this page
        too until committed) are erased, not rewritten; the next page finds the rest. A booking changed meanwhile
        fails the commit (the erasure's step is run again)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        held = self._unit.db.collection(BOOKINGS).where(filter=FieldFilter(HOLDER_IDS, "array_contains", host_id))
        co_held = [doc for doc in held.limit(2 * _ERASE_PAGE).stream(**reads()) if doc.get("host_id") != host_id]
        for doc in co_held:
            before = stored(Booking, self._unit.read(doc.reference).to_dict())  # read: the rewrite is conditional
            after = before.without_co_host(host_id)
            for claim in sorted(set(before.claims()) - set(after.claims())):
                self._unit.delete(self._claim(claim))
            doc_fields = {**document(after), "claims": after.claims(), HOLDER_IDS: list(after.holder_ids)}
            self._unit.put(doc.reference, {**doc_fields, **_stamped()})
        return len(co_held)


def _claim_doc(booking: Booking) -> Fields:
    """A claim names its booking and expires (retention purge, TTL) when the time it holds is past."""
    return {"booking_id": booking.id, "expires_at": booking.occupied_end}


def _stamped(created: bool = False) -> Fields:
    """Server time of the write: the sweeper finds bookings whose sync has waited since."""
    from google.cloud import firestore

    stamps: Fields = {"updated_at": firestore.SERVER_TIMESTAMP}
    if created:
        stamps["created_at"] = firestore.SERVER_TIMESTAMP
    return stamps
