"""Proof of address: a one-time link mailed to an address gives a short-lived grant over everything held
about it (shared/domain/address_proof.py says why and how tokens are kept)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

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
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.logging import log_event
from shared.services import messages
from shared.services.audit import Entry, audit
from shared.services.errors import Contention, MailDeferred, MailRefused
from shared.services.ports import Mailer, Ports
from shared.services.privacy import address_subject
from shared.services.records import OutgoingMail


@dataclass(frozen=True)
class RequestProof:
    """Someone asked for a link to prove they hold this address (the link's mail in their request's language)."""

    email: str
    language: Language = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class RedeemProof:
    """The mailed link was opened: its token."""

    token: str


@dataclass(frozen=True)
class OpenGrant:
    """A bearer token presented as a grant over an address."""

    token: str


def request_proof(command: RequestProof, deps: Ports) -> None:
    """Mail a one-time link to the address, whether or not anything is held about it (the caller learns
    nothing either way). The token travels in the link's fragment, which no server ever logs."""
    address, now = normalised_email(command.email), deps.now()
    if address == ERASED_EMAIL:  # what every erased booking now holds: nobody's address, never proven
        log_event("address_proof_requested", outcome="refused")
        return
    uow = deps.uow()
    token = f"{PROOF_PREFIX}{secrets.token_urlsafe(32)}"
    token_hash = keyed_hash(deps.keys.manage(), token)
    with uow:
        uow.address_proofs.add(token_hash, AddressProof(email=address, requested_at=now, expires_at=now + PROOF_TTL))
        uow.commit()
    mail = messages.address_proof(address, deps.links.address_proof(token), token_hash[:32], command.language)
    outcome = _mail(mail, deps.mailer)
    audit(uow, Entry("rights_address_proof", address_subject(address), outcome, now))
    log_event("address_proof_requested", outcome=outcome)


def _mail(mail: OutgoingMail, mailer: Mailer | None) -> str:
    """How sending the link went (asking again sends a new link)."""
    if mailer is None:
        return "mail_not_configured"
    try:
        mailer.send(mail)
    except (MailDeferred, MailRefused) as error:
        return type(error).__name__.lower()
    return "mailed"


def redeem(command: RedeemProof, deps: Ports) -> tuple[str, AddressGrant]:
    """Open a mailed link, once: a grant (its token, and what it grants) over the link's address."""
    if not re.fullmatch(PROOF_TOKEN_PATTERN, command.token):
        raise AddressProofInvalid("this is not a link Kaleno mailed")
    uow, now, key = deps.uow(), deps.now(), deps.keys.manage()
    token_hash = keyed_hash(key, command.token)
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
    audit(uow, Entry("rights_address_proven", address_subject(grant.email), "granted", now))
    log_event("address_proof_redeemed")
    return grant_token, grant


def granted(command: OpenGrant, deps: Ports) -> AddressGrant:
    """The grant a bearer token names, while it lasts."""
    token = command.token
    found = re.fullmatch(GRANT_TOKEN_PATTERN, token)
    grant = deps.uow().address_proofs.grant(keyed_hash(deps.keys.manage(), token)) if found else None
    if grant is None:
        raise AddressProofInvalid("this is not a grant Kaleno issued")
    if not grant.valid_at(deps.now()):
        raise AddressProofExpired("this grant has expired; ask for a new link")
    return grant
