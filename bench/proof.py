"""A client's side of the bot gate: recognise a 403 `proof-required` answer, solve its ALTCHA challenge, and
resubmit the same request with the solution in `Kaleno-Proof` (CONTRACT.md, "bot gate").

Both challenge shapes the `altcha` library (2.3.0) creates are solved: the v1 object
(`{algorithm, challenge, maxNumber, salt, signature}`, answered with the base64 of the JSON
`{algorithm, challenge, number, salt, signature}` that the ALTCHA widget sends) and the v2 object
(`{parameters, signature}`, answered with the base64 of `altcha.Payload`'s JSON). The solving CPU time is
measured per thread, as a bot (or a browser) pays it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altcha
import altcha.v1

if TYPE_CHECKING:
    import requests

PROOF_HEADER = "Kaleno-Proof"
PROOF_REQUIRED = "proof-required"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, Any]:
        """The problem+json body, or {} when the answer is not one."""
        if "problem+json" not in self.headers.get("content-type", ""):
            return {}
        try:
            found = json.loads(self.body)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def problem_type(self) -> str:
        """The last segment of the problem's `type` ("rate-limited", "proof-required", ...), or ""."""
        return str(self.problem().get("type", "")).rstrip("/").rpartition("/")[2]


Send = Callable[[str, str, Any, dict[str, str]], Answer]  # (method, path, JSON body, headers) -> answer


def challenge_of(answer: Answer) -> dict[str, Any] | None:
    """The challenge a 403 `proof-required` answer carries; None for any other answer."""
    if answer.status != 403 or answer.problem_type != PROOF_REQUIRED:
        return None
    challenge = answer.problem().get("challenge")
    return challenge if isinstance(challenge, dict) else None


@dataclass(frozen=True)
class Proof:
    header: str  # the `Kaleno-Proof` value
    cpu_seconds: float


def solve(challenge: dict[str, Any], timeout: float = 60.0) -> Proof | None:
    """The `Kaleno-Proof` value that answers `challenge` (None if no solution was found in time)."""
    started = time.thread_time()
    header = _solve_v2(challenge, timeout) if "parameters" in challenge else _solve_v1(challenge)
    return None if header is None else Proof(header, time.thread_time() - started)


def _solve_v1(challenge: dict[str, Any]) -> str | None:
    max_number = int(challenge.get("maxNumber", challenge.get("maxnumber", 1_000_000)))
    algorithm = challenge["algorithm"]
    solution = altcha.v1.solve_challenge(challenge["challenge"], challenge["salt"], algorithm, max_number)
    if solution is None:
        return None
    return encode_payload(
        {
            "algorithm": algorithm,
            "challenge": challenge["challenge"],
            "number": solution.number,
            "salt": challenge["salt"],
            "signature": challenge["signature"],
        }
    )


def _solve_v2(challenge: dict[str, Any], timeout: float) -> str | None:
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=timeout)
    return None if solution is None else altcha.Payload(parsed, solution).to_base64()


def encode_payload(payload: dict[str, Any]) -> str:
    """Base64 of the payload's JSON, as the ALTCHA widget submits it."""
    return base64.b64encode(json.dumps(payload).encode()).decode()


@dataclass
class ProofTally:
    required: int = 0  # 403 proof-required answers
    solved: int = 0
    unsolved: int = 0
    cpu_seconds: float = 0.0


def send_with_proof(
    send: Send, method: str, path: str, body: Any, headers: dict[str, str], tally: ProofTally, attempts: int = 3
) -> tuple[Answer, int]:
    """Send the request; while it answers 403 proof-required, solve the challenge and send the same request
    again with the proof (up to `attempts` proofs). Returns the last answer and how many requests were sent."""
    answer, sent = send(method, path, body, headers), 1
    for _ in range(attempts):
        challenge = challenge_of(answer)
        if challenge is None:
            break
        tally.required += 1
        proof = solve(challenge)
        if proof is None:
            tally.unsolved += 1
            break
        tally.solved += 1
        tally.cpu_seconds += proof.cpu_seconds
        answer, sent = send(method, path, body, {**headers, PROOF_HEADER: proof.header}), sent + 1
    else:
        if challenge_of(answer) is not None:
            tally.required += 1  # the last resubmission was asked for yet another proof: not solved
    return answer, sent


def post_solving(url: str, body: Any, headers: dict[str, str], timeout: float = 90.0) -> requests.Response:
    """POST as the booking page does: a 403 proof-required answer's challenge is solved and the same request
    sent once more with the proof."""
    import requests

    answer = requests.post(url, json=body, headers=headers, timeout=timeout)
    challenge = answer.json().get("challenge") if answer.status_code == 403 else None
    if isinstance(challenge, dict) and (proof := solve(challenge)) is not None:
        answer = requests.post(url, json=body, headers={**headers, PROOF_HEADER: proof.header}, timeout=timeout)
    return answer
