"""Turning a host's wall-clock times into instants, honestly across DST transitions.

A local time can exist once, twice (a DST overlap: clocks go back) or not at all (a DST gap: clocks jump
forward). The scheduler takes an ambiguous time at its first occurrence (`fold=0`) and skips a missing one.
Wall times are naive `datetime`s read in the given zone.
"""

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

_SECOND = timedelta(seconds=1)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def existing_instant(wall: datetime, zone: tzinfo) -> datetime | None:
    """The first instant (UTC) at which `zone`'s clocks read `wall`, or None if they never do."""
    if wall.fold:
        wall = wall.replace(fold=0)  # fold=0 reads an ambiguous time at its first occurrence
    offset = zone.utcoffset(wall)
    if offset is None:
        raise ValueError(f"{zone!r} gives no UTC offset")
    since_epoch = wall - offset - _NAIVE_EPOCH
    # For a time inside a gap, fold=0 lands after the jump, where the clock reads something else.
    if _wall_at(since_epoch, zone) != wall:
        return None
    return _UTC_EPOCH + since_epoch


def _wall_at(since_epoch: timedelta, zone: tzinfo) -> datetime:
    # The naive wall-clock reading of `zone` at an instant. Written with timedelta arithmetic and
    # `fromutc` because `replace(tzinfo=...)` costs ~1 us in CPython 3.11 and this runs per candidate slot.
    epoch_in_zone = _epoch_in(zone)
    local = zone.fromutc(epoch_in_zone + since_epoch)
    return _NAIVE_EPOCH + (local - epoch_in_zone)  # same tzinfo: subtraction ignores offsets


@lru_cache(maxsize=64)
def _epoch_in(zone: tzinfo) -> datetime:
    return datetime(1970, 1, 1, tzinfo=zone)


def first_instant_at_or_after(wall: datetime, zone: tzinfo) -> datetime:
    """The first instant (UTC) at which `zone`'s clocks read `wall` or later.

    Used for window bounds: a bound in a gap maps forward to the transition itself (the clock never
    reads 02:30 on a spring-forward night, so "until 02:30" ends when the clock jumps).
    """
    instant = existing_instant(wall, zone)
    return instant if instant is not None else _transition_in_gap(wall, zone)


def _transition_in_gap(wall: datetime, zone: tzinfo) -> datetime:
    # Read with the offset after the jump, `wall` gives an instant before the transition (clock < wall);
    # read with the offset before it, an instant after (clock > wall). Transitions fall on whole seconds,
    # so bisect the whole seconds between them for the first one whose clock reads `wall` or later.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = 0, int((wall.replace(tzinfo=zone, fold=0).astimezone(UTC) - before) / _SECOND)
    while high - low > 1:
        middle = (low + high) // 2
        if (before + middle * _SECOND).astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return before + high * _SECOND
