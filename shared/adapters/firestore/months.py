"""hosts/{host_id}/months/{YYYY-MM}: one UTC month of a host's time.

`busy` is the mirror of Google's free/busy (packed int64 pairs); `booked_on` holds our confirmed
bookings' spans by the UTC day their meeting starts (`{"d07": [span, ...]}`, one packed element each, so
ArrayUnion/ArrayRemove keep them without a read). An availability read is one batch get of the booking
page and the months it needs, with a field mask that leaves out the days it cannot touch: a booking costs
the same whatever its month holds, and only busy and booked spans overlapping the asked instants are
decoded. `booked` is the month-wide array spans were kept in before: read and released, never added to.

assignment_tallies/{host}:{team type}:assigned: a member's round-robin tally of a team type
(shared/domain/tallies.py), read with the members' snapshots in the same batch get and changed by field
transforms in the booking's commit (`assigned.d{UTC day number}` incremented or decremented, `assigned_last`
a maximum), so racing bookings of one member never lose a count; days older than the window are deleted by
the member's next assignment, and a tally whose last assignment left the window goes with the purge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from shared.adapters.firestore.bot_gate import BOOKINGS_FIELD, velocity_ref
from shared.adapters.firestore.codec import (
    booked_overlapping,
    busy_overlapping,
    decode_busy,
    encode_booked,
    encode_busy,
    legacy_booked,
    plain_id,
)
from shared.adapters.firestore.collections import ASSIGNMENT_TALLIES, HOSTS, MONTHS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import delete_matching
from shared.adapters.firestore.unit import Unit
from shared.domain.booking import Booking
from shared.domain.booking_page import BookingPage
from shared.domain.busy import month_end, month_key, month_keys, split_by_month
from shared.domain.claims import assignment_tally_id
from shared.domain.event_type import LONGEST_BUFFER_MINUTES, LONGEST_MEETING_MINUTES
from shared.domain.intervals import Interval, SpanSet, as_utc
from shared.domain.offer import AvailabilitySnapshot, BookedSpan, held_spans
from shared.domain.offsets import epoch_seconds, epoch_seconds_up
from shared.domain.tallies import RECENT_DAYS, AssignmentTally, TallyChange
from shared.services.ports import Exported, JsonObject

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.unit import Snapshot
    from shared.adapters.firestore.wire import StoredFields, WireValue


BOOKED_ON = "booked_on"
LEGACY_BOOKED = "booked"
# A booked span lies within these of its meeting's start (the longest buffer before; the longest meeting
# and buffer after), so the days whose meetings could overlap a range are known before reading.
_REACH_BEFORE = timedelta(minutes=LONGEST_BUFFER_MINUTES)
_REACH_AFTER = timedelta(minutes=LONGEST_MEETING_MINUTES + LONGEST_BUFFER_MINUTES)
_PAGE_FIELDS = list(BookingPage.model_fields)  # a page document's fields are its model's (codec.page_document)
_HINT_LIMIT = 10_000
_ALL = 1 << 62  # later than any instant: "every span of the month"
ASSIGNED, ASSIGNED_LAST = "assigned", "assigned_last"  # a tally's counts by day, and its latest assignment
_TALLY_FIELDS = [ASSIGNED, ASSIGNED_LAST]


class FirestoreBusyMonths:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def _month(self, host_id: str, key: str) -> DocumentReference:
        return self._unit.db.document(HOSTS, host_id, MONTHS, key)

    def _all(self, host_id: str) -> list[Snapshot]:
        return list(self._unit.db.collection(HOSTS, host_id, MONTHS).stream(**reads()))

    def snapshot(
        self,
        slug: str,
        start: datetime,
        end: datetime,
        places: Sequence[str] = (),
        velocity_windows: tuple[int, ...] = (),
    ) -> AvailabilitySnapshot | None:
        """Page, busy times and booked spans for [start, end), usually in one round trip; with them, which of
        `places` (a booking write's places, write_places.py) exist, so counting a write costs no read, and the
        host's bookings counted in the bot gate's `velocity_windows` (their documents ride in the same get).

        The slug's host id is remembered per instance, so the page and the host's month documents are
        fetched together; a stale guess (the slug moved) is detected and answered by a fresh lookup.
        """
        if not plain_id(slug):
            return None
        hints = self._unit.caches.slug_hosts
        host_id = hints.get(slug)
        if host_id is not None:
            found = self._snapshot(slug, host_id, start, end, places, velocity_windows)
            if found is not None:
                return found
            hints.pop(slug, None)
        page = self._unit.pages.get(slug)
        if page is None:
            return None
        if len(hints) > _HINT_LIMIT:
            hints.clear()
        hints[slug] = page.host_id
        return self._snapshot(slug, page.host_id, start, end, places, velocity_windows)

    def snapshots(
        self, host_ids: Sequence[str], start: datetime, end: datetime, tallies_of: str | None = None
    ) -> dict[str, AvailabilitySnapshot]:
        """`snapshot` for several hosts (a team's members) in one batch get: each one's page, busy times and
        booked spans for [start, end), by host id, with their tallies of the team type `tallies_of` if asked.
        Their slugs are remembered per instance, as `snapshot` remembers slugs' hosts (a first look reads
        them, masked to the slug, in one more batch get); a stale one (the host moved their page) is looked
        up again. A host without a page is left out."""
        return self.snapshots_with(host_ids, MembersSpan(start, end, tallies_of), [], [])[0]

    def snapshots_with(
        self, host_ids: Sequence[str], span: MembersSpan, also: list[DocumentReference], also_fields: list[str]
    ) -> tuple[dict[str, AvailabilitySnapshot], dict[str, StoredFields]]:
        """`snapshots`, with the documents `also` (their fields `also_fields`) read in the same first batch
        get (by path): a team's record and claim ride with its members' time (shared/adapters/firestore/teams.py)."""
        hints = self._unit.caches.host_slugs
        slugs = self._slugs_of(host_ids)
        found, docs = self._many(slugs, span, also, also_fields)
        stale = [host_id for host_id in slugs if host_id not in found]
        if stale:
            for host_id in stale:
                hints.pop(host_id, None)
            found |= self._many(self._slugs_of(stale), span, [], [])[0]
        return {host_id: found[host_id] for host_id in host_ids if host_id in found}, docs

    def _slugs_of(self, host_ids: Sequence[str]) -> dict[str, str]:
        hints = self._unit.caches.host_slugs
        unknown = [host_id for host_id in host_ids if host_id not in hints and plain_id(host_id)]
        if unknown:
            refs = [self._unit.db.collection(HOSTS).document(host_id) for host_id in unknown]
            docs = self._unit.read_fields(refs, ["slug"])
            if len(hints) > _HINT_LIMIT:
                hints.clear()
            for host_id, ref in zip(unknown, refs, strict=True):
                slug = docs[ref.path].value("slug")
                if slug is not None and slug.string_value:
                    hints[host_id] = slug.string_value
        return {host_id: hints[host_id] for host_id in host_ids if host_id in hints}

    def _many(
        self, slugs: dict[str, str], span: MembersSpan, also: list[DocumentReference], also_fields: list[str]
    ) -> tuple[dict[str, AvailabilitySnapshot], dict[str, StoredFields]]:
        """The snapshots of these hosts (host id -> slug) from one batch get, with their tallies of the
        team type asked for (k more documents in the same get) and the documents `also`; a page that is not
        that host's is left out."""
        if not slugs and not also:
            return {}, {}
        start, end, tallies_of, places, windows = span
        keys, days = month_keys(start, end), _meeting_days(start, end)
        refs = [ref for host_id, slug in slugs.items() for ref in self._refs(host_id, slug, keys, [], windows)]
        place_refs = [self._unit.write_places.ref(place) for place in places]
        tallies = {host_id: self._tally(host_id, tallies_of) for host_id in slugs} if tallies_of else {}
        fields = _fields(days) + (_TALLY_FIELDS if tallies else []) + also_fields
        docs = self._unit.read_fields([*refs, *place_refs, *tallies.values(), *also], list(dict.fromkeys(fields)))
        taken = frozenset(place for place, ref in zip(places, place_refs, strict=True) if docs[ref.path].exists)
        found = {}
        for host_id, slug in slugs.items():
            read = _Read(host_id, slug, keys, days, start, end)
            if (snapshot := self._parsed(docs, read, taken, windows)) is not None:
                tally = tallies.get(host_id)
                found[host_id] = replace(snapshot, assignments=_tally(docs[tally.path])) if tally else snapshot
        return found, docs

    def _tally(self, host_id: str, event_type_id: str) -> DocumentReference:
        return self._unit.db.collection(ASSIGNMENT_TALLIES).document(assignment_tally_id(host_id, event_type_id))

    def tally(self, change: TallyChange) -> None:
        """Transforms only, no precondition: a count never fails the booking's commit, and every racer's lands."""
        from google.cloud import firestore

        days: dict[str, object] = {_tally_day(day): firestore.DELETE_FIELD for day in change.stale}
        days[_tally_day(change.day)] = firestore.Increment(change.step)
        counted = {"host_id": change.host_id, ASSIGNED: days, ASSIGNED_LAST: firestore.Maximum(change.at)}
        self._unit.merge(self._tally(change.host_id, change.event_type_id), counted)

    def _tallies_of(self, host_id: str) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(ASSIGNMENT_TALLIES).where(filter=FieldFilter("host_id", "==", host_id))
        return list(query.stream(**reads()))

    def _refs(
        self, host_id: str, slug: str, keys: list[str], place_refs: list[DocumentReference], windows: tuple[int, ...]
    ) -> list[DocumentReference]:
        counters = [velocity_ref(self._unit.db, host_id, window) for window in windows]
        months = [self._month(host_id, key) for key in keys]
        return [self._unit.pages.ref(slug), *months, *place_refs, *counters]

    def _snapshot(
        self,
        slug: str,
        host_id: str,
        start: datetime,
        end: datetime,
        places: Sequence[str],
        velocity_windows: tuple[int, ...],
    ) -> AvailabilitySnapshot | None:
        # Spans are kept in the month their meeting starts: one that began in an earlier month the range does
        # not touch is not seen. Callers read LOOKAROUND (26 h) beyond what they decide on, which holds it.
        keys, days = month_keys(start, end), _meeting_days(start, end)
        place_refs = [self._unit.write_places.ref(place) for place in places]
        docs = self._unit.read_fields(self._refs(host_id, slug, keys, place_refs, velocity_windows), _fields(days))
        taken = frozenset(place for place, ref in zip(places, place_refs, strict=True) if docs[ref.path].exists)
        return self._parsed(docs, _Read(host_id, slug, keys, days, start, end), taken, velocity_windows)

    def _parsed(
        self, docs: dict[str, StoredFields], read: _Read, taken: frozenset[str], velocity_windows: tuple[int, ...]
    ) -> AvailabilitySnapshot | None:
        """One host's snapshot from a batch get's documents (None: the slug's page is not this host's)."""
        host_id = read.host_id
        page_doc = docs[self._unit.pages.ref(read.slug).path]
        owner = page_doc.value("host_id")
        if owner is None or owner.string_value != host_id:
            return None
        first, after = epoch_seconds(read.start), epoch_seconds_up(read.end)
        busy, booked = SpanSet(), []
        for key in read.keys:
            month = docs[self._month(host_id, key).path]
            if (packed := month.value("busy")) is not None:
                busy_overlapping(packed.bytes_value, first, after, busy)
            elements = _elements(month.value(LEGACY_BOOKED))
            if (by_day := month.value(BOOKED_ON)) is not None:
                fields = by_day.map_value.fields
                for name in read.days.get(key, set()) & set(fields):
                    elements.extend(_elements(fields[name]))
            if elements:
                booked.extend(booked_overlapping(host_id, elements, first, after))
        counters = [velocity_ref(self._unit.db, host_id, window) for window in velocity_windows]
        recent = sum(_count(docs[counter.path].value(BOOKINGS_FIELD)) for counter in counters)
        page = self._unit.pages.parsed(page_doc)
        return AvailabilitySnapshot(
            page=page, busy=busy, booked=booked, places_taken=taken, host_recent_bookings=recent, slug=read.slug
        )

    def replace_busy(self, host_id: str, window: Interval, busy: list[Interval], synced_at: datetime) -> None:
        """Every month the window touches gets its new busy times (months that became free are emptied);
        the booked spans beside them are ours and stay."""
        by_month = split_by_month(busy)
        for key in month_keys(window.start, window.end):
            month = {"busy": encode_busy(by_month.get(key, [])), "busy_synced_at": synced_at, "ends_at": month_end(key)}
            self._unit.merge(self._month(host_id, key), month)

    def clear_busy(self, host_id: str) -> int:
        """The `busy` fields go; a month left without booked spans goes entirely."""
        from google.cloud import firestore

        purged = 0
        for month in self._all(host_id):
            data = month.to_dict() or {}  # a listed document: never none
            if data.get(LEGACY_BOOKED) or any((data.get(BOOKED_ON) or {}).values()):
                self._unit.merge(
                    month.reference, {"busy": firestore.DELETE_FIELD, "busy_synced_at": firestore.DELETE_FIELD}
                )
            else:
                self._unit.delete(month.reference)
            purged += "busy" in data
        return purged

    def move_span(self, before: Booking | None, after: Booking | None) -> None:
        """The booking's span leaves its old month and joins its new one (either may be absent), in each
        holder's months (a collective team booking's co-hosts keep it too)."""
        old_spans, new_spans = held_spans(before), held_spans(after)
        for holder in dict.fromkeys([*old_spans, *new_spans]):
            old, new = old_spans.get(holder), new_spans.get(holder)
            if old != new:
                self._move_holder_span(holder, (before, old), (after, new))

    def _move_holder_span(
        self, holder: str, old: tuple[Booking | None, BookedSpan | None], new: tuple[Booking | None, BookedSpan | None]
    ) -> None:
        from google.cloud import firestore

        (before, old_span), (after, new_span) = old, new
        if before is not None and old_span is not None:
            key = month_key(before.start)
            packed = encode_booked(holder, old_span)
            # Kept in the month-wide array before days, as a string before packing: released from there too.
            gone = {
                BOOKED_ON: {_day_field(as_utc(before.start).date()): firestore.ArrayRemove([packed])},
                LEGACY_BOOKED: firestore.ArrayRemove([packed, legacy_booked(old_span)]),
            }
            self._unit.merge(self._month(holder, key), {**gone, "ends_at": month_end(key)})
        if after is not None and new_span is not None:
            key = month_key(after.start)
            added = {_day_field(as_utc(after.start).date()): firestore.ArrayUnion([encode_booked(holder, new_span)])}
            self._unit.merge(self._month(holder, key), {BOOKED_ON: added, "ends_at": month_end(key)})

    def purge(self, ended_before: datetime) -> dict[str, int]:
        """Months of every host that ended before `ended_before` (nothing can be booked in them)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        past = self._unit.db.collection_group(MONTHS).where(filter=FieldFilter("ends_at", "<", ended_before))
        idle = FieldFilter(ASSIGNED_LAST, "<", _idle_since(ended_before))
        idle_tallies = self._unit.db.collection(ASSIGNMENT_TALLIES).where(filter=idle)
        return {
            "months_deleted": delete_matching(self._unit.db, past),
            "assignment_tallies_deleted": delete_matching(self._unit.db, idle_tallies),
        }

    def export_subject(self, host_id: str) -> Exported:
        exported: Exported = []
        for month in self._all(host_id):
            data = month.to_dict() or {}  # a listed document: never none
            busy = decode_busy(data["busy"]) if data.get("busy") else []
            elements = [*data.get(LEGACY_BOOKED, []), *(e for day in data.get(BOOKED_ON, {}).values() for e in day)]
            booked = booked_overlapping(host_id, elements, 0, _ALL)
            exported.append(
                {
                    "month": month.id,
                    "busy": [{"start": i.start.isoformat(), "end": i.end.isoformat()} for i in busy],
                    "bookings": [span.booking_id for span in booked],
                }
            )
        for tally in self._tallies_of(host_id):
            data = tally.to_dict() or {}  # a listed document: never none
            by_day = {day: count for day, count in _tally_days(data.get(ASSIGNED) or {}).items() if count > 0}
            exported.append(_exported_tally(tally.id.split(":")[1], by_day, data.get(ASSIGNED_LAST)))
        return exported

    def erase_subject(self, host_id: str) -> int:
        found = [*self._all(host_id), *self._tallies_of(host_id)]
        for record in found:
            self._unit.delete(record.reference)
        return len(found)


class MembersSpan(NamedTuple):
    """What a batch get of several hosts covers: [start, end), the team type whose tallies ride along, and a
    booking write's places and the bot gate's windows (as `snapshot` reads them for one host)."""

    start: datetime
    end: datetime
    tallies_of: str | None
    places: tuple[str, ...] = ()
    velocity_windows: tuple[int, ...] = ()


def _tally_day(day: int) -> str:
    """A day's key in a tally's `assigned` map: a field path segment needs no quoting when it starts with a letter."""
    return f"d{day}"


def _tally_days(by_day: Mapping[str, int]) -> dict[int, int]:
    return {int(key[1:]): int(count) for key, count in by_day.items() if key.startswith("d") and key[1:].isdigit()}


def _tally(doc: StoredFields) -> AssignmentTally:
    """A tally as read in wire form (no document: nobody assigned yet). Days at zero are no days."""
    by_day = doc.value(ASSIGNED)
    counts = {key: int(value.integer_value) for key, value in by_day.map_value.fields.items()} if by_day else {}
    days = tuple(sorted((day, count) for day, count in _tally_days(counts).items() if count))
    last = doc.value(ASSIGNED_LAST)
    return AssignmentTally(days, int(last.integer_value) if last is not None else None)


def _idle_since(ended_before: datetime) -> int:
    """A tally whose last assignment came before this (epoch seconds) counts nothing any more."""
    return epoch_seconds(ended_before) - RECENT_DAYS * 86_400


def _exported_day(day: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).date().isoformat()


def _exported_tally(event_type_id: str, by_day: Mapping[int, int], last_at: int | None) -> JsonObject:
    """A member's tally as their export shows it: the team type, the assignments by UTC date, the latest."""
    last = datetime.fromtimestamp(last_at, UTC).isoformat() if last_at is not None else None
    days = {_exported_day(day): count for day, count in sorted(by_day.items())}
    return {"team_event_type": event_type_id, "assignments_by_day": days, "last_assigned_at": last}


@dataclass(frozen=True)
class _Read:
    """What one host's part of a batch get asked for: their page (by slug) and months, over [start, end)."""

    host_id: str
    slug: str
    keys: list[str]
    days: dict[str, set[str]]
    start: datetime
    end: datetime


def _fields(days: dict[str, set[str]]) -> list[str]:
    """The field mask: the page's fields, the months' busy and legacy spans, and only the days asked for."""
    wanted = sorted(set().union(*days.values()))
    return [*_PAGE_FIELDS, "busy", LEGACY_BOOKED, *(f"{BOOKED_ON}.{name}" for name in wanted), BOOKINGS_FIELD]


def _meeting_days(start: datetime, end: datetime) -> dict[str, set[str]]:
    """The UTC days on which a meeting whose span overlaps [start, end) can start: their `booked_on` keys by
    month ("YYYY-MM")."""
    first, last = (start - _REACH_AFTER).astimezone(UTC).date(), (end + _REACH_BEFORE).astimezone(UTC).date()
    days: dict[str, set[str]] = {}
    for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
        days.setdefault(f"{day:%Y-%m}", set()).add(_day_field(day))
    return days


def _day_field(day: date) -> str:
    """The key of a day in `booked_on` ("d07"): a field path segment needs no quoting when it starts with a
    letter."""
    return f"d{day.day:02}"


def _elements(value: WireValue | None) -> list[bytes | str]:
    """The spans of a stored array (packed bytes, or strings from before packing) without decoding them."""
    if value is None:
        return []
    return [
        element.bytes_value if element.WhichOneof("value_type") == "bytes_value" else element.string_value
        for element in value.array_value.values
    ]


def _count(value: WireValue | None) -> int:
    """A counter field as read in wire form (absent: nothing counted)."""
    return int(value.integer_value) if value is not None else 0
