"""Calendar sync over HTTP through the sandbox: pushes, the busy mirror, host edits, channel renewal."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
import requests

from shared import bootstrap
from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, all_documents, host_with_hours

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 15, interval: float = 0.2) -> T:
    """Poll until `check` returns something truthy (the refresh runs when its debounce window ends)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture
def host(browser: Browser, google: Google) -> dict[str, str]:
    slug, email = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    return {"slug": slug, "email": email}


def starts_on(api: str, slug: str, day: datetime) -> list[str]:
    params = {"from": day.date().isoformat(), "to": day.date().isoformat(), "tz": "UTC"}
    response = requests.get(f"{api}/bookings/pages/{slug}/call/slots", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


def event(start: datetime, minutes: int, **extra: Any) -> dict[str, Any]:
    return {
        "summary": "Board meeting (secret agenda)",
        "description": "Salary talks with Bob",
        "location": "Room 101",
        "attendees": [{"email": "bob.private@example.net"}],
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
        **extra,
    }


def test_host_edit_in_google_is_pushed_and_slots_follow(
    api: str, host: dict[str, str], google: Google, db: Any
) -> None:
    day = day_ahead(5, 0)
    before = starts_on(api, host["slug"], day)
    added = google.add_event(host["email"], event(day.replace(hour=10), 60))

    after_add = eventually(lambda: s if (s := starts_on(api, host["slug"], day)) != before else [])
    google.delete_event(host["email"], added["id"])
    after_delete = eventually(lambda: s if (s := starts_on(api, host["slug"], day)) == before else [])

    gone = {day.replace(hour=10).isoformat(), day.replace(hour=10, minute=30).isoformat()}
    assert set(before) - set(after_add) == gone  # exactly 10:00 and 10:30 UTC are gone
    assert after_delete == before
    dump = json.dumps(all_documents(db), default=str)
    for private in ("Board meeting", "Salary talks", "Room 101", "bob.private@example.net"):
        assert private not in dump
    assert google.state()["foreign_events_read"] == 0


def test_all_day_event_blocks_the_local_day_and_a_free_event_blocks_nothing(
    api: str, host: dict[str, str], google: Google
) -> None:
    holiday, focus = day_ahead(6, 0), day_ahead(7, 0)
    before_focus = starts_on(api, host["slug"], focus)
    google.add_event(
        host["email"],
        {
            "summary": "Holiday",
            "start": {"date": holiday.date().isoformat()},
            "end": {"date": (holiday + timedelta(days=1)).date().isoformat()},
        },
    )
    google.add_event(host["email"], event(focus.replace(hour=9), 240, transparency="transparent"))

    assert eventually(lambda: starts_on(api, host["slug"], holiday) == [])
    assert starts_on(api, host["slug"], focus) == before_focus


def pushes_delivered(google: Google) -> int:
    """Wait until every push caused so far has been answered by the webhook; returns how many were."""
    assert eventually(lambda: google.state()["pushes"]["pending"] == 0, timeout=60, interval=0.02)
    return google.state()["pushes"]["delivered"]


def test_a_burst_of_pushes_costs_one_free_busy_query_per_debounce_window(browser: Browser, google: Google) -> None:
    # A 60-day booking window: one refresh is one free/busy query (Google answers at most 90 days per query).
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY, booking_window_days=60)
    host = {"email": email}
    created = google.add_event(host["email"], event(day_ahead(8, 12), 30))
    delivered = pushes_delivered(google)  # the add's push has asked for its refresh...
    google.drain_tasks()  # ...which has run: none of it falls into the burst
    before = google.state()["calls"].get("calendar.freebusy.query", 0)

    started = time.time()
    for index in range(100):
        google.patch_event(host["email"], created["id"], {"summary": f"edit {index}"})
    burst_delivered = pushes_delivered(google) - delivered
    ended = time.time()
    google.drain_tasks()

    # One refresh per 2-second window (KALENO_REFRESH_DEBOUNCE_SECONDS) in which a push arrived. The sandbox
    # posts a channel's pushes one at a time, so on a busy machine they arrive over more windows than the
    # patches took: count the windows from the first patch to the last push answered (at most 3 on a quiet
    # machine, where the burst takes under 4 s).
    window = get_settings().refresh_debounce_seconds
    windows = int(ended) // window - int(started) // window + 1
    queries = google.state()["calls"].get("calendar.freebusy.query", 0) - before
    assert burst_delivered == 100
    assert 1 <= queries <= windows, f"{queries} queries for pushes over {ended - started:.1f}s ({windows} windows)"


def manage_view(api: str, booking: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {booking['manage_token']}"}
    response = requests.get(f"{api}/bookings/{booking['id']}", timeout=10, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_host_deleting_a_booking_event_cancels_it_and_moving_it_onto_free_time_moves_it(
    api: str, host: dict[str, str], google: Google
) -> None:
    first = post_booking(api, booking_body(host["slug"], day_ahead(9, 9))).json()
    second = post_booking(api, booking_body(host["slug"], day_ahead(9, 11))).json()
    google.drain_tasks()
    writes = google.state()["calls"].get("calendar.events.patch", 0)

    google.delete_event(host["email"], f"kal{first['id']}")
    moved_start = day_ahead(9, 15)
    google.patch_event(
        host["email"],
        f"kal{second['id']}",
        {
            "start": {"dateTime": moved_start.isoformat()},
            "end": {"dateTime": (moved_start + timedelta(minutes=30)).isoformat()},
        },
    )

    assert eventually(lambda: manage_view(api, first)["status"] == "cancelled_by_host")
    assert eventually(lambda: datetime.fromisoformat(manage_view(api, second)["start"]) == moved_start)
    assert manage_view(api, second)["status"] == "confirmed"
    assert post_booking(api, booking_body(host["slug"], day_ahead(9, 9))).status_code == 201  # time freed
    assert post_booking(api, booking_body(host["slug"], day_ahead(9, 11))).status_code == 201  # the old time too
    assert post_booking(api, booking_body(host["slug"], moved_start)).status_code == 409  # the new one is held
    google.drain_tasks()
    assert google.state()["calls"].get("calendar.events.patch", 0) == writes  # nothing written back: no loop


def test_forged_and_unknown_pushes_change_nothing(api: str, host: dict[str, str], google: Google, db: Any) -> None:
    channel = next(doc for path, doc in all_documents(db) if path.startswith("channels/"))
    queued = google.state()["tasks"]["queued"]

    def push(channel_id: str, token: str, resource_id: str) -> requests.Response:
        return requests.post(
            f"{api}/calendar_webhook",
            timeout=10,
            headers={
                "X-Goog-Channel-ID": channel_id,
                "X-Goog-Channel-Token": token,
                "X-Goog-Resource-ID": resource_id,
                "X-Goog-Resource-State": "exists",
                "X-Goog-Message-Number": "7",
            },
        )

    forged = push(channel["id"], "guess", channel["resource_id"])
    missing = push(channel["id"], "", channel["resource_id"])

    assert_problem(forged, 401, "invalid-channel-token")
    assert_problem(missing, 401, "invalid-channel-token")
    assert google.state()["tasks"]["queued"] == queued


def test_rate_limited_refresh_is_retried_after_retry_after(api: str, host: dict[str, str], google: Google) -> None:
    google.fault("calendar.freebusy.query", 429, count=1, retry_after=1)
    day = day_ahead(10, 0)
    before = starts_on(api, host["slug"], day)

    google.add_event(host["email"], event(day.replace(hour=13), 30))

    assert eventually(lambda: len(starts_on(api, host["slug"], day)) == len(before) - 1, timeout=20)
    assert google.state()["calls"]["calendar.freebusy.query"] >= 2


def test_renewal_replaces_channels_near_expiry_and_keeps_one_per_host(
    browser: Browser, google: Google, api: str
) -> None:
    os.environ["KALENO_CHANNEL_TTL_HOURS"] = "2"  # Google granted a short channel: it expires within 24 h
    get_settings.cache_clear()
    bootstrap.reset()
    host_with_hours(browser, google, "UTC", EVERY_DAY)
    old = {c["id"] for c in google.channels()}
    os.environ["KALENO_CHANNEL_TTL_HOURS"] = "168"  # a new release asks for week-long channels again
    get_settings.cache_clear()
    bootstrap.reset()
    url = get_settings().function_url("channel_renewal")
    token = google.oidc_token(url, get_settings().scheduler_service_account)

    first = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    second = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    unauthenticated = requests.post(url, timeout=10)

    assert first.json()["channels_renewed"] == 1
    assert second.json()["channels_renewed"] == 0
    assert google.state()["active_channels"] == 1
    active = {c["id"] for c in google.channels()}
    assert active.isdisjoint(old)
    assert_problem(unauthenticated, 401, "unauthenticated")


def test_stale_mirror_still_answers_and_asks_for_a_refresh(
    api: str, host: dict[str, str], google: Google, db: Any
) -> None:
    day = day_ahead(5, 0)
    fresh = starts_on(api, host["slug"], day)
    db.collection("booking_pages").document(host["slug"]).update(
        {"calendar.synced_at": datetime.now(UTC) - timedelta(hours=2)}
    )
    queued = google.state()["tasks"]["queued"]

    stale = starts_on(api, host["slug"], day)

    assert stale == fresh
    assert google.state()["tasks"]["queued"] == queued + 1
    assert eventually(
        lambda: (
            db.collection("booking_pages").document(host["slug"]).get().get("calendar.synced_at")
            > datetime.now(UTC) - timedelta(minutes=5)
        )
    )


def test_days_beyond_the_mirror_horizon_are_not_offered_and_say_so(api: str, host: dict[str, str], db: Any) -> None:
    inside, beyond = day_ahead(5, 0), day_ahead(6, 0)
    db.collection("booking_pages").document(host["slug"]).update({"calendar.horizon_end": beyond})

    def answer(day: datetime) -> Any:
        params = {"from": day.date().isoformat(), "to": day.date().isoformat(), "tz": "UTC"}
        return requests.get(f"{api}/bookings/pages/{host['slug']}/call/slots", params=params, timeout=10).json()

    assert answer(inside)["slots"]
    assert answer(inside)["complete"] is True
    assert answer(beyond)["slots"] == []
    assert answer(beyond)["complete"] is False  # not "fully booked": not known yet


def test_push_for_a_channel_we_already_replaced_changes_nothing(
    api: str, host: dict[str, str], google: Google, db: Any
) -> None:
    from shared.adapters.google_clients import secret_manager_client
    from shared.adapters.secrets import SecretManagerStore
    from shared.services.channels import channel_token

    key = SecretManagerStore(secret_manager_client(get_settings()), get_settings().project).app_secret(
        "channel-token-key"
    )
    queued = google.state()["tasks"]["queued"]

    response = requests.post(
        f"{api}/calendar_webhook",
        timeout=10,
        headers={
            "X-Goog-Channel-ID": "kal-replaced",
            "X-Goog-Channel-Token": channel_token(key, "kal-replaced"),
            "X-Goog-Resource-ID": "r-old",
            "X-Goog-Resource-State": "exists",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"outcome": "unknown_channel"}
    assert google.state()["tasks"]["queued"] == queued
