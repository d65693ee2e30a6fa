"""Retention: everything is kept only as long as needed, then deleted by the scheduled purge.

Short-lived records (OAuth states, sessions, Idempotency-Keys, slot claims, cookie choices, webhook
deliveries after 30 days, proof-of-address links and grants after 30 minutes, spent proofs of work and the
hosts' booking counts once their challenge or window is over) go once past their `expires_at`, single-use
links 30 days after they stopped opening anything (`purge_at`) (Firestore TTL policies do this in production
too, infra/; the purge is the deterministic backstop and the only purge the emulator gets). Bookings with
their invitee's data go a set time after the meeting ended, ledger entries and erasure receipts after theirs,
and busy-mirror months once they are over. Each run deletes a bounded amount and the next run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared.services.ports import Ports

MONTH_GRACE = timedelta(days=2)  # the busy window starts "yesterday" in some zone: keep the month just ended


@dataclass(frozen=True)
class RetentionPeriods:
    """What the purge is asked: how long bookings, ledger entries and erasure receipts are kept."""

    bookings: timedelta
    audit_entries: timedelta
    erasure_receipts: timedelta


def purge_expired(periods: RetentionPeriods, deps: Ports) -> dict[str, int]:
    uow, now = deps.uow(), deps.now()
    return {
        **uow.sign_in.purge_expired(now),
        **uow.bookings.purge(now, ended_before=now - periods.bookings),
        **uow.months.purge(ended_before=now - MONTH_GRACE),
        **uow.webhook_deliveries.purge(now),
        **uow.links.purge(now),
        **uow.address_proofs.purge(now),
        **uow.write_places.purge(now),
        **uow.bot_gate.purge(now),
        **uow.teams.purge(now),
        **uow.audit.purge(
            now, entries_before=now - periods.audit_entries, receipts_before=now - periods.erasure_receipts
        ),
    }
