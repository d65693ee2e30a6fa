"""How models become Firestore documents and back; bookkeeping fields stay out of the models."""

from __future__ import annotations

import hashlib
import re
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel

from shared.domain.booking_page import BookingPage
from shared.domain.claims import (
    DAY_PLACE,
    MINUTE_RUN,
    PERIOD_PLACE,
    day_name,
    day_place,
    minute_run,
    month_name,
    period_place,
    week_name,
)
from shared.domain.intervals import EPOCH, Interval, SpanSet, by_start
from shared.domain.offer import BookedSpan
from shared.domain.schedule import Schedule
from shared.domain.text import STORED

M = TypeVar("M", bound=BaseModel)
# A document's fields as written: values the client library encodes (None, bool, int, float, str, bytes,
# datetime, lists, maps and its sentinels such as SERVER_TIMESTAMP), checked by it as it encodes them.
Fields: TypeAlias = dict[str, object]
# Any: a document as plain values from an untyped source: the client library's `to_dict`, pydantic's `model_dump`.
Decoded: TypeAlias = dict[str, Any]
_SECOND = timedelta(seconds=1)
_PLAIN_ID = re.compile(r"(?!__)[A-Za-z0-9_-]{1,128}")


def plain_id(value: str) -> bool:
    """Ids that reach us in URLs or headers (slugs, booking and channel ids) before they become document
    ids: anything else ("..", "__x__", a slash, 2 KB of text) cannot name one of our documents."""
    return _PLAIN_ID.fullmatch(value) is not None


def digest(value: str) -> str:
    """Document ids for secrets (session tokens, OAuth states): a reader of the database cannot use them."""
    return hashlib.sha256(value.encode()).hexdigest()


def document(model: BaseModel) -> Decoded:
    """A model as Firestore stores it: instants stay timestamps (so queries compare them), tuples become
    arrays and enums their values."""
    return {key: _plain(value) for key, value in model.model_dump(mode="python").items()}


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):  # map keys are strings in Firestore: dates (overrides) in ISO form
        return {key if isinstance(key, str) else str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(item) for item in value]
    return value


def stored(model: type[M], doc: Mapping[str, object] | None) -> M:
    """A model from its stored document; bookkeeping fields (created_at, claims...) are not part of it."""
    assert doc is not None  # nosec B101  # narrows the type; callers pass a stored document (never run with -O)
    fields = {key: doc[key] for key in model.model_fields if key in doc}
    return model.model_validate(fields, context={STORED: True})


def page_document(page: BookingPage) -> Decoded:
    """Firestore rejects nested arrays, so each ["09:00", "17:00"] range is stored as "09:00-17:00"; it has no
    date type either, so time off keeps its days as "YYYY-MM-DD". Named schedules are stored the same way."""
    doc = document(page)
    _store_hours(doc["schedule"], page.schedule)
    for schedule_id, schedule in page.schedules.items():
        _store_hours(doc["schedules"][schedule_id], schedule)
    return doc


def _store_hours(stored_schedule: Decoded, schedule: Schedule) -> None:
    for days in (stored_schedule["weekly"], stored_schedule["overrides"]):
        for day, ranges in days.items():
            days[day] = [f"{start}-{end}" for start, end in ranges]
    stored_schedule["time_off"] = [entry.model_dump(mode="json") for entry in schedule.time_off]


def stored_page(doc: Decoded | None) -> BookingPage:
    assert doc is not None  # nosec B101  # narrows the type; callers pass a stored document (never run with -O)
    for schedule in (doc["schedule"], *doc.get("schedules", {}).values()):
        for days in (schedule.get("weekly", {}), schedule.get("overrides", {})):
            for day, ranges in days.items():
                days[day] = [tuple(text.split("-")) for text in ranges]
    return BookingPage.model_validate(doc, context={STORED: True})


def encode_busy(intervals: Iterable[Interval]) -> bytes:
    """A month of busy times as packed little-endian int64 pairs (start, end) in epoch seconds; starts
    round down and ends up, so busy time never shrinks.

    Bytes rather than arrays: Firestore's client deep-copies array values on every read, and this is
    the hot path of every availability request. Stored sorted and disjoint (`split_by_month` merges), so
    a read finds the part it needs by bisect.
    """
    pairs = array("q")
    for interval in sorted(intervals, key=by_start):
        pairs.append((interval.start - EPOCH) // _SECOND)
        pairs.append(-((EPOCH - interval.end) // _SECOND))
    if sys.byteorder != "little":
        pairs.byteswap()
    return pairs.tobytes()


def decode_busy(packed: bytes) -> list[Interval]:
    """Every busy time of a month as `Interval`s (exports; reads use `busy_overlapping`)."""
    pairs = _int64s(packed)
    moment = _from_epoch
    return [Interval(moment(start), moment(end)) for start, end in zip(pairs[0::2], pairs[1::2], strict=True)]


def busy_overlapping(packed: bytes, start: int, end: int, into: SpanSet) -> None:
    """Append to `into` the busy spans of a packed month that overlap [start, end) (epoch seconds).

    Two bisects over the packed bytes themselves find them; nothing else of the month is decoded. Months
    are appended in order, so `into` stays sorted and disjoint.
    """
    pairs = _int64s(packed)
    starts, ends = pairs[0::2], pairs[1::2]
    first, after = bisect_right(ends, start), bisect_left(starts, end)
    if first < after:
        into.starts.extend(starts[first:after].tolist())
        into.ends.extend(ends[first:after].tolist())


def _int64s(packed: bytes) -> memoryview:
    if sys.byteorder == "little":
        return memoryview(packed).cast("q")  # no copy: the bytes are read in place
    swapped = array("q")
    swapped.frombytes(packed)
    swapped.byteswap()
    return memoryview(swapped)


# One booked span, as one element of the month's `booked` array (ArrayUnion/ArrayRemove keep it without a
# read): big-endian so the elements sort by time as bytes; 47 bytes.
#   >q occupied start, >q occupied end, >q meeting start (epoch seconds)
#   16s the booking id (a uuid4 in hex, as bytes), 5s the event type id ("et" + 10 hex digits, as bytes)
#   >H the day's numbered place: 0 none, else 0x8000 | (claim date - UTC date of the start + 1) << 9 | number
# A booking with a place in its week or month (weekly/monthly limits) has 4 bytes more, 51 in all:
#   >I (host-local date - UTC date of the start + 1) << 22 | week place << 11 | month place (0: none)
# A booking with runs of minute places (daily/weekly minutes limits) has 6 bytes more again, 57 in all:
#   >H the runs' length, >H the first place of its day's run, >H of its week's run (0: none)
_BOOKED = struct.Struct(">qqq16s5sH")
_BOOKED_PERIODS = struct.Struct(">qqq16s5sHI")
_BOOKED_MINUTES = struct.Struct(">qqq16s5sHIHHH")
_BOOKING_ID = re.compile(r"[0-9a-f]{32}")
_EVENT_TYPE_ID = re.compile(r"et([0-9a-f]{10})")
_HAS_PLACE = 0x8000
_PERIOD_NUMBER = 0x7FF


def encode_booked(host_id: str, span: BookedSpan) -> bytes:
    """One booked span as a packed array element (see `_BOOKED`)."""
    booking = _BOOKING_ID.fullmatch(span.booking_id)
    event_type = _EVENT_TYPE_ID.fullmatch(span.event_type_id)
    if booking is None or event_type is None:
        raise ValueError(f"booking {span.booking_id!r} / event type {span.event_type_id!r}: not ids we issue")
    fields = (
        span.occupied_start,
        span.occupied_end,
        span.start,
        bytes.fromhex(span.booking_id),
        bytes.fromhex(event_type.group(1)),
        _place(host_id, span),
    )
    if span.minute_places:
        return _BOOKED_MINUTES.pack(*fields, _period_places(host_id, span), *_minute_runs(host_id, span))
    if not span.period_claims:
        return _BOOKED.pack(*fields)
    return _BOOKED_PERIODS.pack(*fields, _period_places(host_id, span))


def _minute_runs(host_id: str, span: BookedSpan) -> tuple[int, int, int]:
    """(length, first place in the day, first place in the week) of the span's minute runs."""
    firsts = {"d": 0, "w": 0}
    lengths = set()
    for text in span.minute_places:
        run = MINUTE_RUN.fullmatch(text)
        if run is None or run["host"] != host_id or run["type"] != span.event_type_id:
            raise ValueError(f"{text!r} is not a run of minute places of this host and event type")
        kind, first, count = run["period"][0], int(run["first"]), int(run["count"])
        if firsts[kind] or not 1 <= first <= 0xFFFF or not 1 <= count <= 0xFFFF:
            raise ValueError(f"{text!r} cannot be packed")
        firsts[kind] = first
        lengths.add(count)
    if len(lengths) != 1:
        raise ValueError(f"{span.minute_places!r}: a booking's runs have one length")
    return lengths.pop(), firsts["d"], firsts["w"]


def booked_overlapping(host_id: str, elements: list[bytes | str], start: int, end: int) -> list[BookedSpan]:
    """The booked spans of a month's `booked` array that overlap [start, end) (epoch seconds), by time.

    The elements sort by time as bytes; confirmed bookings never overlap (their claims forbid it) except the
    seats of one group session, whose spans are equal, so the ends are in order too and two bisects find
    the overlapping ones: only those are unpacked.
    Strings are spans written before the packed form (see `legacy_booked`), read as they were.
    """
    packed = sorted(element for element in elements if type(element) is bytes)
    spans: list[BookedSpan] = []
    if packed:
        first = bisect_right(packed, start, key=_occupied_end)
        after = bisect_left(packed, _BOOKED_START.pack(end))
        found = packed[first:after]
        joined = b"".join(found)
        if len(joined) == len(found) * _BOOKED.size:  # no period places among them: one unpack for all
            spans = [_unpacked(host_id, *fields) for fields in _BOOKED.iter_unpack(joined)]
        else:
            spans = [_unpacked(host_id, *_layout(element).unpack(element)) for element in found]
    if len(packed) != len(elements):
        legacy = (_from_legacy(text) for text in elements if type(text) is str)
        spans = sorted([*spans, *(span for span in legacy if span.occupied_start < end and start < span.occupied_end)])
    return spans


_BOOKED_START = struct.Struct(">q")


def _occupied_end(element: bytes) -> int:
    return int.from_bytes(element[8:16], "big", signed=True)


def _place(host_id: str, span: BookedSpan) -> int:
    if span.day_claim is None:
        return 0
    claim = DAY_PLACE.fullmatch(span.day_claim)
    if claim is None or claim["host"] != host_id or claim["type"] != span.event_type_id:
        raise ValueError(f"{span.day_claim!r} is not a day place of this host and event type")
    text = claim["day"]
    day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    shift = (day - _from_epoch(span.start).date()).days + 1  # the host's date is the UTC date -1, 0 or +1
    number = int(claim["number"])
    if not 0 <= shift <= 2 or not 1 <= number <= 0x1FF:
        raise ValueError(f"{span.day_claim!r} cannot be packed")
    return _HAS_PLACE | shift << 9 | number


_LAYOUTS = {layout.size: layout for layout in (_BOOKED, _BOOKED_PERIODS, _BOOKED_MINUTES)}


def _layout(element: bytes) -> struct.Struct:
    return _LAYOUTS[len(element)]


def _period_places(host_id: str, span: BookedSpan) -> int:
    """The week and month places as one int; the host-local date is the UTC date -1, 0 or +1, the one the
    claims' week and month (and the day place, if any) agree with."""
    week = month = 0
    names: dict[str, str] = {}
    for text in span.minute_places:  # the day and week their runs lie in
        run = MINUTE_RUN.fullmatch(text)
        if run is not None:  # else refused by `_minute_runs`
            names[f"minutes-{run['period'][0]}"] = run["period"]
    for text in span.period_claims:
        claim = PERIOD_PLACE.fullmatch(text)
        if claim is None or claim["host"] != host_id or claim["type"] != span.event_type_id:
            raise ValueError(f"{text!r} is not a week or month place of this host and event type")
        number, kind = int(claim["number"]), claim["period"][0]
        if not 1 <= number <= _PERIOD_NUMBER or kind in names:
            raise ValueError(f"{text!r} cannot be packed")
        names[kind] = claim["period"]
        week, month = (number, month) if kind == "w" else (week, number)
    utc_day = _from_epoch(span.start).date()
    shifts = [(_place(host_id, span) >> 9 & 3) - 1] if span.day_claim else [0, -1, 1]
    for shift in shifts:
        local = utc_day + timedelta(days=shift)
        expected = (
            ("w", week_name(local)),
            ("m", month_name(local)),
            ("minutes-w", week_name(local)),
            ("minutes-d", day_name(local)),
        )
        if all(names.get(kind, name) == name for kind, name in expected):
            return (shift + 1) << 22 | week << 11 | month
    raise ValueError(f"{span.period_claims + span.minute_places!r} do not name the periods of the booking")


def _unpacked(
    host_id: str,
    occupied_start: int,
    occupied_end: int,
    start: int,
    booking: bytes,
    event_type: bytes,
    place: int,
    periods: int = 0,
    run_length: int = 0,
    day_run: int = 0,
    week_run: int = 0,
) -> BookedSpan:
    event_type_id = f"et{event_type.hex()}"
    day_claim = None
    if place & _HAS_PLACE:
        day = _from_epoch(start).date() + timedelta(days=(place >> 9 & 3) - 1)
        day_claim = day_place(host_id, event_type_id, day, place & 0x1FF)
    period_claims: tuple[str, ...] = ()
    if periods:
        local = _from_epoch(start).date() + timedelta(days=(periods >> 22 & 3) - 1)
        week, month = periods >> 11 & _PERIOD_NUMBER, periods & _PERIOD_NUMBER
        period_claims = tuple(
            period_place(host_id, event_type_id, name, number)
            for name, number in ((week_name(local), week), (month_name(local), month))
            if number
        )
    minute_runs: tuple[str, ...] = ()
    if run_length:
        local = _from_epoch(start).date() + timedelta(days=(periods >> 22 & 3) - 1)
        minute_runs = tuple(
            minute_run(host_id, event_type_id, name, first, run_length)
            for name, first in ((day_name(local), day_run), (week_name(local), week_run))
            if first
        )
    return BookedSpan(
        occupied_start, occupied_end, start, booking.hex(), event_type_id, day_claim, period_claims, minute_runs
    )


def legacy_booked(span: BookedSpan) -> str:
    """The string a span was stored as before the packed form: removed alongside the packed element, so a
    booking written before the change is released all the same (no migration needed)."""
    fields = (span.booking_id, span.event_type_id, span.start, span.occupied_start, span.occupied_end)
    return "|".join((*map(str, fields), span.day_claim or ""))


def _from_legacy(text: str) -> BookedSpan:
    booking_id, event_type_id, start, occupied_start, occupied_end, day_claim = text.split("|")
    return BookedSpan(int(occupied_start), int(occupied_end), int(start), booking_id, event_type_id, day_claim or None)


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
