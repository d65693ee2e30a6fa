"""Retention: short-lived records are deleted once past their `expires_at`.

Firestore TTL policies on `expires_at` do this in production too (infra/); this purge is the
deterministic backstop (TTL deletion can lag by a day) and the only purge the emulator gets.
"""

from __future__ import annotations

from datetime import datetime

from shared.services.ports import UnitOfWork


def purge_expired(now: datetime, uow: UnitOfWork) -> dict[str, int]:
    return {**uow.sign_in.purge_expired(now), **uow.bookings.purge_expired(now)}
