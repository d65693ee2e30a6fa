"""Firestore adapter: every document Kaleno keeps, read and written by id.

Short-lived documents (sessions, OAuth states) carry `expires_at` for a Firestore TTL policy; the
retention job purges them too, since the emulator has no TTL.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.domain.booking import Booking, ClaimConflict, SyncState
from shared.domain.booking_page import BookingPage
from shared.domain.busy import decode_month, encode_month, month_key, month_keys, split_by_month
from shared.domain.errors import BookingNotFound
from shared.domain.host import Connection, ConnectionState, Host, SlugTaken
from shared.domain.intervals import Interval
from shared.services.ports import (
    AvailabilitySnapshot,
    BookedSpan,
    Channel,
    IdempotencyRecord,
    OAuthState,
    SessionRecord,
)

M = TypeVar("M", bound=BaseModel)
_PLAIN_ID = re.compile(r"(?!__)[A-Za-z0-9_-]{1,128}")


def plain_id(value: str) -> bool:
    """Ids that reach us in URLs or headers (slugs, booking and channel ids) before they become document
    ids: anything else ("..", "__x__", a slash, 2 KB of text) cannot name one of our documents."""
    return _PLAIN_ID.fullmatch(value) is not None


def digest(value: str) -> str:
    """Document ids for secrets (session tokens, OAuth states): a reader of the database cannot use them."""
    return hashlib.sha256(value.encode()).hexdigest()


class FirestoreStore:
    def __init__(self, client: Any) -> None:
        self._db = client
        self._slug_hosts: dict[str, str] = {}  # public slug -> host id, a hint checked on every read
        self._pages: dict[str, tuple[Any, BookingPage]] = {}  # slug -> (stored version, parsed page)

    # --- OAuth states: single use, consumed in a transaction -------------------------------------------
    def save_oauth_state(self, state: str, record: OAuthState) -> None:
        self._db.collection("oauth_states").document(digest(state)).create(record.model_dump())

    def consume_oauth_state(self, state: str, now: datetime) -> OAuthState | None:
        from google.cloud import firestore

        ref = self._db.collection("oauth_states").document(digest(state))

        @firestore.transactional
        def consume(transaction: Any) -> OAuthState | None:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                return None
            transaction.delete(ref)
            record = OAuthState.model_validate(snapshot.to_dict())
            return record if record.expires_at > now else None

        result: OAuthState | None = consume(self._db.transaction())
        return result

    # --- Sessions -----------------------------------------------------------------------------------
    def save_session(self, token: str, record: SessionRecord) -> None:
        self._db.collection("sessions").document(digest(token)).create(record.model_dump())

    def get_session(self, token: str) -> SessionRecord | None:
        snapshot = self._db.collection("sessions").document(digest(token)).get()
        return SessionRecord.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def delete_session(self, token: str) -> None:
        self._db.collection("sessions").document(digest(token)).delete()

    # --- Hosts --------------------------------------------------------------------------------------
    def get_host(self, host_id: str) -> Host | None:
        snapshot = self._db.collection("hosts").document(host_id).get()
        return _host(snapshot.to_dict()) if snapshot.exists else None

    def create_host(self, host: Host, page: BookingPage, now: datetime) -> bool:
        """Create the host and its booking page (which claims the slug) atomically; False if it exists."""
        from google.api_core.exceptions import AlreadyExists, Conflict

        batch = self._db.batch()
        batch.create(self._db.collection("hosts").document(host.id), {**_host_doc(host), "created_at": now})
        batch.create(self._db.collection("booking_pages").document(host.slug), _page_doc(page))
        try:
            batch.commit()
        except (AlreadyExists, Conflict):
            return False
        return True

    def update_host(self, host_id: str, fields: dict[str, Any]) -> None:
        self._db.collection("hosts").document(host_id).update(fields)

    def change_slug(self, host_id: str, old: str, new: str) -> None:
        """Move the booking page to its new slug in one transaction; SlugTaken if another host holds it."""
        from google.cloud import firestore

        pages = self._db.collection("booking_pages")
        new_ref, old_ref = pages.document(new), pages.document(old)
        host_ref = self._db.collection("hosts").document(host_id)

        @firestore.transactional
        def move(transaction: Any) -> None:
            # get_all answers in any order: pick the two documents out by path.
            docs = {doc.reference.path: doc for doc in self._db.get_all([new_ref, old_ref], transaction=transaction)}
            holder, current = docs[new_ref.path], docs[old_ref.path]
            if holder.exists:
                raise SlugTaken(f"the slug '{new}' is taken")
            transaction.create(new_ref, current.to_dict())
            transaction.delete(old_ref)
            transaction.update(host_ref, {"slug": new})

        move(self._db.transaction())

    # --- Booking pages (event types + weekly hours, by host slug) -----------------------------------
    def booking_page(self, slug: str) -> BookingPage | None:
        if not plain_id(slug):
            return None
        snapshot = self._db.collection("booking_pages").document(slug).get()
        return _page(snapshot.to_dict()) if snapshot.exists else None

    def update_booking_page(self, slug: str, change: Callable[[BookingPage], BookingPage]) -> BookingPage:
        """Read-modify-write of one page in a transaction, so concurrent edits never lose each other."""
        from google.cloud import firestore

        ref = self._db.collection("booking_pages").document(slug)

        @firestore.transactional
        def apply(transaction: Any) -> BookingPage:
            page = change(_page(ref.get(transaction=transaction).to_dict()))
            transaction.set(ref, _page_doc(page))
            return page

        result: BookingPage = apply(self._db.transaction())
        return result

    def _parsed_page(self, snapshot: Any) -> BookingPage:
        """Parse a page once per stored version: it changes rarely and is read on every availability request."""
        cached = self._pages.get(snapshot.id)
        if cached is not None and cached[0] == snapshot.update_time:
            return cached[1]
        page = _page(snapshot.to_dict())
        if len(self._pages) > 10_000:
            self._pages.clear()
        self._pages[snapshot.id] = (snapshot.update_time, page)
        return page

    def availability_snapshot(self, slug: str, start: datetime, end: datetime) -> AvailabilitySnapshot | None:
        """Page, host, busy times and booked spans for [start, end), usually in one round trip.

        The slug's host id is remembered per instance, so the page and the host's month documents are
        fetched together; a stale guess (the slug moved) is detected and answered by a fresh lookup.
        """
        if not plain_id(slug):
            return None
        host_id = self._slug_hosts.get(slug)
        if host_id is not None:
            snapshot = self._snapshot(slug, host_id, start, end)
            if snapshot is not None:
                return snapshot
            self._slug_hosts.pop(slug, None)
        page = self.booking_page(slug)
        if page is None:
            return None
        if len(self._slug_hosts) > 10_000:
            self._slug_hosts.clear()
        self._slug_hosts[slug] = page.host_id
        return self._snapshot(slug, page.host_id, start, end)

    def _snapshot(self, slug: str, host_id: str, start: datetime, end: datetime) -> AvailabilitySnapshot | None:
        page_ref = self._db.collection("booking_pages").document(slug)
        months = [self._month(host_id, key) for key in month_keys(start, end)]
        docs = {snapshot.reference.path: snapshot for snapshot in self._db.get_all([page_ref, *months])}
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
        return AvailabilitySnapshot(page=self._parsed_page(page_doc), busy=busy, booked=booked)

    def _month(self, host_id: str, key: str) -> Any:
        """One UTC month of a host's time: `busy` (the mirror of Google) and `booked` (our bookings' spans)."""
        return self._db.collection("hosts").document(host_id).collection("months").document(key)

    def set_connection(self, host_id: str, connection: Connection, *, only_if: ConnectionState | None = None) -> bool:
        """Record the connection state; with `only_if`, only when the current state is that (True if changed)."""
        from google.cloud import firestore

        ref = self._db.collection("hosts").document(host_id)

        @firestore.transactional
        def change(transaction: Any) -> bool:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                return False
            if only_if is not None and snapshot.get("connection.state") != only_if.value:
                return False
            transaction.update(ref, {"connection": connection.model_dump(mode="json")})
            page = self._db.collection("booking_pages").document(snapshot.get("slug"))
            calendar: dict[str, Any] = {"calendar.connected": connection.is_connected}
            if not connection.is_connected:
                # Whatever the mirror said is no longer known: after a reconnect, nothing is offered until
                # the first refresh has run.
                calendar.update({"calendar.synced_at": None, "calendar.horizon_end": None})
            transaction.update(page, calendar)
            return True

        changed: bool = change(self._db.transaction())
        return changed

    # --- Watch channels -----------------------------------------------------------------------------
    def save_channel(self, channel: Channel) -> None:
        self._db.collection("channels").document(channel.id).set(channel.model_dump())

    def get_channel(self, channel_id: str) -> Channel | None:
        if not plain_id(channel_id):
            return None
        snapshot = self._db.collection("channels").document(channel_id).get()
        return Channel.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def channels_of(self, host_id: str) -> list[Channel]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._db.collection("channels").where(filter=FieldFilter("host_id", "==", host_id))
        return [Channel.model_validate(doc.to_dict()) for doc in query.stream()]

    def delete_channel(self, channel_id: str) -> None:
        self._db.collection("channels").document(channel_id).delete()

    # --- Busy mirror: one document per host and UTC month ------------------------------------------
    def replace_busy(self, host: Host, window: Interval, busy: Iterable[Interval], synced_at: datetime) -> bool:
        """Replace the mirror for every month the window touches (months that became free are emptied).

        In a transaction that first checks the host is still connected and that no refresh which started
        later has already written: an older answer never overwrites a newer one. Only the `busy` field is
        written (merge): the months' booked spans are ours and stay. False when skipped.
        """
        from google.cloud import firestore

        by_month = split_by_month(busy)
        host_ref = self._db.collection("hosts").document(host.id)
        sync = {"synced_at": synced_at, "horizon_end": window.end}

        @firestore.transactional
        def replace(transaction: Any) -> bool:
            current = host_ref.get(transaction=transaction)
            stored = _host(current.to_dict()) if current.exists else None
            if stored is None or not stored.connection.is_connected:
                return False
            if stored.sync.synced_at is not None and stored.sync.synced_at >= synced_at:
                return False
            for key in month_keys(window.start, window.end):
                month = {"busy": encode_busy(by_month.get(key, [])), "busy_synced_at": synced_at}
                transaction.set(self._month(host.id, key), month, merge=True)
            transaction.update(host_ref, {f"sync.{k}": v for k, v in sync.items()})
            transaction.update(
                self._db.collection("booking_pages").document(stored.slug),
                {f"calendar.{k}": v for k, v in sync.items()},
            )
            return True

        replaced: bool = replace(self._db.transaction())
        return replaced

    def delete_busy(self, host_id: str) -> int:
        """Purge the busy mirror: the `busy` fields go; a month left without booked spans goes entirely."""
        from google.cloud import firestore

        purged = 0
        for month in self._db.collection("hosts").document(host_id).collection("months").stream():
            data = month.to_dict()
            if data.get("booked"):
                month.reference.update({"busy": firestore.DELETE_FIELD, "busy_synced_at": firestore.DELETE_FIELD})
            else:
                month.reference.delete()
            purged += "busy" in data
        return purged

    # --- Bookings: the booking, its claims on time and its booked span commit together -----------------
    def create_booking(self, booking: Booking, idempotency: IdempotencyRecord | None, now: datetime) -> None:
        """One atomic batch: booking + one must-not-exist claim per granule (+ idempotency key) + booked span.

        Of two overlapping bookings, the second commit fails as a whole on a claim that exists already:
        no transaction, no hot document, no double booking.
        """
        from google.api_core.exceptions import AlreadyExists, Conflict

        batch = self._db.batch()
        claims = booking.claims()
        batch.create(self._db.collection("bookings").document(booking.id), _booking_doc(booking, claims, now))
        for claim in claims:
            batch.create(self._db.collection("slot_claims").document(claim), _claim_doc(booking))
        if idempotency is not None:
            batch.create(self._db.collection("idempotency").document(idempotency.key_hash), idempotency.model_dump())
        self._add_span(batch, booking)
        try:
            batch.commit()
        except (AlreadyExists, Conflict) as error:
            raise ClaimConflict("this time was just booked by someone else; please pick another slot") from error

    def get_booking(self, booking_id: str) -> Booking | None:
        if not plain_id(booking_id):
            return None
        snapshot = self._db.collection("bookings").document(booking_id).get()
        return _booking(snapshot.to_dict()) if snapshot.exists else None

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        snapshot = self._db.collection("idempotency").document(key_hash).get()
        return IdempotencyRecord.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def change_booking(self, booking_id: str, change: Callable[[Booking], Booking], now: datetime) -> Booking:
        """Transaction: read the booking, apply `change`, move its claims and booked span to match.

        New claims are created (must not exist), claims no longer covered are deleted, in one commit.
        """
        from google.api_core.exceptions import AlreadyExists, Conflict
        from google.cloud import firestore

        ref = self._db.collection("bookings").document(booking_id)

        @firestore.transactional
        def apply(transaction: Any) -> Booking:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                raise BookingNotFound("no such booking")
            before = _booking(snapshot.to_dict())
            after = change(before)
            if after == before:
                return before  # nothing to change: no write
            old_claims = set(snapshot.get("claims") or [])
            new_claims = set(after.claims())
            for claim in new_claims - old_claims:
                transaction.create(self._db.collection("slot_claims").document(claim), _claim_doc(after))
            for claim in old_claims - new_claims:
                transaction.delete(self._db.collection("slot_claims").document(claim))
            self._remove_span(transaction, before)
            if new_claims:
                self._add_span(transaction, after)
            transaction.update(ref, {**_booking_fields(after), "claims": sorted(new_claims), "updated_at": now})
            return after

        try:
            result: Booking = apply(self._db.transaction())
        except (AlreadyExists, Conflict) as error:
            raise ClaimConflict("this time was just booked by someone else; please pick another slot") from error
        return result

    def record_sync(
        self, booking_id: str, state: SyncState, synced_version: int | None, error: str | None, now: datetime
    ) -> None:
        """Record a sync outcome; the synced version never goes back, and a booking changed meanwhile stays
        pending (its own task is on the way). Optimistic: the update is conditional on the document not
        having changed since it was read, and re-read if it had (duplicate deliveries race here)."""
        from google.api_core.exceptions import FailedPrecondition

        ref = self._db.collection("bookings").document(booking_id)
        for _ in range(10):
            snapshot = ref.get()
            if not snapshot.exists:
                return
            fields: dict[str, Any] = {"sync_error": error, "synced_at": now, "sync_state": state.value}
            if synced_version is not None:
                synced = max(snapshot.get("synced_version") or 0, synced_version)
                fields["synced_version"] = synced
                if synced < snapshot.get("version"):
                    fields["sync_state"] = SyncState.PENDING.value
            try:
                ref.update(fields, option=self._db.write_option(last_update_time=snapshot.update_time))
                return
            except FailedPrecondition:
                continue
        raise RuntimeError("booking kept changing while its sync was recorded")

    def host_bookings(self, host_id: str, since: datetime, limit: int = 200) -> list[Booking]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = (
            self._db.collection("bookings")
            .where(filter=FieldFilter("host_id", "==", host_id))
            .where(filter=FieldFilter("end", ">=", since))
            .order_by("end")
            .limit(limit)
        )
        return [_booking(doc.to_dict()) for doc in query.stream()]

    def connected_hosts(self) -> list[Host]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._db.collection("hosts").where(filter=FieldFilter("connection.state", "==", "connected"))
        return [_host(doc.to_dict()) for doc in query.stream()]

    def pending_bookings(self, updated_before: datetime) -> list[Booking]:
        """Bookings whose calendar sync has waited too long (e.g. a lost enqueue): for the sweeper."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = (
            self._db.collection("bookings")
            .where(filter=FieldFilter("sync_state", "==", "pending"))
            .where(filter=FieldFilter("updated_at", "<", updated_before))
            .limit(500)
        )
        return [_booking(doc.to_dict()) for doc in query.stream()]

    def _add_span(self, writer: Any, booking: Booking) -> None:
        from google.cloud import firestore

        ref = self._month(booking.host_id, month_key(booking.start))
        writer.set(ref, {"booked": firestore.ArrayUnion([encode_booked(_span(booking))])}, merge=True)

    def _remove_span(self, writer: Any, booking: Booking) -> None:
        from google.cloud import firestore

        ref = self._month(booking.host_id, month_key(booking.start))
        writer.set(ref, {"booked": firestore.ArrayRemove([encode_booked(_span(booking))])}, merge=True)

    # --- Retention ---------------------------------------------------------------------------------
    def delete_expired(self, collection: str, now: datetime, page: int = 400) -> int:
        """Delete documents whose `expires_at` has passed, a batch at a time."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._db.collection(collection).where(filter=FieldFilter("expires_at", "<", now)).limit(page)
        deleted = 0
        while refs := [doc.reference for doc in query.stream()]:
            batch = self._db.batch()
            for ref in refs:
                batch.delete(ref)
            batch.commit()
            deleted += len(refs)
        return deleted

    # --- Audit ledger (PII-free) --------------------------------------------------------------------
    def audit(self, action: str, subject_id: str, outcome: str, at: datetime) -> None:
        self._db.collection("audit").add(
            {"action": action, "subject": digest(f"subject:{subject_id}"), "outcome": outcome, "at": at}
        )


def encode_busy(intervals: Iterable[Interval]) -> bytes:
    """A month of busy times as packed little-endian int64 pairs (start, end) in epoch seconds.

    Bytes rather than arrays: Firestore's client deep-copies array values on every read, and this is
    the hot path of every availability request.
    """
    month = encode_month(intervals)
    pairs = array("q", (second for pair in zip(month["starts"], month["ends"], strict=True) for second in pair))
    if sys.byteorder != "little":
        pairs.byteswap()
    return pairs.tobytes()


def decode_busy(packed: bytes) -> list[Interval]:
    pairs = array("q")
    pairs.frombytes(packed)
    if sys.byteorder != "little":
        pairs.byteswap()
    return decode_month({"starts": list(pairs[0::2]), "ends": list(pairs[1::2])})


def encode_booked(span: BookedSpan) -> str:
    """One booked span as a short string, so the month document can take it with ArrayUnion/ArrayRemove."""
    seconds = (int(moment.timestamp()) for moment in (span.start, span.occupied_start, span.occupied_end))
    return "|".join((span.booking_id, span.event_type_id, *map(str, seconds), span.day_claim or ""))


def decode_booked(text: str) -> BookedSpan:
    booking_id, event_type_id, start, occupied_start, occupied_end, day_claim = text.split("|")
    moment = partial(datetime.fromtimestamp, tz=UTC)
    return BookedSpan(
        booking_id=booking_id,
        event_type_id=event_type_id,
        start=moment(int(start)),
        occupied_start=moment(int(occupied_start)),
        occupied_end=moment(int(occupied_end)),
        day_claim=day_claim or None,
    )


def _span(booking: Booking) -> BookedSpan:
    return BookedSpan(
        booking_id=booking.id,
        event_type_id=booking.event_type_id,
        start=booking.start,
        occupied_start=booking.occupied_start,
        occupied_end=booking.occupied_end,
        day_claim=booking.day_claim,
    )


def _claim_doc(booking: Booking) -> dict[str, Any]:
    """A claim names its booking and expires (retention purge, TTL) when the time it holds is past."""
    return {"booking_id": booking.id, "expires_at": booking.occupied_end}


def _booking_fields(booking: Booking) -> dict[str, Any]:
    return booking.model_dump(mode="python")


def _booking_doc(booking: Booking, claims: list[str], now: datetime) -> dict[str, Any]:
    return {**_booking_fields(booking), "claims": claims, "created_at": now, "updated_at": now}


def _booking(doc: dict[str, Any] | None) -> Booking:
    return _stored(Booking, doc)


def _page_doc(page: BookingPage) -> dict[str, Any]:
    """Firestore rejects nested arrays, so each ["09:00", "17:00"] range is stored as "09:00-17:00"."""
    doc = page.model_dump(mode="json")
    schedule = doc["schedule"]
    for days in (schedule["weekly"], schedule["overrides"]):
        for day, ranges in days.items():
            days[day] = [f"{start}-{end}" for start, end in ranges]
    return doc


def _page(doc: dict[str, Any] | None) -> BookingPage:
    assert doc is not None
    schedule = doc["schedule"]
    for days in (schedule.get("weekly", {}), schedule.get("overrides", {})):
        for day, ranges in days.items():
            days[day] = [tuple(text.split("-")) for text in ranges]
    return BookingPage.model_validate(doc)


def _host_doc(host: Host) -> dict[str, Any]:
    return host.model_dump(mode="json")


def _host(doc: dict[str, Any] | None) -> Host:
    return _stored(Host, doc)


def _stored(model: type[M], doc: dict[str, Any] | None) -> M:
    """A model from its stored document; bookkeeping fields (created_at, claims...) are not part of it."""
    assert doc is not None
    return model.model_validate({key: doc[key] for key in model.model_fields if key in doc})
