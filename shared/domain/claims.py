"""Booking rules: the time a booking occupies and the claim documents that make it exclusive.

A booking claims every 5-minute UTC granule its occupied span touches, one `slot_claims` document per
granule, created with "must not exist" in the same commit as the booking: of two overlapping bookings the
second commit fails. Buffers are part of the span, so two bookings never sit inside each other's buffers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain.event_type import EventType
from shared.domain.intervals import EPOCH, Interval, as_utc

GRANULE_MINUTES = 5


def meeting(start: datetime, event_type: EventType) -> Interval:
    """The meeting itself: [start, start + duration)."""
    return Interval(start, start + timedelta(minutes=event_type.duration_minutes))


def occupied_span(start: datetime, event_type: EventType) -> Interval:
    """The meeting widened by its buffers: [start - buffer_before, end + buffer_after)."""
    return Interval(
        start - timedelta(minutes=event_type.buffer_before_minutes),
        start + timedelta(minutes=event_type.duration_minutes + event_type.buffer_after_minutes),
    )


def claim_granules(span: Interval, minutes: int = GRANULE_MINUTES) -> list[datetime]:
    """Starts of the UTC-aligned `minutes` granules that [span.start, span.end) touches, in order."""
    if minutes <= 0:
        raise ValueError("granule length must be positive")
    granule = timedelta(minutes=minutes)
    first = (span.start - EPOCH) // granule
    after_last = -((EPOCH - span.end) // granule)  # ceiling: a partly covered last granule counts
    return [EPOCH + index * granule for index in range(first, after_last)]


def claim_id(host_id: str, granule: datetime) -> str:
    """Document id of the claim on one granule, e.g. "h123:20270314T0700Z"; readable and sortable."""
    if not host_id or "/" in host_id:
        raise ValueError("host id must be non-empty and contain no '/' (it becomes a document id)")
    return f"{host_id}:{as_utc(granule):%Y%m%dT%H%MZ}"


def claim_ids(host_id: str, span: Interval) -> list[str]:
    """Every claim document id a booking occupying `span` must create."""
    return [claim_id(host_id, granule) for granule in claim_granules(span)]
