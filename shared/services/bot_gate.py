"""The bot gate's proofs of work (ALTCHA): issuing a challenge, checking a solution, deciding per write.

A challenge is made and signed here (HMAC with a key derived from the app's manage-token key, held in
Secret Manager) and stored nowhere: a solution carries its challenge and signature back. It is single use
because the write it allows creates a document named by its challenge's hash in that write's own commit
(shared/adapters/firestore/bot_gate.py), and it expires (`expires=` in its signed salt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import parse_qs

from altcha import v1 as altcha
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.config import get_settings
from shared.domain.bot_gate import BotGate, proof_needed, velocity_window_end, velocity_windows
from shared.domain.claims import spent_proof_id
from shared.domain.errors import ProofRequired
from shared.services.ports import JsonObject, UnitOfWork

ALGORITHM: Final = "SHA-256"
PROOF_MISSING = "Booking this page needs a quick automatic check first: solve the challenge and send the request again."
PROOF_MALFORMED = "The Kaleno-Proof header is not a solution: solve the challenge and send the request again."
PROOF_PATTERN = r"^[A-Za-z0-9+/]{16,2044}={0,2}$"  # base64 of a small JSON object
_PROOF_SHAPE = re.compile(PROOF_PATTERN)
PROOF_SPENT = "This proof was already used: solve the new challenge and send the request again."


@dataclass(frozen=True)
class GatePolicy:
    """The gate's numbers (shared/config.py says why these)."""

    max_number: int
    challenge_lifetime: timedelta
    window: timedelta
    host_threshold: int
    client_threshold: int


def gate_policy() -> GatePolicy:
    """The deployment's numbers (shared/config.py)."""
    settings = get_settings()
    return GatePolicy(
        max_number=settings.bot_gate_max_number,
        challenge_lifetime=timedelta(minutes=settings.bot_gate_challenge_minutes),
        window=timedelta(minutes=settings.bot_gate_window_minutes),
        host_threshold=settings.bot_gate_host_bookings,
        client_threshold=settings.bot_gate_client_writes,
    )


@dataclass(frozen=True)
class Proof:
    """A solution whose signature, hash and expiry were checked; whether it is unspent the commit tells."""

    proof_id: str
    expires_at: datetime


@dataclass(frozen=True)
class GateCheck:
    """What one booking write brings to the gate: its proof (if any valid one)."""

    policy: GatePolicy
    proof: Proof | None = None

    def windows(self, now: datetime) -> tuple[int, int]:
        return velocity_windows(now, self.policy.window)

    def needs_proof(self, gate: BotGate, host_recent_bookings: int, client_recent_writes: int) -> bool:
        """`client_recent_writes`: the booking writes this client made in its window, counted across
        instances (shared/services/write_limits.py)."""
        policy = self.policy
        return proof_needed(
            gate,
            host_recent_bookings,
            client_recent_writes,
            host_threshold=policy.host_threshold,
            client_threshold=policy.client_threshold,
        )

    def admit(self, gate: BotGate, host_recent_bookings: int, client_recent_writes: int) -> Proof | None:
        """The proof to spend with this write (None: none needed); ProofRequired if one is needed and absent."""
        if not self.needs_proof(gate, host_recent_bookings, client_recent_writes):
            return None
        if self.proof is None:
            raise ProofRequired(PROOF_MISSING)
        return self.proof

    def stage(self, host_id: str | None, now: datetime, spent: Proof | None, uow: UnitOfWork) -> None:
        """In the write's open unit: its proof spent (must not exist) and, for a new booking (`host_id`), the
        host's page counted in the current window (kept one window past its end: the next one reads it as
        "the previous window")."""
        spend(spent, uow)
        if host_id is not None:
            current, _ = self.windows(now)
            ends = datetime.fromtimestamp(velocity_window_end(current, self.policy.window), UTC) + self.policy.window
            uow.bot_gate.count_booking(host_id, current, ends)


def gate_check(header: str | None, app_key: str, now: datetime) -> GateCheck:
    """The bot gate's view of one write from its `Kaleno-Proof` header: its proof (checked, not yet spent). A
    header of another shape is refused at once, whether or not a proof is needed."""
    if header is not None and not well_formed(header):
        raise ProofRequired(PROOF_MALFORMED)
    return GateCheck(gate_policy(), verified_proof(header, gate_key(app_key), now))


def challenged(refused: ProofRequired, app_key: str, now: datetime) -> ProofRequired:
    """The refusal with a fresh challenge to solve (the 403 `proof-required` answer carries it)."""
    refused.challenge = new_challenge(gate_key(app_key), now, gate_policy())
    return refused


def spend(proof: Proof | None, uow: UnitOfWork) -> None:
    """In the write's open unit: its proof spent (must not exist, so one proof makes one write)."""
    if proof is not None:
        uow.bot_gate.spend(proof.proof_id, proof.expires_at)


def refusal_after_conflict(proof: Proof | None, uow: UnitOfWork) -> ProofRequired | None:
    """After a commit failed on something that existed: whether it was this write's proof (spent by another
    write meanwhile, a replay or a race), to be answered like a missing proof."""
    if proof is not None and uow.bot_gate.spent(proof.proof_id):
        return ProofRequired(PROOF_SPENT)
    return None


def gate_key(app_key: str) -> str:
    """The challenges' HMAC key, derived from an app secret (Secret Manager) for this one purpose."""
    return hmac.new(app_key.encode(), b"kaleno bot gate: altcha challenges", hashlib.sha256).hexdigest()


def new_challenge(key: str, now: datetime, policy: GatePolicy) -> JsonObject:
    """A fresh ALTCHA challenge as the library makes it (`algorithm`, `challenge`, `maxNumber`, `salt`,
    `signature`), expiring after the policy's lifetime."""
    options = altcha.ChallengeOptions(
        algorithm=ALGORITHM, max_number=policy.max_number, hmac_key=key, expires=now + policy.challenge_lifetime
    )
    challenge: JsonObject = altcha.create_challenge(options).to_dict()
    return challenge


class _Payload(BaseModel):
    """ALTCHA's solution payload, as the client sends it (base64 of this JSON)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    algorithm: str = Field(max_length=16)
    challenge: str = Field(max_length=128)
    number: int = Field(ge=0, le=10_000_000)
    salt: str = Field(max_length=256)
    signature: str = Field(max_length=128)


def well_formed(header: str) -> bool:
    """Whether a `Kaleno-Proof` header has a proof's shape (base64, bounded) before anything is decoded."""
    return _PROOF_SHAPE.fullmatch(header) is not None


def verified_proof(header: str | None, key: str, now: datetime) -> Proof | None:
    """The proof in a `Kaleno-Proof` header if it is well formed, signed by us, solved and not expired; None
    otherwise (whatever is wrong with it, the answer is a fresh challenge)."""
    if not header or not well_formed(header):
        return None
    try:
        payload = _Payload.model_validate_json(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError, ValidationError):
        return None
    expires = _expiry(payload.salt)
    if payload.algorithm != ALGORITHM or expires is None or expires <= now:
        return None
    solved, _ = altcha.verify_solution(
        json.loads(payload.model_dump_json()),
        key,
        check_expires=False,  # expiry checked above, against `now`
    )
    return Proof(spent_proof_id(payload.challenge), expires) if solved else None


def _expiry(salt: str) -> datetime | None:
    """The `expires=` the signed salt carries (every challenge we issue has one; one without is not ours)."""
    _, _, query = salt.partition("?")
    found = parse_qs(query).get("expires", [])
    if len(found) != 1 or not found[0].isdigit():
        return None
    return datetime.fromtimestamp(int(found[0]), UTC)
