"""The seam: a deployed function's entry point (as functions-framework loads it) runs on the fakes.

No emulator, no sandbox: `bootstrap.install` hands the functions dict-backed ports. The functions read the
real clock, so the host's mirror is synced "now" and the slot is next week's Monday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared import bootstrap
from tests.unit.fakes import FakePorts, a_host, a_page, given

SOURCE = str(Path(__file__).parents[2] / "functions" / "main.py")  # as deployed: the target is the function name


@pytest.fixture
def ports() -> Iterator[FakePorts]:
    fakes = FakePorts()
    given(fakes.db, hosts=[a_host()], pages={"ada": a_page(synced_at=datetime.now(UTC))})
    bootstrap.install(fakes)
    yield fakes
    bootstrap.reset()


@pytest.fixture
def bookings(ports: FakePorts) -> FlaskClient:
    client: FlaskClient = functions_framework.create_app("bookings", SOURCE).test_client()
    return client


def next_monday_at_ten() -> datetime:
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())  # 1 to 7 days ahead: within hours and window
    return datetime.combine(monday, time(10), UTC)


def booking_body(start: datetime) -> dict[str, object]:
    invitee = {"name": "Ines", "email": "ines@example.org", "time_zone": "Europe/Berlin"}
    return {"host": "ada", "event_type": "intro", "start": start.isoformat(), "invitee": invitee}


def test_a_pages_slots_are_served_from_the_fakes(bookings: FlaskClient, ports: FakePorts) -> None:
    start = next_monday_at_ten()
    day = start.date().isoformat()

    response = bookings.get(f"/pages/ada/intro/slots?from={day}&to={day}&tz=UTC")

    assert response.status_code == 200
    body = response.get_json()
    assert body["time_zone"] == "UTC"
    assert {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()} in body["slots"]
    assert ports.calendar.calls == []


def test_a_booking_is_created_and_the_same_slot_again_is_a_conflict(bookings: FlaskClient, ports: FakePorts) -> None:
    body = booking_body(next_monday_at_ten())

    created = bookings.post("/", json=body, headers={"Idempotency-Key": "key-00000001"})
    again = bookings.post("/", json=body)

    assert created.status_code == 201
    booking_id = created.get_json()["id"]
    assert ports.db.ids("bookings") == {booking_id}
    assert ports.tasks.names_for("calendar_sync") == [f"booking-{booking_id}-v1"]
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.get_json()["type"] == "https://kaleno.app/problems/slot-taken"
