"""The PII-free ledger: every use of Google data and every rights request leaves one entry."""

from __future__ import annotations

from datetime import datetime

from shared.services.ports import UnitOfWork


def audit(uow: UnitOfWork, action: str, subject_id: str, outcome: str, at: datetime) -> None:
    with uow:
        uow.audit.record(action, subject_id, outcome, at)
        uow.commit()
