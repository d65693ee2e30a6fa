"""The bot gate over HTTP: a booking write that needs a proof of work answers 403 `proof-required` with an
ALTCHA challenge; solved, the same request books; a proof makes one write, however it is replayed or raced."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha.v1 as altcha
import pytest
import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours

PROOF = "Kaleno-Proof"


@pytest.fixture
def gated(browser: Browser, google: Google) -> str:
    """A host whose event type always asks for a proof; its slug."""
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, bot_gate="always")
    return slug


def post(api: str, body: dict[str, Any], proof: str | None = None, key: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    if proof is not None:
        headers[PROOF] = proof
    return requests.post(f"{api}/bookings", json=body, headers=headers, timeout=30)


def challenge_of(response: requests.Response) -> dict[str, Any]:
    """The problem's challenge, checked for the shape the ALTCHA library gives it."""
    problem = assert_problem(response, 403, "proof-required")
    assert problem["detail"]
    challenge: dict[str, Any] = problem["challenge"]
    assert set(challenge) == {"algorithm", "challenge", "maxNumber", "salt", "signature"}
    assert challenge["algorithm"] == "SHA-256"
    assert challenge["maxNumber"] == get_settings().bot_gate_max_number
    assert "expires=" in challenge["salt"]
    return challenge


def solved(challenge: dict[str, Any]) -> str:
    """What a client sends: base64 of ALTCHA's JSON payload, solved with the library's own solver."""
    found = altcha.solve_challenge(
        altcha.Challenge(
            challenge["algorithm"],
            challenge["challenge"],
            challenge["maxNumber"],
            challenge["salt"],
            challenge["signature"],
        )
    )
    assert found is not None
    payload = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**payload, "number": found.number}).encode()).decode()


def bookings_stored(db: Any) -> list[str]:
    return [path for path, _ in all_documents(db) if path.startswith("bookings/")]


def test_an_always_gated_booking_is_refused_with_a_challenge_and_made_once_solved(
    api: str, gated: str, db: Any
) -> None:
    body = booking_body(gated, day_ahead(5, 10))

    refused = post(api, body)
    challenge = challenge_of(refused)
    nothing_stored = bookings_stored(db)
    booked = post(api, body, solved(challenge))

    assert refused.headers["Cache-Control"]
    assert nothing_stored == []
    assert booked.status_code == 201, booked.text
    assert len(bookings_stored(db)) == 1


def test_a_proof_is_single_use_and_its_replay_gets_a_fresh_challenge(api: str, gated: str, db: Any) -> None:
    first = challenge_of(post(api, booking_body(gated, day_ahead(5, 10))))
    proof = solved(first)
    assert post(api, booking_body(gated, day_ahead(5, 10)), proof).status_code == 201

    replayed = post(api, booking_body(gated, day_ahead(5, 11)), proof)

    fresh = challenge_of(replayed)
    assert fresh["challenge"] != first["challenge"]
    assert len(bookings_stored(db)) == 1


def test_one_proof_raced_on_twenty_slots_books_exactly_once(api: str, gated: str, db: Any) -> None:
    proof = solved(challenge_of(post(api, booking_body(gated, day_ahead(6, 9)))))
    bodies = [booking_body(gated, day_ahead(6, 9) + timedelta(minutes=30 * i)) for i in range(16)]
    bodies += [booking_body(gated, day_ahead(7, 9) + timedelta(minutes=30 * i)) for i in range(4)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda body: post(api, body, proof), bodies))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [403] * 19, [a.text for a in answers if a.status_code not in (201, 403)]
    for answer in answers:
        if answer.status_code == 403:
            challenge_of(answer)
    assert len(bookings_stored(db)) == 1


def _forged(challenge: dict[str, Any]) -> str:
    """A correct solution signed with a key that is not ours."""
    options = altcha.ChallengeOptions(max_number=1000, hmac_key="not-the-server-key", salt=challenge["salt"])
    mine = altcha.create_challenge(options)
    return solved(mine.to_dict())


def _expiry_extended(challenge: dict[str, Any]) -> str:
    """A genuine solution whose salt was edited to expire later: the hash no longer matches the challenge."""
    payload = json.loads(base64.b64decode(solved(challenge)))
    later = int(datetime.now(UTC).timestamp()) + 3600
    payload["salt"] = payload["salt"].split("?")[0] + f"?expires={later}&"
    return base64.b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "proof_of",
    [
        pytest.param(lambda c: solved({**c, "signature": "0" * 64}), id="wrong-signature"),
        pytest.param(_forged, id="forged-with-another-key"),
        pytest.param(_expiry_extended, id="expiry-edited"),
        pytest.param(lambda c: "not base64 at all!", id="garbage"),
        pytest.param(lambda c: base64.b64encode(b'["a list"]').decode(), id="not-a-payload"),
        pytest.param(lambda c: base64.b64encode(json.dumps({**c, "number": -1}).encode()).decode(), id="unsolved"),
    ],
)
def test_a_proof_that_is_not_a_valid_solution_is_answered_with_a_challenge(
    api: str, gated: str, db: Any, proof_of: Any
) -> None:
    body = booking_body(gated, day_ahead(5, 10))
    challenge = challenge_of(post(api, body))

    answer = post(api, body, proof_of(challenge))

    challenge_of(answer)
    assert bookings_stored(db) == []


def test_a_genuine_challenge_solved_after_its_expiry_is_refused(api: str, gated: str, db: Any) -> None:
    from shared.bootstrap import adapters
    from shared.services.bot_gate import gate_key

    key = gate_key(adapters().secrets.app_secret(get_settings().manage_key_secret_name))
    past = datetime.now(UTC) - timedelta(seconds=5)
    expired = altcha.create_challenge(altcha.ChallengeOptions(max_number=1000, hmac_key=key, expires=past))
    body = booking_body(gated, day_ahead(5, 10))

    answer = post(api, body, solved(expired.to_dict()))

    challenge_of(answer)
    assert bookings_stored(db) == []


def test_auto_asks_for_a_proof_only_once_the_host_page_books_fast(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    os.environ["KALENO_BOT_GATE_HOST_BOOKINGS"] = "2"
    get_settings.cache_clear()
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    starts = [day_ahead(4, 9) + timedelta(minutes=30 * i) for i in range(4)]

    below = [post(api, booking_body(slug, start)) for start in starts[:3]]
    above = post(api, booking_body(slug, starts[3]))
    solved_above = post(api, booking_body(slug, starts[3]), solved(challenge_of(above)))

    assert [answer.status_code for answer in below] == [201, 201, 201]  # the third sees 2: not more than 2
    challenge_of(above)
    assert solved_above.status_code == 201, solved_above.text
    assert len(bookings_stored(db)) == 4


def test_an_invitee_reschedule_on_an_always_gated_type_needs_a_proof(api: str, gated: str, db: Any) -> None:
    body = booking_body(gated, day_ahead(5, 10))
    created = post(api, body, solved(challenge_of(post(api, body)))).json()
    auth = {"Authorization": f"Bearer {created['manage_token']}"}
    move = {"start": day_ahead(5, 12).isoformat()}

    refused = requests.post(f"{api}/bookings/{created['id']}/reschedule", json=move, headers=auth, timeout=30)
    proof = solved(challenge_of(refused))
    moved = requests.post(
        f"{api}/bookings/{created['id']}/reschedule", json=move, headers={**auth, PROOF: proof}, timeout=30
    )
    again = requests.post(
        f"{api}/bookings/{created['id']}/reschedule",
        json={"start": day_ahead(5, 14).isoformat()},
        headers={**auth, PROOF: proof},
        timeout=30,
    )

    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["start"]) == day_ahead(5, 12)
    challenge_of(again)


def test_a_retried_booking_with_its_spent_proof_replays_the_answer(api: str, gated: str) -> None:
    body = booking_body(gated, day_ahead(5, 10))
    proof, key = solved(challenge_of(post(api, body))), uuid.uuid4().hex

    first = post(api, body, proof, key=key)
    retried = post(api, body, proof, key=key)

    assert first.status_code == retried.status_code == 201
    assert retried.headers.get("Idempotent-Replayed") == "true"
    assert retried.json()["id"] == first.json()["id"]


def test_a_header_that_is_no_proof_at_all_is_refused_even_where_none_is_needed(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)  # "auto", a quiet page: no proof needed
    body = booking_body(slug, day_ahead(5, 10))

    malformed = post(api, body, "{not base64}")
    well_formed_but_wrong = post(api, body, base64.b64encode(b'{"number": 1, "salt": "x"}').decode())

    challenge_of(malformed)
    assert well_formed_but_wrong.status_code == 201, well_formed_but_wrong.text  # not needed here: ignored


def test_a_client_with_more_than_three_writes_in_a_window_must_prove_itself_on_every_instance(
    browser: Browser, google: Google, api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "auto" weighs the client's own writes, counted in Firestore across instances: each request here stands
    for one on a fresh instance (the in-memory limiter admits all), and the fifth still meets the gate."""
    from shared.web import rate_limit

    monkeypatch.setenv("KALENO_CLIENT_LIMITS_ENABLED", "true")
    get_settings.cache_clear()
    monkeypatch.setattr(rate_limit.SlidingWindow, "retry_after", lambda self, client, now: 0.0)
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, invitee_open_limit=50)
    threshold, seconds = get_settings().bot_gate_client_writes, get_settings().client_limits["booking-writes"][1]
    into = datetime.now(UTC).timestamp() % seconds
    if seconds - into < 15:  # room in this window for the whole burst (fixed windows)
        time.sleep(seconds - into + 0.5)

    def from_client(i: int, proof: str | None = None) -> requests.Response:
        body = booking_body(slug, day_ahead(3, 9) + timedelta(minutes=30 * i))
        body["invitee"]["email"] = f"visitor{i}@example.org"  # distinct people: only the client repeats
        headers = {"Idempotency-Key": f"client-{i}", "X-Forwarded-For": "203.0.113.40"}
        if proof is not None:
            headers[PROOF] = proof
        return requests.post(f"{api}/bookings", json=body, headers=headers, timeout=30)

    first = [from_client(i).status_code for i in range(threshold + 1)]
    challenged = from_client(threshold + 1)
    proven = from_client(threshold + 1, solved(challenge_of(challenged)))
    elsewhere = requests.post(
        f"{api}/bookings",
        json=booking_body(slug, day_ahead(4, 9)),
        headers={"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": "198.51.100.41"},
        timeout=30,
    )

    assert first == [201] * (threshold + 1)
    assert proven.status_code == 201, proven.text
    assert elsewhere.status_code == 201, elsewhere.text  # another client is not asked
