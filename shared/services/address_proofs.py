"""Proof of address: a one-time link mailed to an address gives a short-lived grant over everything held
about it (shared/domain/address_proof.py says why and how tokens are kept)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from shared.domain.address_proof import (
    GRANT_PREFIX,
    GRANT_TOKEN_PATTERN,
    GRANT_TTL,
    PROOF_PREFIX,
    PROOF_TOKEN_PATTERN,
    PROOF_TTL,
    AddressGrant,
    AddressProof,
    keyed_hash,
)
from shared.domain.booking import ERASED_EMAIL, normalised_email
from shared.domain.errors import AddressProofExpired, AddressProofInvalid, AddressProofUsed
from shared.logging import log_event
from shared.services import messages
from shared.services.audit import audit
from shared.services.errors import Contention, MailDeferred, MailRefused
from shared.services.ports import Mailer, UnitOfWork
from shared.services.privacy import address_subject


def request_proof(email: str, now: datetime, uow: UnitOfWork, mailer: Mailer | None, key: str, base_url: str) -> None:
    """Mail a one-time link to the address, whether or not anything is held about it (the caller learns
    nothing either way). The token travels in the link's fragment, which no server ever logs."""
    address = normalised_email(email)
    if address == ERASED_EMAIL:  # what every erased booking now holds: nobody's address, never proven
        log_event("address_proof_requested", outcome="refused")
        return
    token = f"{PROOF_PREFIX}{secrets.token_urlsafe(32)}"
    token_hash = keyed_hash(key, token)
    with uow:
        uow.address_proofs.add(token_hash, AddressProof(email=address, requested_at=now, expires_at=now + PROOF_TTL))
        uow.commit()
    link = f"{base_url.rstrip('/')}/privacy-rights#proof={token}"
    outcome = "mailed"
    if mailer is None:
        outcome = "mail_not_configured"
    else:
        try:
            mailer.send(messages.address_proof(address, link, token_hash[:32]))
        except (MailDeferred, MailRefused) as error:  # asking again sends a new link
            outcome = type(error).__name__.lower()
    audit(uow, "rights_address_proof", address_subject(address), outcome, now)
    log_event("address_proof_requested", outcome=outcome)


def redeem(token: str, now: datetime, uow: UnitOfWork, key: str) -> tuple[str, AddressGrant]:
    """Open a mailed link, once: a grant (its token, and what it grants) over the link's address."""
    if not re.fullmatch(PROOF_TOKEN_PATTERN, token):
        raise AddressProofInvalid("this is not a link Kaleno mailed")
    token_hash = keyed_hash(key, token)
    grant_token = f"{GRANT_PREFIX}{secrets.token_urlsafe(32)}"
    try:
        with uow:
            proof = uow.address_proofs.get(token_hash)
            if proof is None:
                raise AddressProofInvalid("this is not a link Kaleno mailed (or it was purged)")
            uow.address_proofs.save(token_hash, proof.redeemed(now))
            grant = AddressGrant(email=proof.email, granted_at=now, expires_at=now + GRANT_TTL)
            uow.address_proofs.add_grant(keyed_hash(key, grant_token), grant)
            uow.commit()
    except Contention as error:  # opened twice at once: the other opening won
        raise AddressProofUsed("this link was already used; ask for a new one") from error
    audit(uow, "rights_address_proven", address_subject(grant.email), "granted", now)
    log_event("address_proof_redeemed")
    return grant_token, grant


def granted(token: str, now: datetime, uow: UnitOfWork, key: str) -> AddressGrant:
    """The grant a bearer token names, while it lasts."""
    grant = uow.address_proofs.grant(keyed_hash(key, token)) if re.fullmatch(GRANT_TOKEN_PATTERN, token) else None
    if grant is None:
        raise AddressProofInvalid("this is not a grant Kaleno issued")
    if not grant.valid_at(now):
        raise AddressProofExpired("this grant has expired; ask for a new link")
    return grant
