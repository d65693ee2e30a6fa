"""The abuse benchmark's pure parts: its allowance arithmetic, and its client's answer to a 403
proof-required (bench/proof.py) against a gate that issues and verifies real ALTCHA challenges."""

from __future__ import annotations

import base64
import json
import math
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import altcha
import altcha.v1
import pytest

from bench.abuse import (
    ATTACKERS,
    VISITOR_DOMAIN,
    Limits,
    Run,
    Tally,
    allowances,
    conclude,
    sender,
    windows_touched,
)
from bench.proof import PROOF_HEADER, Answer, ProofTally, challenge_of, encode_payload, send_with_proof

SECRET = "gate-secret"
PROBLEM = {"content-type": "application/problem+json"}


def test_windows_touched_is_the_most_any_alignment_of_fixed_windows_gives() -> None:
    for span in (0.5, 30.0, 59.9, 60.0, 61.0, 119.0, 120.0, 150.0):
        most = 0
        for offset in range(600):  # the run starts at every tenth of a second within one 60 s window
            start = offset / 10
            most = max(most, math.floor((start + span) / 60) - math.floor(start / 60) + 1)
        assert windows_touched(span, 60.0) == most, span


def test_allowances_follow_the_limits_and_the_windows() -> None:
    limits = Limits(writes_per_window=10, window_seconds=60.0, invitee_open_limit=5)
    assert allowances(limits, 62.0) == {
        "one address": 5,
        "rotating addresses": 1500,
        "rotating +tags": 5,
        "one address, many emails": 30,
    }
    # With a generous invitee limit, one address is held by the per-client limit: 10 per window, 2 windows.
    generous = Limits(writes_per_window=10, window_seconds=60.0, invitee_open_limit=100)
    assert allowances(generous, 60.0, rotating=3) == {
        "one address": 20,
        "rotating addresses": 60,
        "rotating +tags": 20,
        "one address, many emails": 20,
    }
    # Writes counted per invitee too (6 per 600 s: at most 2 such windows in a minute) cap one email at 12.
    per_invitee = Limits(10, 60.0, invitee_open_limit=100, invitee_writes=(6, 600.0))
    assert allowances(per_invitee, 60.0)["one address"] == 12
    assert allowances(per_invitee, 60.0)["rotating +tags"] == 12
    assert allowances(per_invitee, 60.0)["one address, many emails"] == 20


def test_the_payload_is_base64_json_with_the_widgets_five_members() -> None:
    payload = {"algorithm": "SHA-256", "challenge": "ab", "number": 7, "salt": "s", "signature": "sig"}
    assert json.loads(base64.b64decode(encode_payload(payload))) == payload


class Gate:
    """A write that needs a proof: answers 403 proof-required with a fresh challenge unless `Kaleno-Proof`
    carries an unspent, valid solution (verified by altcha itself), then 201."""

    def __init__(self, version: int, proofs_needed: int = 1) -> None:
        self.version, self.proofs_needed = version, proofs_needed
        self.spent: set[str] = set()
        self.requests: list[tuple[str, str, Any, dict[str, str]]] = []

    def challenge(self) -> dict[str, Any]:
        if self.version == 1:
            options = altcha.v1.ChallengeOptions(hmac_key=SECRET, max_number=2000)
            return dict(altcha.v1.create_challenge(options).to_dict())
        return dict(altcha.create_challenge("PBKDF2/SHA-256", 10, hmac_secret=SECRET).to_dict())

    def verified(self, proof: str) -> bool:
        if self.version == 1:
            return altcha.v1.verify_solution(proof, SECRET)[0]
        return altcha.verify_solution(proof, SECRET).verified

    def send(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        self.requests.append((method, path, body, headers))
        proof = headers.get(PROOF_HEADER)
        if proof and proof not in self.spent and self.verified(proof):
            self.spent.add(proof)
            if len(self.spent) >= self.proofs_needed:
                return Answer(201, {"content-type": "application/json"}, b'{"id": "b1"}')
        problem = {
            "type": "https://kaleno.app/problems/proof-required",
            "status": 403,
            "challenge": self.challenge(),
        }
        return Answer(403, PROBLEM, json.dumps(problem).encode())


@pytest.mark.parametrize("version", [1, 2])
def test_a_proof_required_answer_is_solved_and_the_same_request_sent_again_with_the_proof(version: int) -> None:
    gate, tally = Gate(version), ProofTally()
    body, headers = {"start": "2026-12-08T09:00:00+00:00"}, {"Idempotency-Key": "k1", "X-Forwarded-For": "203.0.113.5"}

    answer, sent = send_with_proof(gate.send, "POST", "/bookings", body, headers, tally)

    assert (answer.status, sent) == (201, 2)
    assert (tally.required, tally.solved, tally.unsolved) == (1, 1, 0)
    assert tally.cpu_seconds > 0
    (first, second) = gate.requests
    assert PROOF_HEADER not in first[3]
    assert second[:3] == first[:3]
    assert {k: v for k, v in second[3].items() if k != PROOF_HEADER} == headers
    assert gate.send(*second).status == 403  # a proof is single use: the gate refuses it again


def test_a_gate_that_keeps_asking_is_answered_a_bounded_number_of_times() -> None:
    gate, tally = Gate(2, proofs_needed=10), ProofTally()

    answer, sent = send_with_proof(gate.send, "POST", "/bookings", {}, {}, tally, attempts=2)

    assert answer.status == 403
    assert sent == 3
    assert (tally.required, tally.solved) == (3, 2)


def test_other_answers_are_not_proof_requests() -> None:
    forbidden = {"type": "https://kaleno.app/problems/forbidden", "status": 403}
    limited = {"type": "https://kaleno.app/problems/rate-limited", "status": 429}
    assert challenge_of(Answer(403, PROBLEM, json.dumps(forbidden).encode())) is None
    assert challenge_of(Answer(429, PROBLEM, json.dumps(limited).encode())) is None
    assert challenge_of(Answer(403, {"content-type": "text/html"}, b"<h1>Forbidden</h1>")) is None
    assert Answer(429, PROBLEM, json.dumps(limited).encode()).problem_type == "rate-limited"

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        return Answer(403, PROBLEM, json.dumps(forbidden).encode())

    tally = ProofTally()
    assert send_with_proof(send, "POST", "/bookings", {}, {}, tally)[1] == 1
    assert tally.required == 0


def test_the_benchmarks_sender_carries_the_proof_over_http() -> None:
    """The same gate behind a real HTTP server on loopback: headers and problem+json go over the wire."""
    gate = Gate(2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answer = gate.send("POST", self.path, body, dict(self.headers.items()))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.headers["content-type"])
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        send, tally = sender(f"http://127.0.0.1:{server.server_port}"), ProofTally()
        answer, sent = send_with_proof(send, "POST", "/bookings", {"start": "x"}, {"Idempotency-Key": "k"}, tally)
    finally:
        server.shutdown()
        server.server_close()
    assert (answer.status, sent, tally.solved) == (201, 2, 1)
    assert json.loads(answer.body) == {"id": "b1"}
    assert [request[2] for request in gate.requests] == [{"start": "x"}, {"start": "x"}]


def answer(status: int, problem: str = "") -> Answer:
    if not problem:
        return Answer(status, {"content-type": "application/json"}, b"{}")
    return Answer(status, PROBLEM, json.dumps({"type": f"https://kaleno.app/problems/{problem}"}).encode())


def finished_run(visitor_answers: list[Answer]) -> Run:
    run = Run("http://127.0.0.1:1", datetime(2026, 12, 8, tzinfo=UTC), deadline=0.0)
    run.attackers = {attacker.name: Tally() for attacker in ATTACKERS}
    one = run.attackers["one address"]
    for _ in range(5):
        one.add(answer(201), 1)
    one.add(answer(429, "invitee-limit-reached"), 1)
    one.add(answer(429, "rate-limited"), 2)  # sent again with a proof, then limited
    one.add_proofs(ProofTally(required=1, solved=1, cpu_seconds=0.25))
    for visitor_answer in visitor_answers:
        run.visitors.add(visitor_answer, 1, "book ")
    return run


def test_a_run_within_every_allowance_passes_and_reports_each_figure(capsys: pytest.CaptureFixture[str]) -> None:
    run = finished_run([answer(201), answer(201)])
    booked = Counter({"one.example.net": 5, VISITOR_DOMAIN: 2})
    allowed = allowances(Limits(10, 60.0, 5), 61.0)

    assert conclude(run, booked, allowed, overlaps=0, span=61.0, windows=3) == 0

    out = capsys.readouterr().out
    figures = json.loads(out.splitlines()[-1].removeprefix("BENCH "))
    assert figures["one address requests"] == 8
    assert figures["one address bookings"] == 5
    assert figures["one address allowance"] == 5
    assert (figures["one address 429"], figures["one address 429 rate-limited"]) == (2, 1)
    assert figures["one address 429 invitee-limit"] == 1
    assert (figures["one address proofs solved"], figures["one address solve cpu s"]) == (1, 0.25)
    assert (figures["visitors bookings"], figures["visitors refused"], figures["overlaps"]) == (2, 0, 0)
    assert "PASS" in out.splitlines()


def test_a_run_fails_on_a_booking_past_an_allowance_a_refused_visitor_or_an_overlap(
    capsys: pytest.CaptureFixture[str],
) -> None:
    allowed = allowances(Limits(10, 60.0, 5), 61.0)
    booked = Counter({"many.example.net": 31, VISITOR_DOMAIN: 1})
    assert conclude(finished_run([answer(201)]), booked, allowed, overlaps=0, span=61.0, windows=3) == 1
    assert "one address, many emails booked 31, over its allowance of 30" in capsys.readouterr().out

    refused = finished_run([answer(201), answer(409, "slot-taken")])
    assert conclude(refused, Counter({VISITOR_DOMAIN: 1}), allowed, overlaps=0, span=61.0, windows=3) == 1
    assert "1 visitor requests refused" in capsys.readouterr().out

    assert conclude(finished_run([answer(201)]), Counter({VISITOR_DOMAIN: 1}), allowed, 1, 61.0, 3) == 1
    assert "1 overlapping bookings" in capsys.readouterr().out
