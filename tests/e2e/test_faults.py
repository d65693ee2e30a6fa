"""The fault matrix: each dependency down in turn. Requests answer 503 problem+json with Retry-After
within seconds, nothing half-done is stored, and everything recovers as soon as the dependency is back.
Each test prints its measured times (README, "Fault matrix")."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from devstack.stack import LocalStack
from shared.adapters.google_clients import tasks_client
from shared.config import get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours, unique_email


def timed(call: Any) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def slots_url(api: str, slug: str) -> str:
    day = day_ahead(3, 0).date().isoformat()
    return f"{api}/bookings/pages/{slug}/call/slots?from={day}&to={day}&tz=UTC"


def scheduler_post(google: Google, function: str) -> requests.Response:
    settings = get_settings()
    url = settings.function_url(function)
    token = google.oidc_token(url, settings.scheduler_service_account)
    return requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_firestore_frozen_answers_503_within_seconds_and_recovers_at_once(
    clean_stack: LocalStack, api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    assert clean_stack.emulator is not None
    clean_stack.emulator.freeze()
    try:
        read, read_seconds = timed(lambda: requests.get(slots_url(api, slug), timeout=60))
        write, write_seconds = timed(lambda: post_booking(api, booking_body(slug, day_ahead(3, 10))))
    finally:
        clean_stack.emulator.thaw()
    after, recovery_seconds = timed(lambda: requests.get(slots_url(api, slug), timeout=60))
    print(f"firestore frozen: read {read_seconds:.1f}s, write {write_seconds:.1f}s, recovery {recovery_seconds:.2f}s")

    for answer in (read, write):
        assert_problem(answer, 503, "temporarily-unavailable")
        assert answer.headers["Retry-After"]
    assert read_seconds < 12
    assert write_seconds < 12
    assert after.status_code == 200
    assert recovery_seconds < 2
    assert list(db.collection("bookings").stream()) == []  # the failed write stored nothing


def test_cloud_tasks_down_fails_no_main_action_and_the_sweep_heals_the_sync(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    db.collection("booking_pages").document(slug).update({"calendar.synced_at": datetime.now(UTC) - timedelta(hours=1)})
    google.fault("cloudtasks.create_task", 503, count=1000)

    stale_read = requests.get(slots_url(api, slug), timeout=30)  # asks for a refresh: the enqueue fails
    booked = post_booking(api, booking_body(slug, day_ahead(3, 10)))  # its sync task cannot be queued
    event_type = browser.post("/hosts/me/event-types", json={"slug": "other", "title": "Other", "duration_minutes": 30})
    google.fault("cloudtasks.create_task", 503, count=0)  # Cloud Tasks is back
    booking_id = booked.json()["id"]
    db.collection("bookings").document(booking_id).update({"updated_at": datetime.now(UTC) - timedelta(minutes=10)})
    sweep, heal_seconds = timed(lambda: scheduler_post(google, "channel_renewal"))
    google.drain_tasks()
    print(f"cloud tasks down: booking sync healed by one sweep in {heal_seconds:.2f}s")

    assert stale_read.status_code == 200
    assert booked.status_code == 201
    assert event_type.status_code == 201
    assert sweep.json()["syncs_requeued"] >= 1
    assert [e["id"] for e in our_events(google, email)] == [f"kal{booking_id}"]
    assert db.collection("bookings").document(booking_id).get().get("sync_state") == "synced"


def test_secret_manager_down_answers_503_quickly_and_stores_nothing(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    google.fault("secretmanager.access_secret_version", 503, count=1000)  # the manage-token key is not cached yet
    google.fault("secretmanager.add_secret_version", 503, count=1000)
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)

    booking, booking_seconds = timed(lambda: post_booking(api, booking_body(slug, day_ahead(3, 10))))
    sign_in, sign_in_seconds = timed(lambda: Browser(api).sign_in(newcomer))
    google.fault("secretmanager.access_secret_version", 503, count=0)
    google.fault("secretmanager.add_secret_version", 503, count=0)
    again, recovery_seconds = timed(lambda: post_booking(api, booking_body(slug, day_ahead(3, 10))))
    print(
        f"secret manager down: booking {booking_seconds:.1f}s, sign-in {sign_in_seconds:.1f}s,"
        f" recovery {recovery_seconds:.2f}s"
    )

    assert_problem(booking, 503, "temporarily-unavailable")
    assert_problem(sign_in, 503, "temporarily-unavailable")
    assert booking_seconds < 15
    assert sign_in_seconds < 15
    assert again.status_code == 201
    assert len(list(db.collection("hosts").stream())) == 1  # the newcomer was not half signed up


def test_calendar_failing_past_the_retry_budget_is_healed_by_the_sweep(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    settings = get_settings()
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    google.fault("calendar.events.insert", 503, count=1000)
    # The booking's own task waits in a paused queue, so only the sweep can be what heals it.
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"
    tasks_client(settings).pause_queue(name=queue)
    created = post_booking(api, booking_body(slug, day_ahead(3, 10))).json()
    url = settings.function_url("calendar_sync")
    last_attempt = requests.post(
        url,
        json={"action": "reconcile_booking", "booking_id": created["id"], "version": 1},
        headers={
            "Authorization": f"Bearer {google.oidc_token(url, settings.tasks_service_account)}",
            "X-CloudTasks-TaskRetryCount": str(settings.tasks_max_attempts - 1),
        },
        timeout=30,
    )
    view = requests.get(
        f"{api}/bookings/{created['id']}", headers={"Authorization": f"Bearer {created['manage_token']}"}, timeout=10
    )
    google.fault("calendar.events.insert", 503, count=0)

    sweep, heal_seconds = timed(lambda: scheduler_post(google, "channel_renewal"))
    tasks_client(settings).resume_queue(name=queue)
    google.drain_tasks()
    print(f"calendar failing past the retry budget: healed by one sweep in {heal_seconds:.2f}s")

    assert last_attempt.json() == {"outcome": "gave_up"}
    assert view.json()["calendar_invite"] == "pending"  # the invitee is told the truth meanwhile
    assert sweep.json()["syncs_requeued"] >= 1
    assert [e["id"] for e in our_events(google, email)] == [f"kal{created['id']}"]
    assert db.collection("bookings").document(created["id"]).get().get("sync_state") == "synced"
