"""The retention purge deletes expired short-lived records and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


def test_purge_deletes_expired_records_and_keeps_live_ones(browser: Browser, google: Google, api: str, db: Any) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    assert post_booking(api, booking_body(slug, day_ahead(5, 10))).status_code == 201
    past = datetime.now(UTC) - timedelta(minutes=1)
    for collection in ("oauth_states", "sessions", "idempotency", "slot_claims"):
        db.collection(collection).document(f"expired-{collection}").set({"expires_at": past})
    live = {
        c: {d.id for d in db.collection(c).stream()} - {f"expired-{c}"}
        for c in ("sessions", "idempotency", "slot_claims")
    }
    url = get_settings().function_url("retention_purge")
    token = google.oidc_token(url, get_settings().scheduler_service_account)

    first = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    again = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    assert first.json() == {
        "oauth_states_deleted": 1,
        "sessions_deleted": 1,
        "idempotency_deleted": 1,
        "slot_claims_deleted": 1,
    }
    assert set(again.json().values()) == {0}
    for collection, ids in live.items():
        assert ids
        assert {d.id for d in db.collection(collection).stream()} == ids
    assert browser.get("/hosts/me").status_code == 200  # the live session still works


def test_purge_needs_the_scheduler_identity(api: str, google: Google) -> None:
    url = get_settings().function_url("retention_purge")
    tasks_token = google.oidc_token(url, get_settings().tasks_service_account)

    assert_problem(requests.post(url, timeout=10), 401, "unauthenticated")
    assert_problem(
        requests.post(url, headers={"Authorization": f"Bearer {tasks_token}"}, timeout=10), 403, "forbidden-caller"
    )
