"""Cookie consent: a visitor's choices under an anonymous id that only Kaleno mints.

The id is `<random>.<MAC>` keyed with an app secret, so an id planted in a browser by someone else (session
fixation: the attacker then knows the id and could read or steer the victim's choice) is not one we issued:
it is ignored, and a choice made with it is stored under a fresh id. Each record keeps the choices made
under earlier policy versions, so a person's export says which versions they answered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from shared.services.ports import UnitOfWork
from shared.services.records import ConsentRecord, PastConsent
from shared.services.tokens import same_secret

MAX_ID_LENGTH = 100


def mint_consent_id(key: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_mac(key, nonce)}"


def issued_consent_id(key: str, presented: str | None) -> str | None:
    """The id from the visitor's cookie if Kaleno minted it; None for no cookie or one we did not issue."""
    if not presented or len(presented) > MAX_ID_LENGTH:
        return None
    nonce, dot, mac = presented.partition(".")
    return presented if dot and nonce and same_secret(_mac(key, nonce), mac) else None


def _mac(key: str, nonce: str) -> str:
    digest = hmac.new(key.encode(), f"consent:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def record_consent(
    consent_id: str, analytics: bool, now: datetime, uow: UnitOfWork, policy_version: str, lifetime: timedelta
) -> ConsentRecord:
    """The visitor's choice under their (issued) consent id; the choice it replaces is kept as earlier."""
    with uow:
        before = uow.audit.consent(consent_id)
        earlier = [*before.earlier, PastConsent.model_validate(before.model_dump())] if before else []
        record = ConsentRecord(
            id=consent_id,
            analytics=analytics,
            policy_version=policy_version,
            decided_at=now,
            expires_at=now + lifetime,
            earlier=earlier,
        )
        uow.audit.save_consent(record)
        uow.commit()
    return record


def current_consent(
    consent_id: str | None, now: datetime, uow: UnitOfWork, policy_version: str
) -> ConsentRecord | None:
    """The visitor's choice if it still stands (same policy version, not expired); None: ask again."""
    record = uow.audit.consent(consent_id) if consent_id else None
    if record is None or record.policy_version != policy_version or record.expires_at <= now:
        return None
    return record


def consent_export(consent_id: str | None, uow: UnitOfWork) -> dict[str, Any] | None:
    """For an export: this browser's cookie choices and every policy version they were made under."""
    record = uow.audit.consent(consent_id) if consent_id else None
    if record is None:
        return None
    answered = [*record.earlier, PastConsent.model_validate(record.model_dump())]
    return {
        **record.model_dump(mode="json", exclude={"id", "earlier"}),
        "policy_versions_answered": [choice.model_dump(mode="json") for choice in answered],
    }
