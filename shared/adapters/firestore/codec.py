"""How models become Firestore documents and back; bookkeeping fields stay out of the models."""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.domain.booking_page import BookingPage
from shared.domain.intervals import EPOCH, Interval, by_start
from shared.services.records import BookedSpan

M = TypeVar("M", bound=BaseModel)
_SECOND = timedelta(seconds=1)
_PLAIN_ID = re.compile(r"(?!__)[A-Za-z0-9_-]{1,128}")


def plain_id(value: str) -> bool:
    """Ids that reach us in URLs or headers (slugs, booking and channel ids) before they become document
    ids: anything else ("..", "__x__", a slash, 2 KB of text) cannot name one of our documents."""
    return _PLAIN_ID.fullmatch(value) is not None


def digest(value: str) -> str:
    """Document ids for secrets (session tokens, OAuth states): a reader of the database cannot use them."""
    return hashlib.sha256(value.encode()).hexdigest()


def document(model: BaseModel) -> dict[str, Any]:
    """A model as Firestore stores it: instants stay timestamps (so queries compare them), tuples become
    arrays and enums their values."""
    return {key: _plain(value) for key, value in model.model_dump(mode="python").items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):  # map keys are strings in Firestore: dates (overrides) in ISO form
        return {key if isinstance(key, str) else str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(item) for item in value]
    return value


def stored(model: type[M], doc: dict[str, Any] | None) -> M:
    """A model from its stored document; bookkeeping fields (created_at, claims...) are not part of it."""
    assert doc is not None  # nosec B101  # narrows the type; callers pass a stored document (never run with -O)
    return model.model_validate({key: doc[key] for key in model.model_fields if key in doc})


def page_document(page: BookingPage) -> dict[str, Any]:
    """Firestore rejects nested arrays, so each ["09:00", "17:00"] range is stored as "09:00-17:00"."""
    doc = document(page)
    schedule = doc["schedule"]
    for days in (schedule["weekly"], schedule["overrides"]):
        for day, ranges in days.items():
            days[day] = [f"{start}-{end}" for start, end in ranges]
    return doc


def stored_page(doc: dict[str, Any] | None) -> BookingPage:
    assert doc is not None  # nosec B101  # narrows the type; callers pass a stored document (never run with -O)
    schedule = doc["schedule"]
    for days in (schedule.get("weekly", {}), schedule.get("overrides", {})):
        for day, ranges in days.items():
            days[day] = [tuple(text.split("-")) for text in ranges]
    return BookingPage.model_validate(doc)


def encode_busy(intervals: Iterable[Interval]) -> bytes:
    """A month of busy times as packed little-endian int64 pairs (start, end) in epoch seconds; starts
    round down and ends up, so busy time never shrinks.

    Bytes rather than arrays: Firestore's client deep-copies array values on every read, and this is
    the hot path of every availability request.
    """
    pairs = array("q")
    for interval in sorted(intervals, key=by_start):
        pairs.append((interval.start - EPOCH) // _SECOND)
        pairs.append(-((EPOCH - interval.end) // _SECOND))
    if sys.byteorder != "little":
        pairs.byteswap()
    return pairs.tobytes()


def decode_busy(packed: bytes) -> list[Interval]:
    pairs = array("q")
    pairs.frombytes(packed)
    if sys.byteorder != "little":
        pairs.byteswap()
    moment = _from_epoch
    return [Interval(moment(start), moment(end)) for start, end in zip(pairs[0::2], pairs[1::2], strict=True)]


def encode_booked(span: BookedSpan) -> str:
    """One booked span as a short string, so the month document can take it with ArrayUnion/ArrayRemove."""
    seconds = (int(moment.timestamp()) for moment in (span.start, span.occupied_start, span.occupied_end))
    return "|".join((span.booking_id, span.event_type_id, *map(str, seconds), span.day_claim or ""))


def decode_booked(text: str) -> BookedSpan:
    booking_id, event_type_id, start, occupied_start, occupied_end, day_claim = text.split("|")
    return BookedSpan(
        booking_id=booking_id,
        event_type_id=event_type_id,
        start=_from_epoch(int(start)),
        occupied_start=_from_epoch(int(occupied_start)),
        occupied_end=_from_epoch(int(occupied_end)),
        day_claim=day_claim or None,
    )


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
