"""Cookie consent: a visitor's choices under an anonymous id that only Kaleno mints.

The id is `<random>.<MAC>` keyed with the ledger's app secret (a message of its own: `consent:<nonce>`), so
an id planted in a browser by someone else (session fixation: the attacker then knows the id and could read
or steer the victim's choice) is not one we issued: it is ignored, and a choice made with it is stored under
a fresh id. Each record keeps the choices made under earlier policy versions, so a person's export says which
versions they answered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from shared.services.ports import JsonObject, Ports, UnitOfWork
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


@dataclass(frozen=True)
class RecordConsent:
    """The visitor's cookie choice, under the consent id their cookie presents (if any), answering the
    policy of this version; it stands for `lifetime`."""

    presented_id: str | None
    analytics: bool
    policy_version: str
    lifetime: timedelta


@dataclass(frozen=True)
class CurrentConsent:
    """Which choice stands for the consent id this browser presents, under the policy of this version."""

    presented_id: str | None
    policy_version: str


def record_consent(command: RecordConsent, deps: Ports) -> ConsentRecord:
    """The visitor's choice under their consent id if Kaleno issued it (else a fresh one); the choice it
    replaces is kept as earlier."""
    key, uow, now = deps.keys.audit(), deps.uow(), deps.now()
    consent_id = issued_consent_id(key, command.presented_id) or mint_consent_id(key)
    with uow:
        before = uow.audit.consent(consent_id)
        earlier = [*before.earlier, PastConsent.model_validate(before.model_dump())] if before else []
        record = ConsentRecord(
            id=consent_id,
            analytics=command.analytics,
            policy_version=command.policy_version,
            decided_at=now,
            expires_at=now + command.lifetime,
            earlier=earlier,
        )
        uow.audit.save_consent(record)
        uow.commit()
    return record


def current_consent(command: CurrentConsent, deps: Ports) -> ConsentRecord | None:
    """The visitor's choice if it still stands (same policy version, not expired); None: ask again."""
    consent_id = issued_consent_id(deps.keys.audit(), command.presented_id)
    record = deps.uow().audit.consent(consent_id) if consent_id else None
    if record is None or record.policy_version != command.policy_version or record.expires_at <= deps.now():
        return None
    return record


def consent_export(consent_id: str | None, uow: UnitOfWork) -> JsonObject | None:
    """For an export: this browser's cookie choices and every policy version they were made under."""
    record = uow.audit.consent(consent_id) if consent_id else None
    if record is None:
        return None
    answered = [*record.earlier, PastConsent.model_validate(record.model_dump())]
    return {
        **record.model_dump(mode="json", exclude={"id", "earlier"}),
        "policy_versions_answered": [choice.model_dump(mode="json") for choice in answered],
    }
