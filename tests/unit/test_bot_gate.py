"""The bot gate's pure rules: when a booking write needs a proof of work, and how its records are named."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from bench.proof import solve
from shared.config import get_settings
from shared.domain.booking import BookingRequest
from shared.domain.bot_gate import BotGate, proof_needed, velocity_window_end, velocity_windows
from shared.domain.claims import spent_proof_id
from shared.domain.errors import ProofRequired
from shared.domain.event_type import EventType
from shared.services.booking import Book, Sender, book
from tests.unit.fakes import FakePorts, HostVelocity
from tests.unit.test_booking_service import START, a_request, ada

THRESHOLDS = {"host_threshold": 30, "client_threshold": 3}
ALWAYS = EventType(slug="intro", title="Intro call", duration_minutes=30, slot_step_minutes=15, bot_gate=BotGate.ALWAYS)


def test_an_always_gated_event_type_needs_a_proof_on_a_quiet_page() -> None:
    assert proof_needed(BotGate.ALWAYS, 0, 0, **THRESHOLDS)


def test_auto_needs_no_proof_while_page_and_client_are_below_their_thresholds() -> None:
    assert not proof_needed(BotGate.AUTO, 30, 3, **THRESHOLDS)


@pytest.mark.parametrize(("host_recent", "client_recent"), [(31, 0), (0, 4), (31, 4)])
def test_auto_needs_a_proof_once_the_page_or_the_client_crosses_its_threshold(
    host_recent: int, client_recent: int
) -> None:
    assert proof_needed(BotGate.AUTO, host_recent, client_recent, **THRESHOLDS)


def test_a_threshold_of_zero_asks_from_the_first_counted_write() -> None:
    assert not proof_needed(BotGate.AUTO, 0, 0, host_threshold=0, client_threshold=0)
    assert proof_needed(BotGate.AUTO, 1, 0, host_threshold=0, client_threshold=0)


def test_the_velocity_windows_are_the_current_fixed_window_and_the_one_before() -> None:
    window = timedelta(minutes=10)
    now = datetime(2026, 12, 7, 10, 25, tzinfo=UTC)

    current, previous = velocity_windows(now, window)

    assert previous == current - 1
    assert velocity_window_end(current, window) == datetime(2026, 12, 7, 10, 30, tzinfo=UTC).timestamp()
    assert velocity_windows(now + timedelta(minutes=4, seconds=59), window)[0] == current
    assert velocity_windows(now + timedelta(minutes=5), window)[0] == current + 1


def test_a_spent_proof_is_named_by_its_challenge_alone() -> None:
    assert spent_proof_id("abc") == spent_proof_id("abc")
    assert spent_proof_id("abc") != spent_proof_id("abd")
    assert len(spent_proof_id("abc")) == 64


@pytest.mark.parametrize(("path", "method"), [("/bookings", "post"), ("/bookings/{booking_id}/reschedule", "post")])
def test_the_openapi_document_states_the_gate_on_each_gated_write(path: str, method: str) -> None:
    import json
    from typing import Any

    from functions.main import ROUTE_TABLES
    from shared.web.openapi import build_openapi

    document: dict[str, Any] = json.loads(json.dumps(build_openapi(ROUTE_TABLES, "http://127.0.0.1:8080")))  # as served
    operation = document["paths"][path][method]

    assert "proof-required" in operation["responses"]["403"]["description"]
    assert "application/problem+json" in operation["responses"]["403"]["content"]
    assert "Kaleno-Proof" in [parameter["name"] for parameter in operation["parameters"]]
    challenge = document["components"]["schemas"]["Problem"]["properties"]["challenge"]
    assert set(challenge["required"]) == {"algorithm", "challenge", "maxNumber", "salt", "signature"}


def test_the_event_type_offers_auto_and_always_with_auto_by_default() -> None:
    plain = EventType.model_validate({"slug": "a", "title": "A", "duration_minutes": 30})
    gated = EventType.model_validate({"slug": "a", "title": "A", "duration_minutes": 30, "bot_gate": "always"})

    assert (plain.bot_gate, gated.bot_gate) == (BotGate.AUTO, BotGate.ALWAYS)
    with pytest.raises(ValueError, match="bot_gate"):
        EventType.model_validate({"slug": "a", "title": "A", "duration_minutes": 30, "bot_gate": "never"})


# --- the gate in the booking service, against the dict-backed fakes -----------------------------------------
def refusal(ports: FakePorts, request: BookingRequest) -> ProofRequired:
    with pytest.raises(ProofRequired) as refused:
        book(Book(request), ports)
    return refused.value


def solved(refused: ProofRequired) -> str:
    """The `Kaleno-Proof` header answering the challenge a refusal carried (solved as a client would)."""
    assert refused.challenge is not None
    proof = solve(dict(refused.challenge))
    assert proof is not None
    return proof.header


def test_a_gated_booking_without_a_proof_is_refused_with_a_challenge_and_stores_nothing() -> None:
    ports = ada(ALWAYS)

    refused = refusal(ports, a_request())

    assert "automatic check" in str(refused)
    assert refused.challenge is not None
    assert {"algorithm", "challenge", "maxNumber", "salt", "signature"} <= set(refused.challenge)
    assert ports.db.ids("bookings") == set()


def test_a_malformed_proof_header_is_refused_with_a_challenge() -> None:
    ports = ada()

    with pytest.raises(ProofRequired, match="not a solution") as refused:
        book(Book(a_request(), None, Sender(proof="not base64!")), ports)

    assert refused.value.challenge is not None
    assert ports.db.ids("bookings") == set()


def test_a_proof_makes_one_booking_and_counts_it_for_the_host() -> None:
    ports = ada(ALWAYS)
    header = solved(refusal(ports, a_request()))

    book(Book(a_request(), None, Sender(proof=header)), ports)
    with pytest.raises(ProofRequired, match="already used"):
        book(Book(a_request(START + timedelta(hours=1)), None, Sender(proof=header)), ports)

    assert len(ports.db.ids("bookings")) == 1
    assert len(ports.db.ids("spent_proofs")) == 1
    assert [counter.bookings for counter in ports.db.where("host_velocity", HostVelocity).values()] == [1]


def test_auto_lets_bookings_through_until_the_host_count_crosses_the_threshold() -> None:
    os.environ["KALENO_BOT_GATE_HOST_BOOKINGS"] = "2"  # tests/conftest.py puts the environment back
    get_settings.cache_clear()
    ports = ada()
    for hour in range(3):
        book(Book(a_request(START + timedelta(hours=hour))), ports)

    refusal(ports, a_request(START + timedelta(hours=4)))
