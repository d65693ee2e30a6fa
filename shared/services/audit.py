"""The PII-free ledger: every use of Google data and every rights request leaves one entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.services.ports import UnitOfWork


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: what was done, about whom (an id the ledger keys before storing), how it went."""

    action: str
    subject_id: str
    outcome: str
    at: datetime


def audit(uow: UnitOfWork, entry: Entry) -> None:
    with uow:
        uow.audit.record(entry.action, entry.subject_id, entry.outcome, entry.at)
        uow.commit()
