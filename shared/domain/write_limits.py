"""Booking writes counted across every instance: numbered places per key per fixed window.

A key (a client, an invitee: named by a keyed hash, never by its address) has `writes` places in each
window of `seconds`: `{scope}:{key}:{window index}:{n}`, n = 1..writes. A write takes the first free place of
each of its keys, created under "must not exist" in the write's own commit, like the invitee's and the
period places: of two racing writes for one place, the second commit fails and looks again, so racing
requests never exceed the allowance. A window that is full refuses the write until it ends. Windows are
fixed, not sliding: a key may spend one window's allowance at its end and the next one's at its start.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from shared.domain.claims import write_place
from shared.domain.errors import WritesLimited
from shared.domain.offsets import epoch_seconds, instant

CLIENT = "client"
INVITEE = "invitee"


@dataclass(frozen=True)
class Allowance:
    """At most `writes` per fixed window of `seconds`."""

    writes: int
    seconds: int

    def window(self, now: datetime) -> int:
        """The index of the window `now` lies in (windows count from the epoch)."""
        return epoch_seconds(now) // self.seconds

    def window_end(self, window: int) -> datetime:
        return instant((window + 1) * self.seconds)


@dataclass(frozen=True)
class WritePlaces:
    """One key's numbered places in one window."""

    scope: str  # CLIENT or INVITEE
    key: str  # a keyed hash of the client's address or of the invitee's email
    window: int
    allowance: Allowance

    def place(self, number: int) -> str:
        return write_place(self.scope, self.key, self.window, number)

    def names(self) -> list[str]:
        return [self.place(number) for number in range(1, self.allowance.writes + 1)]

    @property
    def expires_at(self) -> datetime:
        """When the window ends: its places count for nothing after (TTL and the purge remove them)."""
        return self.allowance.window_end(self.window)

    def free(self, taken: Collection[str]) -> list[int]:
        return [n for n, name in enumerate(self.names(), start=1) if name not in taken]

    def used(self, taken: Collection[str]) -> int:
        """How many writes this key made in its window: its places among `taken`."""
        return self.allowance.writes - len(self.free(taken))


def places_of(scope: str, key: str, allowance: Allowance, now: datetime) -> WritePlaces:
    return WritePlaces(scope, key, allowance.window(now), allowance)


@dataclass(frozen=True)
class Taken:
    """The places one write takes (one per key), and how many writes its client made before it in this window
    (its places taken when they were read): what a velocity check asks."""

    places: tuple[tuple[str, datetime], ...]  # (place, expires at)
    client_writes_before: int


def places_to_take(
    keys: tuple[WritePlaces, ...], taken: Collection[str], now: datetime, pick: Callable[[list[int]], int] = min
) -> Taken:
    """A free place of each key (`pick` chooses among the free numbers: the first, or after a lost race any
    one, so racing writes spread over the places left instead of all trying the same), given the places known
    to be taken; `WritesLimited` (with the seconds until that key's window ends) when a key has none left."""
    chosen: list[tuple[str, datetime]] = []
    client_before = 0
    for places in keys:
        free = places.free(taken)
        if not free:
            wait = math.ceil((places.expires_at - now).total_seconds())
            who = "this client" if places.scope == CLIENT else "this invitee"
            raise WritesLimited(f"{who} made too many booking changes; retry after Retry-After seconds", max(wait, 1))
        chosen.append((places.place(pick(free)), places.expires_at))
        if places.scope == CLIENT:
            client_before = places.used(taken)
    return Taken(tuple(chosen), client_before)
