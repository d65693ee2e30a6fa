"""Booking writes counted per client and per invitee across every instance (shared/domain/write_limits.py).

A write's places are looked up in the read it makes anyway (a booking's or a reschedule's offer read) and
created in its own commit; cancel and correct, which read no offer, look them up in one small read. The
in-memory limiter (shared/web/rate_limit.py) stays the cheap first line in front of this.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from shared.config import get_settings
from shared.domain.booking import normalised_email
from shared.domain.errors import ClaimConflict
from shared.domain.write_limits import CLIENT, INVITEE, Allowance, Taken, WritePlaces, places_of, places_to_take
from shared.services.ports import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Writer:
    """Who makes a booking write: the client (its name, shared/web/client_address.py), the time, the
    allowances, and the app secret that turns client and invitee into keyed hashes (never stored as such)."""

    client: str
    now: datetime
    per_client: Allowance
    per_invitee: Allowance
    key: str = field(repr=False)

    def places(self, invitee_email: str) -> tuple[WritePlaces, WritePlaces]:
        invitee = normalised_email(invitee_email, for_limits=True)
        return (
            places_of(CLIENT, keyed(self.key, CLIENT, self.client), self.per_client, self.now),
            places_of(INVITEE, keyed(self.key, INVITEE, invitee), self.per_invitee, self.now),
        )


def writer_of(client: str | None, key: str, now: datetime) -> Writer | None:
    """Who makes this booking write, for the allowances counted across instances in Firestore: "booking-writes"
    per client, `invitee_write_limit` per invitee. None: not counted (no client named, as for a host's own
    write, or client limits are off)."""
    settings = get_settings()
    if client is None or not settings.client_limits_enabled:
        return None
    per_client, per_invitee = settings.client_limits["booking-writes"], settings.invitee_write_limit
    return Writer(
        client=client,
        now=now,
        per_client=Allowance(per_client[0], math.ceil(per_client[1])),
        per_invitee=Allowance(per_invitee[0], math.ceil(per_invitee[1])),
        key=key,
    )


def keyed(key: str, scope: str, value: str) -> str:
    """A keyed hash (HMAC-SHA-256, 128 bits shown): the same client or invitee always gets the same name,
    and nobody without the app secret can tell whose it is or test a guess."""
    return hmac.new(key.encode(), f"write-limit:{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def place_names(keys: Collection[WritePlaces]) -> list[str]:
    """Every place of these keys in their windows: what a write looks up."""
    return [name for places in keys for name in places.names()]


def client_writes_before(writer: Writer | None, invitee_email: str, taken: Collection[str]) -> int:
    """How many booking writes the writer's client made in this window (its places among `taken`): the
    client's velocity, which the bot gate weighs (0 when writes are not counted)."""
    if writer is None:
        return 0
    client, _ = writer.places(invitee_email)
    return client.used(taken)


def take(counted: Taken | None, uow: UnitOfWork) -> None:
    """Stage the write's places in the open unit (nothing when limits are off)."""
    for place, expires_at in counted.places if counted else ():
        uow.write_places.take(place, expires_at)


@dataclass(frozen=True)
class SeenPlaces:
    """A counted write's writer and invitee, and the places its own read found taken."""

    writer: Writer
    invitee_email: str
    taken: Collection[str]


def counted_write(writer: Writer | None, invitee_email: str, uow: UnitOfWork, write: Callable[[Taken | None], T]) -> T:
    """`write(counted)` with the first free places of the client and the invitee, read first (None: not
    counted)."""
    if writer is None:
        return write(None)
    taken = uow.write_places.taken(place_names(writer.places(invitee_email)))
    return counted_write_seen(SeenPlaces(writer, invitee_email, taken), uow, write)


def counted_write_seen(seen: SeenPlaces, uow: UnitOfWork, write: Callable[[Taken | None], T]) -> T:
    """`write(counted)` with the first free places of the client and the invitee among those not `seen.taken`
    (from the write's own read). A commit that lost one of its places to a racing write looks again, until the
    window is full (`WritesLimited`); any other conflict is the write's own."""
    writer = seen.writer
    keys = writer.places(seen.invitee_email)
    names = place_names(keys)
    known = set(seen.taken)
    pick: Callable[[list[int]], int] = min
    for _ in range(len(names) + 1):  # each lost race means one more place taken: the window fills
        counted = places_to_take(keys, known, writer.now, pick)
        try:
            return write(counted)
        except ClaimConflict:
            known = uow.write_places.taken(names)
            if not any(place in known for place, _ in counted.places):
                raise  # not a place that was lost: the write's own conflict
            pick = random.choice  # nosec B311  # racing writes spread over the places left; no secret
    return write(places_to_take(keys, uow.write_places.taken(names), writer.now))
